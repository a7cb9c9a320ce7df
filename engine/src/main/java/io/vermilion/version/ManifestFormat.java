package io.vermilion.version;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.vermilion.format.FormatVersions;
import io.vermilion.format.Framing;

/**
 * The layout of a version manifest ({@code manifest.json}), written by {@link ManifestWriter} and read by
 * {@link ManifestReader}: one UTF-8 JSON object, magic first and checksum last.
 *
 * <pre>
 * {"magic": "vermilion-version-manifest",
 *  "format_version": 1,
 *  "body": {
 *    "collection_id": "0f8e…",               canonical lowercase UUID
 *    "version": 3,                           integer &gt;= 0
 *    "log_end_offset": 1200,                 integer &gt;= 0: holds every log record with a smaller offset
 *    "record_count": 1000,                   integer = the blocks' total
 *    "dimension": 384,                       integer &gt;= 1, or null
 *    "space": "cosine",                      "l2" | "cosine" | "ip"
 *    "created_at": "2025-06-01T12:00:00Z",   ISO-8601 UTC instant as {@link java.time.Instant#toString()} writes it
 *    "files": [{"key": "…", "role": "block" | "index", "size": 123, "crc32c": "0a1b2c3d"}, …],
 *    "blocks": [{"key": "…", "first_id": "…", "last_id": "…", "records": 500}, …]   in id order
 *  },
 *  "crc32c": "89abcdef"}                      CRC32C of the canonical body, 8 lowercase hex digits
 * </pre>
 *
 * The canonical body is the body's JSON in the manner of RFC 8785 (JCS): no whitespace, object keys sorted by
 * UTF-16 code units, strings with only {@code "}, {@code \} and U+0000–U+001F escaped ({@code \b \f \n \r \t} short,
 * others {@code \}{@code u00xx} lowercase), integers in plain decimal (a manifest holds no fractions), encoded as
 * UTF-8. The checksum therefore covers the content, not its formatting: a reader re-derives the canonical body from
 * whatever it parsed, so any change to a value, key or structure is detected, while re-indenting the file is not an
 * error. Every field is required and no other field is allowed.
 *
 * <p>The manifest is the one file whose frame is JSON rather than binary {@link Framing} (it is read by people and
 * tools, and its checksum covers content, not bytes); it shares the framing's version range and typed errors: a
 * {@code format_version} outside {@link #VERSIONS} is a {@link io.vermilion.format.FormatTooNewException} or
 * {@link io.vermilion.format.FormatTooOldException}, checked before the checksum (which covers only the body).
 */
public final class ManifestFormat {

    static final String MAGIC_VALUE = "vermilion-version-manifest";
    static final int VERSION = 1;
    /** The versions this build reads: every one so far. */
    static final FormatVersions VERSIONS = new FormatVersions("version manifest", 1, VERSION);

    static final String MAGIC = "magic";
    static final String FORMAT_VERSION = "format_version";
    static final String BODY = "body";
    static final String CRC32C = "crc32c";

    static final String COLLECTION_ID = "collection_id";
    static final String VERSION_NUMBER = "version";
    static final String LOG_END_OFFSET = "log_end_offset";
    static final String RECORD_COUNT = "record_count";
    static final String DIMENSION = "dimension";
    static final String SPACE = "space";
    static final String CREATED_AT = "created_at";
    static final String FILES = "files";
    static final String BLOCKS = "blocks";

    static final String KEY = "key";
    static final String ROLE = "role";
    static final String SIZE = "size";
    static final String FIRST_ID = "first_id";
    static final String LAST_ID = "last_id";
    static final String RECORDS = "records";

    static final Pattern CRC_TEXT = Pattern.compile("[0-9a-f]{8}");

    /** Strict JSON: duplicate keys and trailing content are errors; characters past U+FFFF written as such. */
    static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ManifestFormat() {}

    /** The CRC32C of {@code body}'s canonical form, as 8 lowercase hex digits. */
    static String checksum(JsonNode body) {
        byte[] canonical = canonical(body);
        return hex(Framing.crc32c(canonical, 0, canonical.length));
    }

    static String hex(int crc) {
        return "%08x".formatted(crc);
    }

    /**
     * The canonical UTF-8 bytes of a JSON tree (see the class comment); throws {@link IllegalArgumentException} for
     * what has no canonical form here: fractional numbers, strings with unpaired surrogates.
     */
    static byte[] canonical(JsonNode node) {
        StringBuilder out = new StringBuilder();
        appendCanonical(node, out);
        try {
            ByteBuffer utf8 = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(out));
            byte[] bytes = new byte[utf8.remaining()];
            utf8.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("string is not valid Unicode (unpaired surrogate)", e);
        }
    }

    private static void appendCanonical(JsonNode node, StringBuilder out) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
                node.fields().forEachRemaining(fields::add);
                fields.sort(Map.Entry.comparingByKey());
                out.append('{');
                for (int i = 0; i < fields.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    appendString(fields.get(i).getKey(), out);
                    out.append(':');
                    appendCanonical(fields.get(i).getValue(), out);
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                for (Iterator<JsonNode> elements = node.elements(); elements.hasNext(); ) {
                    appendCanonical(elements.next(), out);
                    if (elements.hasNext()) {
                        out.append(',');
                    }
                }
                out.append(']');
            }
            case STRING -> appendString(node.textValue(), out);
            case NUMBER -> {
                if (!node.isIntegralNumber()) {
                    throw new IllegalArgumentException("a manifest holds integers only, not " + node);
                }
                out.append(node.bigIntegerValue());
            }
            case BOOLEAN -> out.append(node.booleanValue());
            case NULL -> out.append("null");
            default -> throw new IllegalArgumentException("not a JSON value: " + node.getNodeType());
        }
    }

    private static void appendString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u%04x".formatted((int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
