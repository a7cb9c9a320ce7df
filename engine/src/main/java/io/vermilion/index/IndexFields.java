package io.vermilion.index;

import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.analysis.ngram.NGramTokenizer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.util.BytesRef;

/**
 * The field layout of a collection index and the encodings its writer and its filter translation share.
 *
 * <p>Per record: {@code _id} (term + stored), {@code _seq} (insertion sequence, doc values; the index sort),
 * {@code _vector} (HNSW), stored {@code _embedding}/{@code _metadata}/{@code _document}/{@code _uri} (hydration until
 * the block store takes over), {@code _keys} (every key a {@code where} clause can see on the record), and per
 * metadata key: {@code k:<key>} scalar strings and bools as tagged terms, {@code i:<key>} scalar ints (LongPoint +
 * doc values), {@code f:<key>} scalar floats (DoublePoint + doc values), {@code a:<key>} array elements as tagged
 * terms that keep their type. The document goes to {@code _text} (StandardAnalyzer, for BM25), {@code _grams3}
 * (case-sensitive code-point trigrams, position = code-point offset, for substring phrase queries) and
 * {@code _grams12} (unigrams and bigrams, for 1–2 code-point substrings).
 *
 * <p>Terms are injective: a well-formed string of at most {@value #MAX_RAW_TERM_BYTES} UTF-8 bytes is its bytes
 * after a tag; anything else (longer, or with unpaired surrogates that UTF-8 cannot carry) is a SHA-256 of its UTF-16
 * code units under another tag, which a query must treat as a candidate only.
 */
final class IndexFields {

    static final String ID = "_id";
    static final String SEQ = "_seq";
    static final String VECTOR = "_vector";
    static final String EMBEDDING = "_embedding";
    static final String METADATA = "_metadata";
    static final String DOCUMENT = "_document";
    static final String URI = "_uri";
    static final String KEYS = "_keys";
    static final String TEXT = "_text";
    static final String GRAMS3 = "_grams3";
    static final String GRAMS12 = "_grams12";

    /** Chroma exposes a record's document and uri to {@code where} under these keys (see MetadataMatcher). */
    static final String CHROMA_DOCUMENT_KEY = "chroma:document";
    static final String CHROMA_URI_KEY = "chroma:uri";

    static final int MAX_RAW_TERM_BYTES = 512;

    static final byte TAG_STRING = 's';
    static final byte TAG_HASHED = 'h';
    static final byte TAG_BOOL = 'b';
    static final byte TAG_INT = 'i';
    static final byte TAG_FLOAT = 'f';

    static final FieldType GRAMS3_TYPE = gramsType(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS);
    static final FieldType GRAMS12_TYPE = gramsType(IndexOptions.DOCS);

    private IndexFields() {}

    static String keywordField(String key) {
        return "k:" + key;
    }

    static String intField(String key) {
        return "i:" + key;
    }

    static String floatField(String key) {
        return "f:" + key;
    }

    static String arrayField(String key) {
        return "a:" + key;
    }

    /** The analyzers: trigram and uni/bigram tokenizers (no lowercasing) for the gram fields, standard for the rest. */
    static Analyzer analyzer() {
        return new PerFieldAnalyzerWrapper(new StandardAnalyzer(), Map.of(GRAMS3, ngrams(3, 3), GRAMS12, ngrams(1, 2)));
    }

    private static Analyzer ngrams(int min, int max) {
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String fieldName) {
                return new TokenStreamComponents(new NGramTokenizer(min, max));
            }
        };
    }

    private static FieldType gramsType(IndexOptions options) {
        FieldType type = new FieldType();
        type.setTokenized(true);
        type.setOmitNorms(true);
        type.setIndexOptions(options);
        type.freeze();
        return type;
    }

    /** What a {@code where} clause sees on {@code record}, key by key (MetadataMatcher.field for every key at once). */
    static Map<String, MetadataValue> whereView(Record record) {
        Map<String, MetadataValue> view = new LinkedHashMap<>();
        if (record.metadata() != null) {
            record.metadata().forEach((key, value) -> {
                if (!key.equals(CHROMA_DOCUMENT_KEY) && !key.equals(CHROMA_URI_KEY)) {
                    view.put(key, value);
                }
            });
        }
        if (record.document() != null) {
            view.put(CHROMA_DOCUMENT_KEY, new MetadataValue.Str(record.document()));
        }
        if (record.uri() != null) {
            view.put(CHROMA_URI_KEY, new MetadataValue.Str(record.uri()));
        }
        return view;
    }

    // ---- terms ----

    /** Whether {@link #stringTerm} keeps {@code s} itself, so that term equality is string equality. */
    static boolean isRawString(String s) {
        return isWellFormed(s) && utf8Length(s) <= MAX_RAW_TERM_BYTES;
    }

    static BytesRef stringTerm(String s) {
        if (isRawString(s)) {
            return tagged(TAG_STRING, s.getBytes(StandardCharsets.UTF_8));
        }
        ByteBuffer utf16 = ByteBuffer.allocate(s.length() * 2);
        for (int i = 0; i < s.length(); i++) {
            utf16.putChar(s.charAt(i));
        }
        return tagged(TAG_HASHED, sha256(utf16.array()));
    }

    static BytesRef boolTerm(boolean b) {
        return new BytesRef(new byte[] {TAG_BOOL, (byte) (b ? '1' : '0')});
    }

    static BytesRef intTerm(long v) {
        return tagged(TAG_INT, ByteBuffer.allocate(Long.BYTES).putLong(v).array());
    }

    /** Array float elements compare with IEEE {@code ==}: both zeros share a term; NaN has none (null). */
    static BytesRef floatTerm(double v) {
        if (Double.isNaN(v)) {
            return null;
        }
        double canonical = v == 0.0 ? 0.0 : v;
        return tagged(TAG_FLOAT, ByteBuffer.allocate(Double.BYTES).putLong(Double.doubleToLongBits(canonical)).array());
    }

    /** The term of an array element of exactly this type, or null if no element can equal it (NaN). */
    static BytesRef elementTerm(MetadataValue element) {
        return switch (element) {
            case MetadataValue.Str s -> stringTerm(s.value());
            case MetadataValue.Bool b -> boolTerm(b.value());
            case MetadataValue.Int i -> intTerm(i.value());
            case MetadataValue.Flt f -> floatTerm(f.value());
            case MetadataValue.Array a -> throw new IllegalArgumentException("nested array");
            case MetadataValue.Sparse v -> throw new IllegalArgumentException("sparse vector in an array");
        };
    }

    /** Whether an element's term is an exact stand-in for it (hashed strings are candidates only). */
    static boolean isExactElement(MetadataValue element) {
        return !(element instanceof MetadataValue.Str s) || isRawString(s.value());
    }

    private static BytesRef tagged(byte tag, byte[] body) {
        byte[] bytes = new byte[body.length + 1];
        bytes[0] = tag;
        System.arraycopy(body, 0, bytes, 1, body.length);
        return new BytesRef(bytes);
    }

    // ---- stored values ----

    /** A string as stored bytes, lossless even for unpaired surrogates: tag 0 + UTF-8, or tag 1 + UTF-16BE. */
    static BytesRef storedString(String s) {
        if (isWellFormed(s)) {
            return tagged((byte) 0, s.getBytes(StandardCharsets.UTF_8));
        }
        ByteBuffer utf16 = ByteBuffer.allocate(s.length() * 2);
        for (int i = 0; i < s.length(); i++) {
            utf16.putChar(s.charAt(i));
        }
        return tagged((byte) 1, utf16.array());
    }

    static String readStoredString(byte[] bytes, int offset, int length) {
        if (bytes[offset] == 0) {
            return new String(bytes, offset + 1, length - 1, StandardCharsets.UTF_8);
        }
        ByteBuffer utf16 = ByteBuffer.wrap(bytes, offset + 1, length - 1);
        char[] chars = new char[(length - 1) / 2];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = utf16.getChar();
        }
        return new String(chars);
    }

    static BytesRef storedVector(float[] v) {
        ByteBuffer buffer = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(v);
        return new BytesRef(buffer.array());
    }

    static float[] readStoredVector(byte[] bytes, int offset, int length) {
        float[] v = new float[length / Float.BYTES];
        ByteBuffer.wrap(bytes, offset, length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    // ---- text ----

    /** True if every surrogate is part of a pair (so UTF-8 round-trips the string). */
    static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
