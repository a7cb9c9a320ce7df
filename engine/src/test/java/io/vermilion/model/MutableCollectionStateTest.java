package io.vermilion.model;

import static io.vermilion.testing.TestData.md;
import static io.vermilion.testing.TestData.vec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Operation;
import io.vermilion.record.Record;
import io.vermilion.testing.TestData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MutableCollectionStateTest {

    private final MutableCollectionState state = new MutableCollectionState();

    private static LogRecord add(String id, float[] embedding, Map<String, MetadataValue> metadata, String document, String uri) {
        return new LogRecord(Operation.ADD, id, embedding, metadata, document, uri);
    }

    private static LogRecord upsert(String id, float[] embedding, Map<String, MetadataValue> metadata, String document, String uri) {
        return new LogRecord(Operation.UPSERT, id, embedding, metadata, document, uri);
    }

    private static LogRecord update(String id, float[] embedding, Map<String, MetadataValue> metadata, String document, String uri) {
        return new LogRecord(Operation.UPDATE, id, embedding, metadata, document, uri);
    }

    private List<String> order() {
        return TestData.ids(state.snapshot().records());
    }

    @Test
    void addStoresAllFields() {
        state.apply(add("a", vec(1, 2), md("k", 1), "doc", "uri"));
        Record a = state.get("a");
        assertArrayEquals(vec(1, 2), a.embedding());
        assertEquals(md("k", 1), a.metadata());
        assertEquals("doc", a.document());
        assertEquals("uri", a.uri());
    }

    @Test
    void addOfAnExistingIdIsIgnored() {
        state.apply(add("a", vec(1), md("k", 1), "first", null));
        state.apply(add("a", vec(2), md("k", 2), "second", "u"));
        Record a = state.get("a");
        assertArrayEquals(vec(1), a.embedding());
        assertEquals(md("k", 1), a.metadata());
        assertEquals("first", a.document());
        assertNull(a.uri());
        assertEquals(1, state.size());
    }

    @Test
    void addWithEmptyMetadataStoresNoneAndDropsNullValues() {
        state.apply(add("a", vec(1), Map.of(), null, null));
        state.apply(add("b", vec(1), md("gone", null), null, null));
        state.apply(add("c", vec(1), md("gone", null, "kept", "x"), null, null));
        assertNull(state.get("a").metadata());
        assertNull(state.get("b").metadata());
        assertEquals(md("kept", "x"), state.get("c").metadata());
    }

    @Test
    void upsertInsertsANewId() {
        state.apply(upsert("a", vec(1), md("k", 1, "drop", null), "d", null));
        assertEquals(md("k", 1), state.get("a").metadata());
        assertEquals("d", state.get("a").document());
    }

    @Test
    void upsertMergesMetadataKeyByKeyAndNullDeletesAKey() {
        state.apply(add("a", vec(1), md("keep", "x", "change", 1, "drop", true), null, null));
        state.apply(upsert("a", vec(2), md("change", 2.5, "drop", null, "new", List.of("t")), null, null));
        assertEquals(md("keep", "x", "change", 2.5, "new", List.of("t")), state.get("a").metadata());
        assertArrayEquals(vec(2), state.get("a").embedding());
    }

    @Test
    void upsertWithNullFieldsLeavesStoredValues() {
        state.apply(add("a", vec(1), md("k", 1), "doc", "uri"));
        state.apply(upsert("a", null, null, null, null));
        Record a = state.get("a");
        assertArrayEquals(vec(1), a.embedding());
        assertEquals(md("k", 1), a.metadata());
        assertEquals("doc", a.document());
        assertEquals("uri", a.uri());
    }

    @Test
    void upsertReplacesDocumentAndUriWhenGiven() {
        state.apply(add("a", vec(1), null, "old", "old-uri"));
        state.apply(upsert("a", vec(1), null, "new", "new-uri"));
        assertEquals("new", state.get("a").document());
        assertEquals("new-uri", state.get("a").uri());
    }

    @Test
    void updateOfAMissingIdIsIgnored() {
        state.apply(update("ghost", vec(1), md("k", 1), "doc", null));
        assertEquals(0, state.size());
        assertNull(state.get("ghost"));
    }

    @Test
    void updateMergesLikeUpsertAndNullEmbeddingMeansNoChange() {
        state.apply(add("a", vec(1, 1), md("x", 1, "y", 2), "doc", null));
        state.apply(update("a", null, md("y", null, "z", "new"), null, "u"));
        Record a = state.get("a");
        assertArrayEquals(vec(1, 1), a.embedding());
        assertEquals(md("x", 1, "z", "new"), a.metadata());
        assertEquals("doc", a.document());
        assertEquals("u", a.uri());
    }

    @Test
    void updateDeletingTheLastKeyLeavesAnEmptyMapNotNull() {
        state.apply(add("a", vec(1), md("only", 1), null, null));
        state.apply(update("a", null, md("only", null), null, null));
        assertEquals(Map.of(), state.get("a").metadata());
    }

    @Test
    void deletingAKeyOfARecordWithoutMetadataKeepsNone() {
        state.apply(add("a", vec(1), null, null, null));
        state.apply(update("a", null, md("k", null), null, null));
        assertNull(state.get("a").metadata());
        state.apply(update("a", null, md("k", 1), null, null));
        assertEquals(md("k", 1), state.get("a").metadata());
    }

    @Test
    void deleteRemovesAndDeleteOfAMissingIdIsANoOp() {
        state.apply(add("a", vec(1), null, null, null));
        state.apply(LogRecord.delete("a"));
        state.apply(LogRecord.delete("never"));
        assertEquals(0, state.size());
        assertNull(state.get("a"));
    }

    @Test
    void recordsKeepFirstInsertionOrderAndAReAddAfterDeleteGoesToTheEnd() {
        state.applyAll(List.of(
                add("a", vec(1), null, null, null),
                add("b", vec(1), null, null, null),
                add("c", vec(1), null, null, null),
                upsert("a", vec(2), null, null, null),
                update("b", vec(2), null, null, null),
                add("c", vec(2), null, null, null)));
        assertEquals(List.of("a", "b", "c"), order());
        state.apply(LogRecord.delete("a"));
        state.apply(add("a", vec(3), null, null, null));
        assertEquals(List.of("b", "c", "a"), order());
        state.apply(LogRecord.delete("b"));
        state.apply(upsert("b", vec(3), null, null, null));
        assertEquals(List.of("c", "a", "b"), order());
    }

    @Test
    void snapshotIsUnaffectedByLaterWritesAndCachedUntilTheNextWrite() {
        state.apply(add("a", vec(1), md("k", 1), null, null));
        CollectionSnapshot before = state.snapshot();
        assertSame(before, state.snapshot());
        state.apply(update("a", null, md("k", 2), null, null));
        state.apply(add("b", vec(1), null, null, null));
        assertEquals(List.of("a"), TestData.ids(before.records()));
        assertEquals(md("k", 1), before.get("a").metadata());
        assertEquals(md("k", 2), state.snapshot().get("a").metadata());
        assertEquals(2, state.snapshot().size());
        state.apply(add("b", vec(9), null, null, null)); // ignored: no change
        state.apply(update("missing", vec(9), null, null, null)); // ignored: no change
        CollectionSnapshot after = state.snapshot();
        assertSame(after, state.snapshot());
    }

    @Test
    void storedMetadataIsACopyAndUnmodifiable() {
        Map<String, MetadataValue> written = md("k", 1);
        state.apply(add("a", vec(1), written, null, null));
        written.put("k", new MetadataValue.Int(99));
        assertEquals(md("k", 1), state.get("a").metadata());
        assertThrows(UnsupportedOperationException.class, () -> state.get("a").metadata().put("x", new MetadataValue.Int(1)));
        assertThrows(UnsupportedOperationException.class, () -> state.snapshot().records().clear());
    }

    @Test
    void startsFromAnExistingSnapshot() {
        state.apply(add("a", vec(1), null, null, null));
        state.apply(add("b", vec(1), null, null, null));
        MutableCollectionState next = new MutableCollectionState(state.snapshot());
        next.apply(LogRecord.delete("a"));
        next.apply(add("c", vec(1), null, null, null));
        assertEquals(List.of("b", "c"), TestData.ids(next.snapshot().records()));
        assertEquals(List.of("a", "b"), order());
    }
}
