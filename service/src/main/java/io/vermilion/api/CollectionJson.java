package io.vermilion.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vermilion.sysdb.CollectionEntry;

/** Renders a catalog collection as the Collection JSON every collection endpoint returns. */
final class CollectionJson {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private CollectionJson() {}

    static ObjectNode render(CollectionEntry c) {
        JsonNode stored = JsonBody.read(c.configuration().json());
        ObjectNode out = F.objectNode();
        out.put("id", c.id().toString());
        out.put("name", c.name());
        out.set("configuration_json", CollectionConfigs.configurationJson(stored));
        out.set("schema", CollectionConfigs.schema(stored));
        out.set("metadata", c.metadataJson() == null ? F.nullNode() : JsonBody.read(c.metadataJson()));
        if (c.dimension() == null) {
            out.putNull("dimension");
        } else {
            out.put("dimension", c.dimension());
        }
        out.put("tenant", c.tenant());
        out.put("database", c.database());
        out.put("log_position", c.logPosition());
        out.put("version", c.version());
        return out;
    }
}
