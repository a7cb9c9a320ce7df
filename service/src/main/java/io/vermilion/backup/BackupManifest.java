package io.vermilion.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vermilion.catalog.FragmentRef;
import io.vermilion.catalog.VersionRef;
import io.vermilion.format.Framing;
import io.vermilion.storage.ObjectKeys;
import io.vermilion.sysdb.BackupRows;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A backup's {@code backup.json}: what was backed up (tenant, or one database of it), the catalog rows of every
 * collection at its (version, log position) pair, and every object copied under {@code objects/} with its size and
 * CRC32C. Encoded as {@code {"format": "vermilion-backup", "format_version": 1, "body": {...}, "crc32c": "..."}},
 * the checksum over the body's bytes; {@link #parse} refuses anything else with a {@link CorruptBackupException}.
 */
public record BackupManifest(Instant createdAt, String tenant, String database, List<BackupRows.TenantRow> tenants,
        List<BackupRows.DatabaseRow> databases, List<BackupRows.CollectionRows> collections, List<StoredObject> objects) {

    public static final String FILE = "backup.json";
    public static final String OBJECTS = "objects/";
    static final String FORMAT = "vermilion-backup";
    static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One copied object: its key in the object store (stored under {@code objects/} + key), size and CRC32C. */
    public record StoredObject(String key, long size, int crc32c) {

        public static StoredObject of(String key, byte[] bytes) {
            return new StoredObject(key, bytes.length, Framing.crc32c(bytes, 0, bytes.length));
        }

        public boolean matches(byte[] bytes) {
            return bytes.length == size && Framing.crc32c(bytes, 0, bytes.length) == crc32c;
        }
    }

    public BackupManifest {
        tenants = List.copyOf(tenants);
        databases = List.copyOf(databases);
        collections = List.copyOf(collections);
        objects = List.copyOf(objects);
    }

    public byte[] toJson() {
        ObjectNode body = body();
        ObjectNode file = JSON.createObjectNode();
        file.put("format", FORMAT);
        file.put("format_version", FORMAT_VERSION);
        file.set("body", body);
        file.put("crc32c", checksum(body));
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(file);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    private ObjectNode body() {
        ObjectNode body = JSON.createObjectNode();
        body.put("created_at", createdAt.toString());
        body.putObject("scope").put("tenant", tenant).put("database", database);
        ArrayNode ts = body.putArray("tenants");
        tenants.forEach(t -> ts.addObject().put("name", t.name()).put("resource_name", t.resourceName()));
        ArrayNode ds = body.putArray("databases");
        databases.forEach(d -> ds.addObject().put("id", d.id().toString()).put("name", d.name()).put("tenant", d.tenant()));
        ArrayNode cs = body.putArray("collections");
        for (BackupRows.CollectionRows c : collections) {
            ObjectNode n = cs.addObject();
            n.put("id", c.id().toString()).put("name", c.name()).put("database_id", c.databaseId().toString())
                    .put("metadata", c.metadata()).put("configuration", c.configuration())
                    .put("dimension", c.dimension()).put("log_position", c.logPosition())
                    .put("chroma_version", c.chromaVersion());
            if (c.version() == null) {
                n.putNull("version");
            } else {
                n.putObject("version").put("number", c.version().version())
                        .put("manifest_key", c.version().manifestKey())
                        .put("log_end_offset", c.version().logEndOffset());
            }
            ArrayNode fs = n.putArray("fragments");
            c.fragments().forEach(f -> fs.addObject().put("start_offset", f.startOffset())
                    .put("end_offset", f.endOffset()).put("key", f.key()).put("bytes", f.bytes()));
            if (c.lineage() == null) {
                n.putNull("lineage");
            } else {
                BackupRows.LineageRow l = c.lineage();
                n.putObject("lineage").put("root_id", l.root().toString())
                        .put("parent_id", l.parent() == null ? null : l.parent().toString())
                        .put("fork_version", l.forkVersion()).put("fork_log_offset", l.forkLogOffset());
            }
        }
        ArrayNode os = body.putArray("objects");
        objects.forEach(o -> os.addObject().put("key", o.key()).put("size", o.size())
                .put("crc32c", Integer.toHexString(o.crc32c())));
        return body;
    }

    private static String checksum(JsonNode body) {
        try {
            byte[] bytes = JSON.writeValueAsBytes(body);
            return Integer.toHexString(Framing.crc32c(bytes, 0, bytes.length));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    /** Reads {@code backup.json}; a file that is not a complete, intact backup manifest is a {@link CorruptBackupException}. */
    public static BackupManifest parse(byte[] bytes) {
        JsonNode file;
        try {
            file = JSON.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CorruptBackupException(FILE + " is not valid JSON (truncated?): " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new CorruptBackupException(FILE + " cannot be read: " + e.getMessage());
        }
        if (file == null || !file.isObject() || !FORMAT.equals(file.path("format").asText(null))) {
            throw new CorruptBackupException(FILE + " is not a Vermilion backup manifest");
        }
        int version = file.path("format_version").asInt(-1);
        if (version != FORMAT_VERSION) {
            throw new CorruptBackupException(FILE + " has format version " + file.path("format_version")
                    + "; this build reads version " + FORMAT_VERSION);
        }
        JsonNode body = file.get("body");
        if (body == null || !body.isObject() || !checksum(body).equals(file.path("crc32c").asText())) {
            throw new CorruptBackupException(FILE + " fails its checksum: the backup manifest is corrupted");
        }
        try {
            return read(body);
        } catch (RuntimeException e) {
            throw new CorruptBackupException(FILE + " is malformed: " + e.getMessage());
        }
    }

    private static BackupManifest read(JsonNode body) {
        List<BackupRows.TenantRow> tenants = new ArrayList<>();
        body.required("tenants").forEach(t -> tenants.add(new BackupRows.TenantRow(text(t, "name"),
                t.path("resource_name").isNull() ? null : t.path("resource_name").asText())));
        List<BackupRows.DatabaseRow> databases = new ArrayList<>();
        body.required("databases").forEach(d -> databases.add(new BackupRows.DatabaseRow(
                UUID.fromString(text(d, "id")), text(d, "name"), text(d, "tenant"))));
        List<BackupRows.CollectionRows> collections = new ArrayList<>();
        for (JsonNode c : body.required("collections")) {
            JsonNode v = c.required("version");
            VersionRef version = v.isNull() ? null : new VersionRef(v.required("number").asLong(),
                    text(v, "manifest_key"), v.required("log_end_offset").asLong());
            List<FragmentRef> fragments = new ArrayList<>();
            c.required("fragments").forEach(f -> fragments.add(new FragmentRef(f.required("start_offset").asLong(),
                    f.required("end_offset").asLong(), ObjectKeys.checkKey(text(f, "key")), f.required("bytes").asLong())));
            JsonNode l = c.required("lineage");
            BackupRows.LineageRow lineage = l.isNull() ? null : new BackupRows.LineageRow(
                    UUID.fromString(text(l, "root_id")),
                    l.path("parent_id").isNull() ? null : UUID.fromString(text(l, "parent_id")),
                    l.path("fork_version").isNull() ? null : l.path("fork_version").asLong(),
                    l.path("fork_log_offset").isNull() ? null : l.path("fork_log_offset").asLong());
            collections.add(new BackupRows.CollectionRows(UUID.fromString(text(c, "id")), text(c, "name"),
                    UUID.fromString(text(c, "database_id")),
                    c.path("metadata").isNull() ? null : c.path("metadata").asText(), text(c, "configuration"),
                    c.path("dimension").isNull() ? null : c.path("dimension").asInt(),
                    c.required("log_position").asLong(), c.required("chroma_version").asInt(), version, fragments,
                    lineage));
        }
        List<StoredObject> objects = new ArrayList<>();
        body.required("objects").forEach(o -> objects.add(new StoredObject(ObjectKeys.checkKey(text(o, "key")),
                o.required("size").asLong(), Integer.parseUnsignedInt(text(o, "crc32c"), 16))));
        JsonNode scope = body.required("scope");
        return new BackupManifest(Instant.parse(text(body, "created_at")), text(scope, "tenant"),
                scope.path("database").isNull() ? null : scope.path("database").asText(), tenants, databases,
                collections, objects);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.required(field);
        if (!value.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return value.asText();
    }
}
