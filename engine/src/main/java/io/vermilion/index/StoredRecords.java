package io.vermilion.index;

import io.vermilion.record.MetadataJson;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import java.io.IOException;
import java.util.Map;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.StoredFieldVisitor;
import org.apache.lucene.index.StoredFields;

/**
 * Rebuilds records from an index's stored fields. A stop-gap: hydration moves to the Arrow record blocks, and the
 * stored fields then go away. Stateless; a {@link StoredFields} instance must stay on one thread.
 */
final class StoredRecords {

    private StoredRecords() {}

    /** The record in {@code doc}; without its embedding (null) when only filters will look at it. */
    static Record load(StoredFields storedFields, int doc, boolean withEmbedding) throws IOException {
        Visitor visitor = new Visitor(withEmbedding);
        storedFields.document(doc, visitor);
        Map<String, MetadataValue> metadata = visitor.metadataJson == null ? null : MetadataJson.decode(visitor.metadataJson);
        return new Record(visitor.id, visitor.embedding, metadata, visitor.document, visitor.uri);
    }

    private static final class Visitor extends StoredFieldVisitor {
        private final boolean withEmbedding;
        String id;
        float[] embedding;
        String metadataJson;
        String document;
        String uri;

        Visitor(boolean withEmbedding) {
            this.withEmbedding = withEmbedding;
        }

        @Override
        public Status needsField(FieldInfo fieldInfo) {
            return switch (fieldInfo.name) {
                case IndexFields.ID, IndexFields.METADATA, IndexFields.DOCUMENT, IndexFields.URI -> Status.YES;
                case IndexFields.EMBEDDING -> withEmbedding ? Status.YES : Status.NO;
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
                case IndexFields.EMBEDDING -> embedding = IndexFields.readStoredVector(value, 0, value.length);
                default -> { }
            }
        }
    }
}
