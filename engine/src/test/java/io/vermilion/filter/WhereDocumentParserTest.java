package io.vermilion.filter;

import static io.vermilion.testing.TestData.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WhereDocumentParserTest {

    private static WhereDocument parse(String singleQuoted) {
        return WhereDocumentParser.parse(json(singleQuoted));
    }

    private static String regexError(String pattern) {
        return assertThrows(InvalidFilterException.class, () -> DocumentPattern.compile(pattern)).getMessage();
    }

    @Test
    void eachOperatorParses() {
        assertEquals(new WhereDocument.Contains("x"), parse("{'$contains': 'x'}"));
        assertEquals(new WhereDocument.NotContains(""), parse("{'$not_contains': ''}"));
        assertEquals(new WhereDocument.Regex(DocumentPattern.compile("^a")), parse("{'$regex': '^a'}"));
        assertEquals(new WhereDocument.NotRegex(DocumentPattern.compile("b+")), parse("{'$not_regex': 'b+'}"));
    }

    @Test
    void andOrTakeAnyNumberOfChildren() {
        assertEquals(new WhereDocument.And(List.of()), parse("{'$and': []}"));
        assertEquals(new WhereDocument.Or(List.of(new WhereDocument.Contains("a"), new WhereDocument.And(List.of(new WhereDocument.Contains("b"))))),
                parse("{'$or': [{'$contains': 'a'}, {'$and': [{'$contains': 'b'}]}]}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "null", "'x'", "[]", "1", "{}",
        "{'$contains': 1}", "{'$contains': null}", "{'$contains': ['a']}", "{'$regex': true}", "{'$not_contains': {}}",
        "{'$contains': 'a', '$regex': 'b'}", "{'$eq': 'x'}", "{'$not': 'x'}", "{'#document': 'x'}", "{'contains': 'x'}",
        "{'$and': {}}", "{'$and': 'x'}", "{'$or': null}", "{'$and': [1]}", "{'$and': [{}]}", "{'$or': [{'$contains': 'a'}, {'$in': ['b']}]}",
    })
    void malformedClausesAreInvalidWhereDocumentClause(String clause) {
        assertEquals("Invalid where document clause", assertThrows(InvalidFilterException.class, () -> parse(clause)).getMessage());
    }

    @Test
    void badRegexGivesChromasMessageWithTripleR() {
        assertEquals("Regex syntax errror: regex parse error:\n    [\n    ^\nerror: unclosed character class",
                assertThrows(InvalidFilterException.class, () -> parse("{'$regex': '['}")).getMessage());
        assertEquals("Regex syntax errror: regex parse error:\n    (\n    ^\nerror: unclosed group",
                assertThrows(InvalidFilterException.class, () -> parse("{'$and': [{'$not_regex': '('}]}")).getMessage());
    }

    @Test
    void rustRegexRefusalsAreReported() {
        assertEquals("Regex syntax errror: regex parse error:\n    a(?<!b)\n     ^^^^\n"
                + "error: look-around, including look-ahead and look-behind, is not supported", regexError("a(?<!b)"));
        assertEquals("Regex syntax errror: regex parse error:\n    (a)\\1\n       ^^\nerror: backreferences are not supported", regexError("(a)\\1"));
        assertEquals("Regex syntax errror: regex parse error:\n    a)\n     ^\nerror: unopened group", regexError("a)"));
        assertEquals("Regex syntax errror: regex parse error:\n    x[ab\n     ^\nerror: unclosed character class", regexError("x[ab"));
        assertEquals("Regex syntax errror: regex parse error:\n    *a\n    ^\nerror: repetition operator missing expression", regexError("*a"));
        assertEquals("Regex syntax errror: regex parse error:\n    \\q\n    ^^\nerror: unrecognized escape sequence", regexError("\\q"));
    }

    @Test
    void rustRegexSyntaxIsUnderstood() {
        assertTrue(DocumentPattern.compile("(?P<w>qu)ick").find("The quick fox"));
        assertTrue(DocumentPattern.compile("[[:digit:]]+").find("abc123"));
        assertFalse(DocumentPattern.compile("[[:digit:]]").find("abc٣")); // POSIX classes are ASCII in Rust
        assertTrue(DocumentPattern.compile("\\d").find("abc٣")); // \d is Unicode in Rust
        assertTrue(DocumentPattern.compile("[[:^alpha:]]").find("ab1"));
        assertTrue(DocumentPattern.compile("(?i)QUICK").find("the quick"));
        assertTrue(DocumentPattern.compile("[]a]").find("]"));
    }

    @Test
    void regexIsUnanchoredAndDollarMeansEndOfText() {
        assertTrue(DocumentPattern.compile("uic").find("quick"));
        assertTrue(DocumentPattern.compile("").find(""));
        assertTrue(DocumentPattern.compile("k$").find("quick"));
        assertFalse(DocumentPattern.compile("k$").find("quick\n"));
        assertTrue(DocumentPattern.compile("(?m)k$").find("quick\nfox"));
        assertTrue(DocumentPattern.compile("a.b").find("a\rb"));
        assertFalse(DocumentPattern.compile("a.b").find("a\nb"));
    }
}
