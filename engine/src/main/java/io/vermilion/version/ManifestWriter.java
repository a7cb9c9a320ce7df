package io.vermilion.version;

import java.util.Arrays;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vermilion.blockstore.BlockRef;

/**
 * Encodes a {@link VersionManifest} as {@code manifest.json} ({@link ManifestFormat}). The same manifest always gives
 * the same bytes. Stateless and thread-safe. Rejects manifests in another format version and strings that are not
 * valid Unicode (unpaired surrogates), which could not be read back exactly.
 */
public final class ManifestWriter {

    public byte[] write(VersionManifest manifest) {
        if (manifest.formatVersion() != ManifestFormat.VERSION) {
            throw new IllegalArgumentException("this build writes manifest format version " + ManifestFormat.VERSION
                    + ", not " + manifest.formatVersion());
        }
        ObjectNode body = body(manifest);
        ObjectNode file = ManifestFormat.JSON.createObjectNode();
        file.put(ManifestFormat.MAGIC, ManifestFormat.MAGIC_VALUE);
        file.put(ManifestFormat.FORMAT_VERSION, ManifestFormat.VERSION);
        file.set(ManifestFormat.BODY, body);
        file.put(ManifestFormat.CRC32C, ManifestFormat.checksum(body));
        try {
            byte[] json = ManifestFormat.JSON.writeValueAsBytes(file);
            byte[] withNewline = Arrays.copyOf(json, json.length + 1);
            withNewline[json.length] = '\n';
            return withNewline;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    private static ObjectNode body(VersionManifest manifest) {
        ObjectNode body = ManifestFormat.JSON.createObjectNode();
        body.put(ManifestFormat.COLLECTION_ID, manifest.collectionId().toString());
        body.put(ManifestFormat.VERSION_NUMBER, manifest.version());
        body.put(ManifestFormat.LOG_END_OFFSET, manifest.logEndOffset());
        body.put(ManifestFormat.RECORD_COUNT, manifest.recordCount());
        body.put(ManifestFormat.DIMENSION, manifest.dimension());
        body.put(ManifestFormat.SPACE, manifest.space().wireName());
        body.put(ManifestFormat.CREATED_AT, manifest.createdAt().toString());
        ArrayNode files = body.putArray(ManifestFormat.FILES);
        for (VersionFile file : manifest.files()) {
            files.addObject()
                    .put(ManifestFormat.KEY, file.key())
                    .put(ManifestFormat.ROLE, file.role().wireName())
                    .put(ManifestFormat.SIZE, file.size())
                    .put(ManifestFormat.CRC32C, ManifestFormat.hex(file.crc32c()));
        }
        ArrayNode blocks = body.putArray(ManifestFormat.BLOCKS);
        for (BlockRef block : manifest.blocks().blocks()) {
            blocks.addObject()
                    .put(ManifestFormat.KEY, block.key())
                    .put(ManifestFormat.FIRST_ID, block.firstId())
                    .put(ManifestFormat.LAST_ID, block.lastId())
                    .put(ManifestFormat.RECORDS, block.recordCount());
        }
        return body;
    }
}
