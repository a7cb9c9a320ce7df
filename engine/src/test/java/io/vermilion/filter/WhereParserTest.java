package io.vermilion.filter;

import static io.vermilion.testing.TestData.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vermilion.record.MetadataValue;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WhereParserTest {

    private static final String INDEXING_DISABLED =
            "Cannot filter using metadata key '#document' with type 'Str' because indexing is disabled";

    private static Where parse(String singleQuoted) {
        return WhereParser.parse(json(singleQuoted));
    }

    private static String errorOf(String singleQuoted) {
        return assertThrows(InvalidFilterException.class, () -> parse(singleQuoted)).getMessage();
    }

    @Test
    void implicitEqualityTakesEachScalarType() {
        assertEquals(new Where.Compare("s", CompareOp.EQ, new MetadataValue.Str("x")), parse("{'s': 'x'}"));
        assertEquals(new Where.Compare("b", CompareOp.EQ, new MetadataValue.Bool(true)), parse("{'b': true}"));
        assertEquals(new Where.Compare("i", CompareOp.EQ, new MetadataValue.Int(7)), parse("{'i': 7}"));
        assertEquals(new Where.Compare("f", CompareOp.EQ, new MetadataValue.Flt(1.5)), parse("{'f': 1.5}"));
        assertEquals(new Where.Compare("f", CompareOp.EQ, new MetadataValue.Flt(1.0)), parse("{'f': 1.0}"));
        assertEquals(new Where.Compare("f", CompareOp.EQ, new MetadataValue.Flt(100.0)), parse("{'f': 1e2}"));
    }

    @Test
    void everyComparisonOperatorParses() {
        for (CompareOp op : CompareOp.values()) {
            assertEquals(new Where.Compare("k", op, new MetadataValue.Int(3)), parse("{'k': {'" + op.operator() + "': 3}}"));
            assertEquals(new Where.Compare("k", op, new MetadataValue.Flt(2.5)), parse("{'k': {'" + op.operator() + "': 2.5}}"));
        }
        assertEquals(new Where.Compare("k", CompareOp.NE, new MetadataValue.Str("x")), parse("{'k': {'$ne': 'x'}}"));
        assertEquals(new Where.Compare("k", CompareOp.EQ, new MetadataValue.Bool(false)), parse("{'k': {'$eq': false}}"));
    }

    @Test
    void andOrTakeAnyNumberOfChildren() {
        assertEquals(new Where.And(List.of()), parse("{'$and': []}"));
        assertEquals(new Where.Or(List.of()), parse("{'$or': []}"));
        Where one = new Where.Compare("a", CompareOp.EQ, new MetadataValue.Int(1));
        assertEquals(new Where.And(List.of(one)), parse("{'$and': [{'a': 1}]}"));
        assertEquals(new Where.Or(List.of(one, new Where.And(List.of(one, one, one)))),
                parse("{'$or': [{'a': 1}, {'$and': [{'a': 1}, {'a': 1}, {'a': 1}]}]}"));
    }

    @Test
    void setTypeIsFixedByFirstElementAndFloatListTakesInts() {
        assertEquals(new Where.In("k", List.of(new MetadataValue.Flt(1.5), new MetadataValue.Flt(3.0))), parse("{'k': {'$in': [1.5, 3]}}"));
        assertEquals(new Where.NotIn("k", List.of(new MetadataValue.Int(1), new MetadataValue.Int(2))), parse("{'k': {'$nin': [1, 2]}}"));
        assertEquals(new Where.In("k", List.of(new MetadataValue.Str("a"), new MetadataValue.Str("b"))), parse("{'k': {'$in': ['a', 'b']}}"));
        assertEquals(new Where.In("k", List.of(new MetadataValue.Bool(true))), parse("{'k': {'$in': [true]}}"));
    }

    @Test
    void containsOnAMetadataKeyIsArrayMembershipForEveryScalarType() {
        assertEquals(new Where.ArrayContains("t", new MetadataValue.Str("a")), parse("{'t': {'$contains': 'a'}}"));
        assertEquals(new Where.ArrayContains("t", new MetadataValue.Int(2)), parse("{'t': {'$contains': 2}}"));
        assertEquals(new Where.ArrayContains("t", new MetadataValue.Flt(2.0)), parse("{'t': {'$contains': 2.0}}"));
        assertEquals(new Where.ArrayNotContains("t", new MetadataValue.Bool(true)), parse("{'t': {'$not_contains': true}}"));
    }

    @Test
    void documentKeyTextOperatorsBecomeDocumentFilters() {
        assertEquals(new Where.Document(new WhereDocument.Contains("x")), parse("{'#document': {'$contains': 'x'}}"));
        assertEquals(new Where.Document(new WhereDocument.NotContains("x")), parse("{'#document': {'$not_contains': 'x'}}"));
        assertEquals(new Where.Document(new WhereDocument.Regex(DocumentPattern.compile("a.c"))), parse("{'#document': {'$regex': 'a.c'}}"));
        assertEquals(new Where.Document(new WhereDocument.NotRegex(DocumentPattern.compile("a"))), parse("{'#document': {'$not_regex': 'a'}}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "null", "[]", "'x'", "1", "true", "{}",
        "{'a': 1, 'b': 2}",
        "{'$not': {'a': 1}}", "{'$contains': 'x'}", "{'$eq': 1}", "{'$in': [1]}",
        "{'$and': {'a': 1}}", "{'$or': 'x'}", "{'$and': null}", "{'$and': [1]}", "{'$and': [{}]}", "{'$or': [{'a': 1}, null]}",
        "{'a': null}", "{'a': [1]}", "{'a': []}", "{'a': {}}", "{'a': {'$eq': 1, '$ne': 2}}",
        "{'a': {'$gt': 'x'}}", "{'a': {'$gte': true}}", "{'a': {'$lt': 'x'}}", "{'a': {'$lte': false}}",
        "{'a': {'$in': []}}", "{'a': {'$nin': []}}", "{'a': {'$in': [1, 2.5]}}", "{'a': {'$in': ['a', 1]}}",
        "{'a': {'$in': [true, 1]}}", "{'a': {'$in': [1.5, 'x']}}", "{'a': {'$in': [null]}}", "{'a': {'$in': [[1]]}}",
        "{'a': {'$in': [{'b': 1}]}}", "{'a': {'$in': 1}}", "{'a': {'$eq': [1]}}", "{'a': {'$contains': [1]}}",
        "{'a': {'$regex': 'x'}}", "{'a': {'$not_regex': 'x'}}", "{'a': {'$regex': '['}}", "{'a': {'$like': 'x'}}",
        "{'a': {'$not': 1}}", "{'a': {'$eq': null}}", "{'a': {'$eq': {'b': 1}}}", "{'a': {'$contains': null}}",
        "{'a': {'eq': 1}}", "{'a': {'$in': [1], '$nin': [2]}}",
        "{'#document': {'$contains': 1}}", "{'#document': {'$not_contains': true}}", "{'#document': {'$contains': 1.5}}",
        "{'#document': {'$regex': 1}}", "{'#document': {'$not_regex': null}}",
        "{'a': 9223372036854775808}", "{'a': {'$eq': 18446744073709551615}}", "{'a': {'$in': [9223372036854775808]}}",
        "{'a': {'$in': [1, 9223372036854775808]}}",
    })
    void malformedClausesAreInvalidWhereClause(String clause) {
        assertEquals("Invalid where clause", errorOf(clause));
    }

    @Test
    void nullNodeIsInvalidWhereClause() {
        assertEquals("Invalid where clause", assertThrows(InvalidFilterException.class, () -> WhereParser.parse(null)).getMessage());
    }

    @Test
    void integersOutsideU64AndI64BecomeFloatsLikeSerdeJson() {
        assertEquals(new Where.Compare("a", CompareOp.EQ, new MetadataValue.Flt(1.8446744073709552E19)), parse("{'a': 18446744073709551616}"));
        assertEquals(new Where.Compare("a", CompareOp.EQ, new MetadataValue.Flt(-9.223372036854775809E18)), parse("{'a': -9223372036854775809}"));
        assertEquals(new Where.In("a", List.of(new MetadataValue.Flt(1.5), new MetadataValue.Flt(9.223372036854775808E18))),
                parse("{'a': {'$in': [1.5, 9223372036854775808]}}"));
    }

    @Test
    void documentKeyWithStringEqualityIsRefusedBecauseIndexingIsDisabled() {
        assertEquals(INDEXING_DISABLED, errorOf("{'#document': {'$eq': 'x'}}"));
        assertEquals(INDEXING_DISABLED, errorOf("{'#document': {'$ne': 'x'}}"));
        assertEquals(INDEXING_DISABLED, errorOf("{'#document': 'x'}"));
        assertEquals(INDEXING_DISABLED, errorOf("{'#document': {'$in': ['x']}}"));
        assertEquals(INDEXING_DISABLED, errorOf("{'$or': [{'a': 1}, {'#document': {'$nin': ['x']}}]}"));
    }

    @Test
    void documentKeyWithNonStringComparisonParsesAsAnOrdinaryAbsentKey() {
        assertEquals(new Where.Compare("#document", CompareOp.EQ, new MetadataValue.Int(1)), parse("{'#document': {'$eq': 1}}"));
        assertEquals(new Where.Compare("#document", CompareOp.GT, new MetadataValue.Int(1)), parse("{'#document': {'$gt': 1}}"));
    }

    @Test
    void syntaxParseLeavesTheIndexingCheckToTheCaller() {
        Where where = WhereParser.parseSyntax(json("{'#document': {'$eq': 'x'}}"));
        assertEquals(new Where.Compare("#document", CompareOp.EQ, new MetadataValue.Str("x")), where);
        assertEquals(INDEXING_DISABLED, assertThrows(InvalidFilterException.class, () -> WhereParser.requireIndexed(where)).getMessage());
    }

    @Test
    void syntaxErrorsAnywhereComeBeforeTheIndexingCheck() {
        assertEquals("Invalid where clause", errorOf("{'$and': [{'#document': {'$eq': 'x'}}, {'a': {'$bad': 1}}]}"));
    }

    @Test
    void badRegexOnDocumentKeyGivesChromasRegexMessage() {
        assertEquals("Regex syntax errror: regex parse error:\n    [\n    ^\nerror: unclosed character class",
                errorOf("{'#document': {'$regex': '['}}"));
        assertEquals("Regex syntax errror: regex parse error:\n    (?=x)\n    ^^^\n"
                        + "error: look-around, including look-ahead and look-behind, is not supported",
                errorOf("{'#document': {'$not_regex': '(?=x)'}}"));
    }

    @Test
    void firstErrorInDocumentOrderWins() {
        assertEquals("Regex syntax errror: regex parse error:\n    [\n    ^\nerror: unclosed character class",
                errorOf("{'$and': [{'#document': {'$regex': '['}}, {'a': {'$bad': 1}}]}"));
        assertEquals("Invalid where clause", errorOf("{'$and': [{'a': {'$bad': 1}}, {'#document': {'$regex': '['}}]}"));
    }
}
