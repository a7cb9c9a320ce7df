package io.vermilion.index;

import static io.vermilion.testing.TestData.json;
import static io.vermilion.testing.TestData.md;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vermilion.executor.ExactCollectionReader;
import io.vermilion.filter.Where;
import io.vermilion.filter.WhereDocument;
import io.vermilion.filter.WhereDocumentParser;
import io.vermilion.filter.WhereParser;
import io.vermilion.model.CollectionSnapshot;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.GetRequest;
import io.vermilion.record.Record;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The translation of each operator against the filter ASTs' own semantics, on records built to hit the edges. */
class FilterTranslatorTest {

    private static final String LONG = "long".repeat(200);
    private static final List<Record> RECORDS = new ArrayList<>();
    private static ExactCollectionReader exact;
    private static IndexedCollectionReader indexed;

    @BeforeAll
    static void build() {
        Object[] values = {
            1, 2, 1.5, -0.0, 0, 0.0, Long.MAX_VALUE, Long.MIN_VALUE, 9007199254740992.0, 9007199254740993L,
            "1", true, List.of(1, 2), List.of(1.0, 2.5), List.of("a", "b"), List.of(true), -1, 1e19, -2.5, -1e19,
            List.of(-0.0), LONG, List.of(LONG), "x\uD800", "é",
        };
        String[] documents = {"hello world", "Hello World", "hello", "world", "", null, "olleh", "a\uD800b", "a\uFFFDb",
            "𝄞 clef hello", "h\nllo"};
        for (int i = 0; i < values.length; i++) {
            RECORDS.add(new Record("r" + i, new float[] {i, 1f}, md("n", values[i], "i", i), documents[i % documents.length],
                    i % 4 == 0 ? "u" + (i % 3) : null));
        }
        RECORDS.add(new Record("empty", new float[] {0f, 0f}, md(), "hello world", null));
        RECORDS.add(new Record("none", new float[] {0f, 0f}, null, null, null));
        RECORDS.add(new Record("shadow", new float[] {0f, 0f}, md("chroma:document", "nope", "chroma:uri", "u1"), "hello", null));
        exact = new ExactCollectionReader(CollectionSnapshot.of(RECORDS));
        indexed = IndexTestKit.index(RECORDS, DistanceFunction.L2);
    }

    @AfterAll
    static void close() throws Exception {
        indexed.close();
    }

    private static void agree(Where where, WhereDocument whereDocument, String context) {
        GetRequest request = new GetRequest(null, where, whereDocument, null, 0);
        IndexTestKit.assertSameRecords(exact.get(request), indexed.get(request), context);
    }

    private static void agreeWhere(String where) {
        agree(WhereParser.parse(json(where)), null, where);
    }

    private static void agreeDocument(String whereDocument) {
        agree(null, WhereDocumentParser.parse(json(whereDocument)), whereDocument);
    }

    @Test
    void numbersCompareAcrossIntAndFloatWithChromasTruncation() {
        for (String where : List.of(
                "{'n': 1}", "{'n': 1.0}", "{'n': {'$eq': 1.5}}", "{'n': {'$lt': 2.5}}", "{'n': {'$lte': 2.5}}",
                "{'n': {'$gt': -0.5}}", "{'n': {'$gte': -0.5}}", "{'n': {'$lt': -0.5}}", "{'n': {'$gte': -0.0}}",
                "{'n': {'$gt': 0.0}}", "{'n': {'$lt': 0}}", "{'n': {'$lte': 0}}", "{'n': {'$eq': 0.0}}", "{'n': {'$eq': -0.0}}",
                "{'n': {'$ne': 1}}", "{'n': {'$ne': 0.0}}", "{'n': {'$gt': 1e19}}", "{'n': {'$eq': 1e19}}", "{'n': {'$gte': 1e19}}",
                "{'n': {'$lt': -1e19}}", "{'n': {'$lte': -1e19}}", "{'n': 9007199254740993}", "{'n': 9007199254740992.0}",
                "{'n': {'$gt': 9223372036854775807}}", "{'n': {'$lt': -9223372036854775808}}", "{'n': {'$gte': -2.5}}",
                "{'n': {'$in': [1, 2]}}", "{'n': {'$in': [1.5, 0]}}", "{'n': {'$in': [-0.0]}}", "{'n': {'$nin': [1, 2]}}",
                "{'n': {'$nin': [2.5, 1e19]}}")) {
            agreeWhere(where);
        }
    }

    @Test
    void stringsBoolsAndMissingKeys() {
        for (String where : List.of(
                "{'n': '1'}", "{'n': true}", "{'n': false}", "{'n': {'$ne': '1'}}", "{'n': {'$ne': true}}", "{'n': 'é'}",
                "{'n': {'$in': ['1', 'é', 'zzz']}}", "{'n': {'$nin': ['1']}}", "{'n': {'$nin': [true]}}",
                "{'missing': {'$ne': 1}}", "{'missing': {'$nin': ['a']}}", "{'missing': {'$not_contains': 1}}",
                "{'missing': 1}", "{'n': '" + LONG + "'}", "{'n': {'$ne': '" + LONG + "'}}", "{'n': {'$in': ['" + LONG + "', '1']}}",
                "{'n': '" + LONG.substring(1) + "'}", "{'n': 'x\\ud800'}", "{'n': 'x\\ufffd'}", "{'n': {'$ne': 'x\\ud800'}}",
                "{'chroma:document': 'hello world'}", "{'chroma:document': {'$ne': 'hello'}}", "{'chroma:uri': 'u1'}",
                "{'chroma:uri': {'$in': ['u0', 'u2']}}", "{'$and': []}", "{'$or': []}")) {
            agreeWhere(where);
        }
    }

    @Test
    void arrayContainsNeedsTheExactElementType() {
        for (String where : List.of(
                "{'n': {'$contains': 1}}", "{'n': {'$contains': 1.0}}", "{'n': {'$contains': 2.5}}", "{'n': {'$contains': 'a'}}",
                "{'n': {'$contains': true}}", "{'n': {'$contains': 0.0}}", "{'n': {'$contains': -0.0}}", "{'n': {'$contains': '1'}}",
                "{'n': {'$not_contains': 2}}", "{'n': {'$not_contains': 'b'}}", "{'n': {'$contains': '" + LONG + "'}}",
                "{'n': {'$not_contains': '" + LONG + "'}}")) {
            agreeWhere(where);
        }
    }

    @Test
    void documentOperatorsAreCaseSensitiveSubstringsAndRegexes() {
        for (String clause : List.of(
                "{'$contains': ''}", "{'$contains': 'o'}", "{'$contains': 'lo'}", "{'$contains': 'llo'}", "{'$contains': 'hello w'}",
                "{'$contains': 'Hello'}", "{'$contains': 'o w'}", "{'$contains': '\\n'}", "{'$contains': 'h\\nl'}",
                "{'$contains': '𝄞'}", "{'$contains': '𝄞 c'}", "{'$contains': '\\ud800'}", "{'$contains': 'a\\ud800'}",
                "{'$contains': '\\ufffd'}", "{'$contains': 'a\\ufffdb'}", "{'$not_contains': 'hello'}", "{'$not_contains': ''}",
                "{'$not_contains': '\\ud800'}", "{'$regex': '^h'}", "{'$regex': 'wor'}", "{'$regex': 'o$'}", "{'$regex': 'h.llo'}",
                "{'$regex': '(?i)hello'}", "{'$regex': 'l+o'}", "{'$regex': 'hel|wor'}", "{'$not_regex': 'o$'}",
                "{'$not_regex': 'h.llo'}", "{'$not_regex': 'hello'}", "{'$and': [{'$contains': 'hel'}, {'$not_contains': 'world'}]}",
                "{'$or': [{'$regex': 'W'}, {'$contains': 'olle'}]}")) {
            agreeDocument(clause);
        }
        agreeWhere("{'$or': [{'n': 1}, {'#document': {'$regex': 'h.llo'}}]}");
        agreeWhere("{'$and': [{'n': {'$ne': 1}}, {'#document': {'$not_regex': 'l+o'}}]}");
        agreeWhere("{'#document': {'$not_contains': 'wor'}}");
    }

    @Test
    void idKeyInWhereClausesTestsTheRecordId() {
        for (String where : List.of("{'#id': 'r1'}", "{'#id': {'$ne': 'r1'}}", "{'#id': {'$in': ['r1', 'r3', 'nope']}}",
                "{'#id': {'$nin': ['r1', 'none']}}", "{'$or': [{'#id': 'empty'}, {'i': 2}]}", "{'#id': 1}")) {
            agreeWhere(where);
        }
        GetRequest request = new GetRequest(null, WhereParser.parse(json("{'$or': [{'#id': {'$in': ['r3', 'none']}}, "
                + "{'i': 2}]}")), null, null, 0);
        assertEquals(List.of("r2", "r3", "none"), indexed.get(request).stream().map(Record::id).toList());
    }

    @Test
    void idsFilterIncludingHashedIds() {
        for (List<String> ids : List.of(List.of("r1", "r3", "nope"), List.<String>of(), List.of("r2", "r2"), List.of(LONG, "x\uD800"))) {
            GetRequest request = new GetRequest(ids, WhereParser.parse(json("{'i': {'$gte': 2}}")), null, null, 0);
            IndexTestKit.assertSameRecords(exact.get(request), indexed.get(request), ids.toString());
        }
    }

    @Test
    void limitAndOffsetPageInInsertionOrder() {
        Where where = WhereParser.parse(json("{'i': {'$gte': 3}}"));
        for (Integer limit : new Integer[] {null, 0, 1, 5, 100}) {
            for (int offset : new int[] {0, 1, 7, 30}) {
                GetRequest request = new GetRequest(null, where, null, limit, offset);
                IndexTestKit.assertSameRecords(exact.get(request), indexed.get(request), "limit=" + limit + " offset=" + offset);
            }
        }
    }

    @Test
    void filtersTooLargeForOneLuceneQueryAreVerifiedRecordByRecord() {
        ObjectNode or = JsonNodeFactory.instance.objectNode();
        ArrayNode children = or.putArray("$or");
        for (int i = 0; i < 1_500; i++) {
            children.addObject().put("i", i % 7 == 0 ? i : -i - 1);
        }
        agree(WhereParser.parse(or), null, "1500-way $or");
        ObjectNode nested = JsonNodeFactory.instance.objectNode();
        ArrayNode ors = nested.putArray("$or");
        for (int i = 0; i < 40; i++) {
            ArrayNode ands = ors.addObject().putArray("$and");
            for (int j = 0; j < 40; j++) {
                ands.addObject().putObject("i").put("$ne", i * 40 + j);
            }
        }
        agree(WhereParser.parse(nested), null, "40 x 40 nested");
    }

    @Test
    void exactnessFollowsTheOperator() {
        assertTrue(translate("{'n': 1}", null).exact());
        assertTrue(translate("{'n': {'$nin': ['a', 'b']}}", null).exact());
        assertTrue(translate("{'n': {'$not_contains': 1.5}}", null).exact());
        assertFalse(translate("{'n': '" + LONG + "'}", null).exact());
        assertTrue(translate(null, "{'$contains': 'abcdefg'}").exact());
        assertTrue(translate(null, "{'$contains': 'ab'}").exact());
        assertTrue(translate(null, "{'$not_contains': 'abcd'}").exact());
        assertFalse(translate(null, "{'$contains': 'a\\ud800'}").exact());
        assertTrue(translate(null, "{'$regex': 'a\\\\.bc'}").exact());
        FilterTranslator.Translation regex = translate(null, "{'$regex': 'ab.c'}");
        assertFalse(regex.exact());
        assertTrue(regex.certain() instanceof MatchNoDocsQuery);
        FilterTranslator.Translation notRegex = translate(null, "{'$not_regex': 'ab.c'}");
        assertFalse(notRegex.exact());
        assertFalse(notRegex.certain() instanceof MatchNoDocsQuery, "documents lacking a literal match $not_regex unread");
        assertEquals("_grams3:\"abc bcd\"~0".replace("~0", ""), translate(null, "{'$contains': 'abcd'}").candidates().toString().replace("~0", ""));
    }

    private static FilterTranslator.Translation translate(String where, String whereDocument) {
        JsonNode w = where == null ? null : json(where);
        JsonNode d = whereDocument == null ? null : json(whereDocument);
        return FilterTranslator.translate(null, w == null ? null : WhereParser.parse(w), d == null ? null : WhereDocumentParser.parse(d));
    }
}
