package io.vermilion.filter;

import static io.vermilion.testing.TestData.json;
import static io.vermilion.testing.TestData.md;
import static io.vermilion.testing.TestData.rec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vermilion.record.Record;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class WhereMatchTest {

    private static final Record FULL = rec("full", md(
            "s", "apple", "i", 2, "f", 3.0, "b", true,
            "tags", List.of("a", "b"), "nums", List.of(1, 2), "floats", List.of(1.5, 2.0), "flags", List.of(true)), "The quick fox");
    private static final Record EMPTY_METADATA = rec("empty", Map.of(), "Quickly");
    private static final Record NO_METADATA = rec("none", null, null);

    private static boolean matches(String where, Record record) {
        return WhereParser.parse(json(where)).matches(record);
    }

    private static boolean matchesDocument(String whereDocument, Record record) {
        return WhereDocumentParser.parse(json(whereDocument)).matches(record);
    }

    @Test
    void idKeyTestsTheRecordId() {
        assertTrue(matches("{'#id': 'full'}", FULL));
        assertFalse(matches("{'#id': 'full'}", EMPTY_METADATA));
        assertTrue(matches("{'#id': {'$in': ['none', 'x']}}", NO_METADATA));
        assertFalse(matches("{'#id': {'$nin': ['none']}}", NO_METADATA));
        assertTrue(matches("{'#id': {'$ne': 'full'}}", NO_METADATA));
        assertFalse(matches("{'#id': 1}", FULL));
    }

    @Test
    void stringEqualityIsExactAndCaseSensitive() {
        assertTrue(matches("{'s': 'apple'}", FULL));
        assertFalse(matches("{'s': 'Apple'}", FULL));
        assertFalse(matches("{'s': 'appl'}", FULL));
        assertTrue(matches("{'s': {'$ne': 'Apple'}}", FULL));
        assertFalse(matches("{'s': {'$ne': 'apple'}}", FULL));
    }

    @Test
    void intAndFloatCompareWithEachOther() {
        assertTrue(matches("{'i': 2.0}", FULL));
        assertTrue(matches("{'f': 3}", FULL));
        assertTrue(matches("{'f': {'$gt': 2}}", FULL));
        assertTrue(matches("{'f': {'$lte': 3}}", FULL));
        assertFalse(matches("{'f': {'$lt': 3}}", FULL));
        assertTrue(matches("{'i': {'$gt': 1.5}}", FULL));
        assertTrue(matches("{'i': {'$lt': 3.5}}", FULL));
        assertFalse(matches("{'i': {'$ne': 2.0}}", FULL));
        assertFalse(matches("{'f': {'$ne': 3}}", FULL));
    }

    @Test
    void floatOperandIsTruncatedAgainstAnIntLikeChroma() {
        // Chroma binds (long) f against its integer column: 2.5 becomes 2.
        assertTrue(matches("{'i': 2.5}", FULL));
        assertFalse(matches("{'i': {'$ne': 2.9}}", FULL));
        assertFalse(matches("{'i': {'$lt': 2.5}}", FULL));
        assertTrue(matches("{'i': {'$gte': 2.5}}", FULL));
        assertTrue(matches("{'i': {'$gt': 1.9}}", FULL));
        assertFalse(matches("{'i': {'$gt': 2.9}}", FULL));
        assertTrue(matches("{'i': {'$in': [2.7]}}", FULL));
    }

    @Test
    void rangeOperatorsOnNumbers() {
        assertTrue(matches("{'i': {'$gt': 1}}", FULL));
        assertFalse(matches("{'i': {'$gt': 2}}", FULL));
        assertTrue(matches("{'i': {'$gte': 2}}", FULL));
        assertTrue(matches("{'i': {'$lt': 3}}", FULL));
        assertFalse(matches("{'i': {'$lt': 2}}", FULL));
        assertTrue(matches("{'i': {'$lte': 2}}", FULL));
        assertTrue(matches("{'f': {'$gte': 2.99}}", FULL));
        assertFalse(matches("{'f': {'$gt': 3.0}}", FULL));
    }

    @Test
    void otherTypeMismatchesSimplyDoNotMatch() {
        assertFalse(matches("{'i': '2'}", FULL));
        assertFalse(matches("{'s': 1}", FULL));
        assertFalse(matches("{'b': 1}", FULL));
        assertFalse(matches("{'i': true}", FULL));
        assertFalse(matches("{'s': {'$gt': 0}}", FULL));
        assertFalse(matches("{'b': {'$gte': 0}}", FULL));
        assertTrue(matches("{'b': {'$ne': 1}}", FULL));
        assertTrue(matches("{'i': {'$ne': '2'}}", FULL));
    }

    @Test
    void booleanEquality() {
        assertTrue(matches("{'b': true}", FULL));
        assertFalse(matches("{'b': false}", FULL));
        assertTrue(matches("{'b': {'$ne': false}}", FULL));
        assertTrue(matches("{'b': {'$in': [false, true]}}", FULL));
    }

    @Test
    void positiveOperatorsNeverMatchAMissingKey() {
        for (Record record : List.of(FULL, EMPTY_METADATA, NO_METADATA)) {
            assertFalse(matches("{'missing': 'x'}", record));
            assertFalse(matches("{'missing': {'$eq': 1}}", record));
            assertFalse(matches("{'missing': {'$gt': 1}}", record));
            assertFalse(matches("{'missing': {'$lte': 1.5}}", record));
            assertFalse(matches("{'missing': {'$in': ['x']}}", record));
            assertFalse(matches("{'missing': {'$contains': 'x'}}", record));
        }
    }

    @Test
    void negativeOperatorsMatchAMissingKeyOrNoMetadata() {
        for (Record record : List.of(FULL, EMPTY_METADATA, NO_METADATA)) {
            assertTrue(matches("{'missing': {'$ne': 'x'}}", record));
            assertTrue(matches("{'missing': {'$nin': [1, 2]}}", record));
            assertTrue(matches("{'missing': {'$not_contains': 'x'}}", record));
        }
    }

    @Test
    void inAndNotInAreMembershipWithCrossNumericTypes() {
        assertTrue(matches("{'s': {'$in': ['pear', 'apple']}}", FULL));
        assertFalse(matches("{'s': {'$in': ['pear']}}", FULL));
        assertTrue(matches("{'s': {'$nin': ['pear']}}", FULL));
        assertFalse(matches("{'s': {'$nin': ['apple']}}", FULL));
        assertTrue(matches("{'i': {'$in': [1, 2]}}", FULL));
        assertTrue(matches("{'i': {'$in': [1.5, 2]}}", FULL));
        assertTrue(matches("{'f': {'$in': [3]}}", FULL));
        assertFalse(matches("{'f': {'$nin': [3]}}", FULL));
        assertFalse(matches("{'s': {'$in': [true]}}", FULL));
    }

    @Test
    void scalarOperatorsDoNotSeeArrayValues() {
        assertFalse(matches("{'tags': 'a'}", FULL));
        assertFalse(matches("{'nums': {'$in': [1, 2]}}", FULL));
        assertFalse(matches("{'nums': {'$gte': 0}}", FULL));
        assertTrue(matches("{'tags': {'$ne': 'a'}}", FULL));
        assertTrue(matches("{'nums': {'$nin': [1]}}", FULL));
    }

    @Test
    void arrayContainsNeedsTheExactElementType() {
        assertTrue(matches("{'tags': {'$contains': 'a'}}", FULL));
        assertFalse(matches("{'tags': {'$contains': 'A'}}", FULL));
        assertTrue(matches("{'nums': {'$contains': 2}}", FULL));
        assertFalse(matches("{'nums': {'$contains': 2.0}}", FULL));
        assertTrue(matches("{'floats': {'$contains': 2.0}}", FULL));
        assertFalse(matches("{'floats': {'$contains': 2}}", FULL));
        assertTrue(matches("{'flags': {'$contains': true}}", FULL));
        assertFalse(matches("{'flags': {'$contains': false}}", FULL));
        assertFalse(matches("{'tags': {'$not_contains': 'b'}}", FULL));
        assertTrue(matches("{'nums': {'$not_contains': 2.0}}", FULL));
    }

    @Test
    void containsOnAScalarFieldMatchesNothingAndNotContainsMatches() {
        assertFalse(matches("{'s': {'$contains': 'apple'}}", FULL));
        assertFalse(matches("{'i': {'$contains': 2}}", FULL));
        assertTrue(matches("{'s': {'$not_contains': 'apple'}}", FULL));
        assertTrue(matches("{'i': {'$not_contains': 2}}", FULL));
    }

    @Test
    void emptyAndMatchesEverythingAndEmptyOrMatchesNothing() {
        for (Record record : List.of(FULL, EMPTY_METADATA, NO_METADATA)) {
            assertTrue(matches("{'$and': []}", record));
            assertFalse(matches("{'$or': []}", record));
            assertTrue(matchesDocument("{'$and': []}", record));
            assertFalse(matchesDocument("{'$or': []}", record));
        }
    }

    @Test
    void andOrCombine() {
        assertTrue(matches("{'$and': [{'s': 'apple'}, {'i': {'$gt': 1}}]}", FULL));
        assertFalse(matches("{'$and': [{'s': 'apple'}, {'i': {'$gt': 2}}]}", FULL));
        assertTrue(matches("{'$or': [{'s': 'pear'}, {'i': {'$gt': 1}}]}", FULL));
        assertFalse(matches("{'$or': [{'s': 'pear'}, {'i': {'$gt': 2}}]}", FULL));
    }

    @Test
    void documentContainsIsACaseSensitiveSubstringTest() {
        assertTrue(matchesDocument("{'$contains': 'uick'}", FULL));
        assertTrue(matchesDocument("{'$contains': 'uick'}", EMPTY_METADATA));
        assertFalse(matchesDocument("{'$contains': 'quick'}", EMPTY_METADATA));
        assertTrue(matchesDocument("{'$contains': 'k f'}", FULL));
        assertTrue(matches("{'#document': {'$contains': 'quick'}}", FULL));
        assertFalse(matches("{'#document': {'$contains': 'Quick'}}", FULL));
    }

    @Test
    void emptyContainsMatchesEveryNonNullDocument() {
        assertTrue(matchesDocument("{'$contains': ''}", FULL));
        assertTrue(matchesDocument("{'$contains': ''}", rec("blank", null, "")));
        assertFalse(matchesDocument("{'$contains': ''}", NO_METADATA));
        assertTrue(matchesDocument("{'$not_contains': ''}", NO_METADATA));
    }

    @Test
    void negativeDocumentFormsMatchNullDocumentsAndPositiveFormsDoNot() {
        assertTrue(matchesDocument("{'$not_contains': 'x'}", NO_METADATA));
        assertTrue(matchesDocument("{'$not_regex': 'x'}", NO_METADATA));
        assertFalse(matchesDocument("{'$contains': 'x'}", NO_METADATA));
        assertFalse(matchesDocument("{'$regex': '.*'}", NO_METADATA));
        assertTrue(matches("{'#document': {'$not_regex': 'x'}}", NO_METADATA));
        assertTrue(matches("{'#document': {'$not_contains': 'x'}}", NO_METADATA));
        assertFalse(matchesDocument("{'$not_contains': 'quick'}", FULL));
    }

    @Test
    void documentRegexIsUnanchored() {
        assertTrue(matchesDocument("{'$regex': 'q.i'}", FULL));
        assertTrue(matchesDocument("{'$regex': '(?i)QUICK'}", FULL));
        assertFalse(matchesDocument("{'$regex': '^quick'}", FULL));
        assertTrue(matchesDocument("{'$not_regex': '^quick'}", FULL));
        assertTrue(matches("{'#document': {'$regex': 'fox$'}}", FULL));
    }

    @Test
    void chromaDocumentAndUriKeysSeeTheDocumentAndUri() {
        Record record = new Record("u", new float[] {0f}, null, "hello", "s3://x");
        assertTrue(matches("{'chroma:document': 'hello'}", record));
        assertTrue(matches("{'chroma:uri': {'$in': ['s3://x']}}", record));
        assertTrue(matches("{'chroma:document': {'$ne': 'x'}}", NO_METADATA));
        assertFalse(matches("{'chroma:document': 'hello'}", NO_METADATA));
    }

    @Test
    void documentKeyComparedToANumberMatchesNothing() {
        assertFalse(matches("{'#document': {'$eq': 1}}", FULL));
        assertTrue(matches("{'#document': {'$ne': 1}}", FULL));
    }

    @Test
    void filterTreesAreValueObjects() {
        assertEquals(WhereParser.parse(json("{'a': {'$in': [1, 2]}}")), WhereParser.parse(json("{'a': {'$in': [1, 2]}}")));
        assertEquals(WhereDocumentParser.parse(json("{'$regex': 'a+'}")), WhereDocumentParser.parse(json("{'$regex': 'a+'}")));
        assertEquals(1, Stream.of(WhereParser.parse(json("{'a': 1}")), WhereParser.parse(json("{'a': 1}"))).distinct().count());
    }
}
