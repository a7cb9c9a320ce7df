package io.vermilion.version;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import io.vermilion.blockstore.BlockIndex;
import io.vermilion.blockstore.BlockRef;
import io.vermilion.model.DistanceFunction;

/**
 * Decodes {@code manifest.json} ({@link ManifestFormat}): checks the JSON, magic, format version and the checksum of
 * the canonical body, then every field's presence, type and canonical text, and finally that the parts agree
 * ({@link VersionManifest}). A format version this build does not read is a
 * {@link io.vermilion.format.UnsupportedFormatVersionException}; any other failure is a
 * {@link CorruptManifestException} naming the object key. Stateless and
 * thread-safe.
 */
public final class ManifestReader {

    private static final Set<String> ENVELOPE_FIELDS =
            Set.of(ManifestFormat.MAGIC, ManifestFormat.FORMAT_VERSION, ManifestFormat.BODY, ManifestFormat.CRC32C);
    private static final Set<String> BODY_FIELDS = Set.of(ManifestFormat.COLLECTION_ID, ManifestFormat.VERSION_NUMBER,
            ManifestFormat.LOG_END_OFFSET, ManifestFormat.RECORD_COUNT, ManifestFormat.DIMENSION, ManifestFormat.SPACE,
            ManifestFormat.CREATED_AT, ManifestFormat.FILES, ManifestFormat.BLOCKS);
    private static final Set<String> FILE_FIELDS =
            Set.of(ManifestFormat.KEY, ManifestFormat.ROLE, ManifestFormat.SIZE, ManifestFormat.CRC32C);
    private static final Set<String> BLOCK_FIELDS =
            Set.of(ManifestFormat.KEY, ManifestFormat.FIRST_ID, ManifestFormat.LAST_ID, ManifestFormat.RECORDS);

    /** @param key the object key the bytes were read from, for error messages */
    public VersionManifest read(byte[] bytes, String key) {
        JsonNode file;
        try {
            file = ManifestFormat.JSON.readTree(bytes);
        } catch (IOException e) {
            String detail = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
            throw new CorruptManifestException(key, "malformed JSON: " + detail, e);
        }
        if (file == null || !file.isObject() || !ManifestFormat.MAGIC_VALUE.equals(file.path(ManifestFormat.MAGIC).textValue())) {
            throw new CorruptManifestException(key, "bad magic (not a version manifest)");
        }
        JsonNode version = file.get(ManifestFormat.FORMAT_VERSION);
        if (version == null || !version.isIntegralNumber()) {
            throw new CorruptManifestException(key, "malformed: format_version is missing or not an integer");
        }
        int formatVersion = ManifestFormat.VERSIONS.check(version.canConvertToLong() ? version.longValue()
                : version.bigIntegerValue().signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE, key);
        try {
            requireFields(file, ENVELOPE_FIELDS, "the manifest");
            JsonNode body = file.get(ManifestFormat.BODY);
            String stored = text(file, ManifestFormat.CRC32C);
            if (!body.isObject() || !ManifestFormat.CRC_TEXT.matcher(stored).matches()) {
                throw new IllegalArgumentException("body is not an object or crc32c is not 8 lowercase hex digits");
            }
            String computed = ManifestFormat.checksum(body);
            if (!computed.equals(stored)) {
                throw new CorruptManifestException(key, "checksum mismatch: stored " + stored + ", computed " + computed);
            }
            return manifest(body, formatVersion);
        } catch (IllegalArgumentException e) {
            throw new CorruptManifestException(key, "malformed: " + e.getMessage(), e);
        }
    }

    private static VersionManifest manifest(JsonNode body, int formatVersion) {
        requireFields(body, BODY_FIELDS, "body");
        String collectionText = text(body, ManifestFormat.COLLECTION_ID);
        UUID collection = UUID.fromString(collectionText);
        canonicalText(collection.toString(), collectionText, ManifestFormat.COLLECTION_ID);
        String createdText = text(body, ManifestFormat.CREATED_AT);
        Instant createdAt;
        try {
            createdAt = Instant.parse(createdText);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("created_at is not an ISO-8601 instant: " + createdText, e);
        }
        canonicalText(createdAt.toString(), createdText, ManifestFormat.CREATED_AT);
        Integer dimension = null;
        if (!body.get(ManifestFormat.DIMENSION).isNull()) {
            long value = integer(body, ManifestFormat.DIMENSION);
            if (value > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("dimension out of range: " + value);
            }
            dimension = (int) value;
        }

        List<VersionFile> files = new ArrayList<>();
        for (Iterator<JsonNode> it = array(body, ManifestFormat.FILES); it.hasNext(); ) {
            JsonNode file = it.next();
            requireFields(file, FILE_FIELDS, "file " + files.size());
            String crc = text(file, ManifestFormat.CRC32C);
            if (!ManifestFormat.CRC_TEXT.matcher(crc).matches()) {
                throw new IllegalArgumentException("file " + files.size() + ": crc32c is not 8 lowercase hex digits");
            }
            files.add(new VersionFile(text(file, ManifestFormat.KEY),
                    VersionFile.Role.fromWireName(text(file, ManifestFormat.ROLE)),
                    integer(file, ManifestFormat.SIZE), Integer.parseUnsignedInt(crc, 16)));
        }
        List<BlockRef> blocks = new ArrayList<>();
        for (Iterator<JsonNode> it = array(body, ManifestFormat.BLOCKS); it.hasNext(); ) {
            JsonNode block = it.next();
            requireFields(block, BLOCK_FIELDS, "block " + blocks.size());
            long records = integer(block, ManifestFormat.RECORDS);
            if (records > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("block " + blocks.size() + ": too many records " + records);
            }
            blocks.add(new BlockRef(text(block, ManifestFormat.KEY), text(block, ManifestFormat.FIRST_ID),
                    text(block, ManifestFormat.LAST_ID), (int) records));
        }
        return new VersionManifest(formatVersion, collection, integer(body, ManifestFormat.VERSION_NUMBER),
                integer(body, ManifestFormat.LOG_END_OFFSET), integer(body, ManifestFormat.RECORD_COUNT),
                dimension,
                DistanceFunction.fromWireName(text(body, ManifestFormat.SPACE)), files, new BlockIndex(blocks),
                createdAt);
    }

    private static void requireFields(JsonNode node, Set<String> expected, String what) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(what + " is not a JSON object");
        }
        Set<String> actual = new HashSet<>();
        node.fieldNames().forEachRemaining(actual::add);
        if (!actual.equals(expected)) {
            Set<String> missing = new HashSet<>(expected);
            missing.removeAll(actual);
            actual.removeAll(expected);
            throw new IllegalArgumentException(what + ": missing fields " + missing + ", unknown fields " + actual);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (!value.isTextual()) {
            throw new IllegalArgumentException(field + " is not a string: " + value);
        }
        return value.textValue();
    }

    private static long integer(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new IllegalArgumentException(field + " is not a 64-bit integer: " + value);
        }
        return value.longValue();
    }

    private static Iterator<JsonNode> array(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (!value.isArray()) {
            throw new IllegalArgumentException(field + " is not an array");
        }
        return value.elements();
    }

    private static void canonicalText(String canonical, String text, String field) {
        if (!canonical.equals(text)) {
            throw new IllegalArgumentException(field + " is not in canonical form: " + text);
        }
    }
}
