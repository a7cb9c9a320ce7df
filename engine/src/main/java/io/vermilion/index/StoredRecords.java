package io.vermilion.index;

import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.util.BytesRef;

import io.vermilion.model.RecordParts;
import io.vermilion.record.MetadataJson;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import java.io.IOException;
import java.util.Map;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.StoredFieldVisitor;
import org.apache.lucene.index.StoredFields;

/**
 * Rebuilds records from an index: id, metadata, document and uri from the stored fields, the embedding (exactly as
 * written, un-normalized) from binary doc values, so a filter that checks records, or a request loading its hits,
 * never decompresses embeddings it does not need. Stateless; a {@link StoredFields} instance must stay on one thread.
 */
final class StoredRecords {

    private StoredRecords() {}

    /** The record in {@code doc} without its embedding (null), for filters that check records. */
    static Record load(StoredFields storedFields, int doc) throws IOException {
        return load(storedFields, doc, RecordParts.WITHOUT_EMBEDDING);
    }

    /** The record in {@code doc} with {@code parts} (the embedding left out whatever they say); the rest null. */
    private static Record load(StoredFields storedFields, int doc, RecordParts parts) throws IOException {
        Visitor visitor = new Visitor(parts);
        storedFields.document(doc, visitor);
        Map<String, MetadataValue> metadata = visitor.metadataJson == null ? null : MetadataJson.decode(visitor.metadataJson);
        return new Record(visitor.id, null, metadata, visitor.document, visitor.uri);
    }

    /** The record in {@code doc} of segment {@code leaf} with {@code parts}; the parts not asked for are null. */
    static Record load(LeafReader leaf, StoredFields storedFields, int doc, RecordParts parts) throws IOException {
        Record stored = load(storedFields, doc, parts);
        if (!parts.embedding()) {
            return stored;
        }
        float[] embedding = null;
        BinaryDocValues embeddings = leaf.getBinaryDocValues(IndexFields.EMBEDDING);
        if (embeddings != null && embeddings.advanceExact(doc)) {
            BytesRef bytes = embeddings.binaryValue();
            embedding = IndexFields.readStoredVector(bytes.bytes, bytes.offset, bytes.length);
        }
        return new Record(stored.id(), embedding, stored.metadata(), stored.document(), stored.uri());
    }

    private static final class Visitor extends StoredFieldVisitor {
        private final RecordParts parts;
        String id;
        String metadataJson;
        String document;
        String uri;

        Visitor(RecordParts parts) {
            this.parts = parts;
        }

        @Override
        public Status needsField(FieldInfo fieldInfo) {
            return switch (fieldInfo.name) {
                case IndexFields.ID -> Status.YES;
                case IndexFields.METADATA -> parts.metadata() ? Status.YES : Status.NO;
                case IndexFields.DOCUMENT, IndexFields.URI -> parts.document() ? Status.YES : Status.NO;
                default -> Status.NO;
            };
        }

        @Override
        public void binaryField(FieldInfo fieldInfo, byte[] value) {
            switch (fieldInfo.name) {
                case IndexFields.ID -> id = IndexFields.readStoredString(value, 0, value.length);
                case IndexFields.METADATA -> metadataJson = IndexFields.readStoredString(value, 0, value.length);
                case IndexFields.DOCUMENT -> document = IndexFields.readStoredString(value, 0, value.length);
                case IndexFields.URI -> uri = IndexFields.readStoredString(value, 0, value.length);
                default -> { }
            }
        }
    }
}
