package io.vermilion.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link DocumentPattern} matches in linear time (no backtracking blow-up, no stack overflow), refuses what it cannot
 * serve with Chroma's regex error, and keeps the Rust-regex results of ordinary patterns.
 */
class DocumentPatternTest {

    /** Ids whose document the pattern finds, in insertion order. */
    private static List<String> matching(String pattern, Map<String, String> documents) {
        DocumentPattern compiled = DocumentPattern.compile(pattern);
        List<String> ids = new ArrayList<>();
        documents.forEach((id, document) -> {
            if (compiled.find(document)) {
                ids.add(id);
            }
        });
        return ids;
    }

    private static String regexError(String pattern) {
        return assertThrows(InvalidFilterException.class, () -> DocumentPattern.compile(pattern)).getMessage();
    }

    @Test
    void catastrophicBacktrackingPatternsFinishOnLongDocuments() {
        Map<String, String> documents = new LinkedHashMap<>();
        documents.put("a16k", "a".repeat(16_000));
        documents.put("a16k-bang", "a".repeat(16_000) + "!");
        documents.put("a4k", "a".repeat(4_000));
        documents.put("a4k-b", "a".repeat(4_000) + "b");
        documents.put("b", "b");
        assertEquals(List.of("a16k", "a4k"), matching("(a+)+$", documents));
        assertEquals(List.of("a16k", "a4k"), matching("(a|aa)+$", documents));
        assertEquals(List.of("a16k", "a16k-bang", "a4k", "a4k-b"), matching("(a|aa)+", documents));
        assertEquals(List.of("a16k-bang", "a4k-b", "b"), matching("(a*)*[b!]", documents));
    }

    @Test
    void deeplyNestedGroupsAreRefusedNotOverflowed() {
        String deep = "(".repeat(300) + "a" + ")".repeat(300);
        assertEquals("Regex syntax errror: regex parse error:\n    " + deep + "\n    " + " ".repeat(250) + "^\n"
                + "error: exceed the maximum number of nested parentheses/brackets (250)", regexError(deep));
        String allowed = "(".repeat(200) + "a" + ")".repeat(200);
        assertEquals(List.of("x"), matching(allowed, Map.of("x", "cat")));
    }

    @Test
    void patternsTooLargeToCompileAreRefused() {
        assertEquals("Regex syntax errror: Compiled regex exceeds size limit of 5000 instructions.",
                regexError("((a{1000}){1000}){1000}"));
        assertEquals("Regex syntax errror: Compiled regex exceeds size limit of 5000 instructions.",
                regexError("(.{0,1000}){10}"));
        assertEquals(List.of("x"), matching("a{1000}", Map.of("x", "a".repeat(1000), "y", "a".repeat(999))));
    }

    @Test
    void syntaxRustRefusesIsRefused() {
        assertEquals("Regex syntax errror: regex parse error:\n    a(?=b)\n     ^^^\n"
                + "error: look-around, including look-ahead and look-behind, is not supported", regexError("a(?=b)"));
        assertEquals("Regex syntax errror: regex parse error:\n    [\\1]\n     ^^\n"
                + "error: backreferences are not supported", regexError("[\\1]"));
        assertEquals("Regex syntax errror: regex parse error:\n    a{2,1}\n     ^^^^^\n"
                + "error: invalid repetition count range, the start must be <= the end", regexError("a{2,1}"));
        assertEquals("Regex syntax errror: regex parse error:\n    a{x}\n      ^\n"
                + "error: repetition quantifier expects a valid decimal", regexError("a{x}"));
        assertEquals("Regex syntax errror: regex parse error:\n    a{2\n     ^\n"
                + "error: unclosed counted repetition", regexError("a{2"));
        assertEquals("Regex syntax errror: regex parse error:\n    a\\\n     ^\n"
                + "error: incomplete escape sequence, reached end of pattern prematurely", regexError("a\\"));
        assertEquals("Regex syntax errror: regex parse error:\n    \\p{Nope}\n    ^^^^^^^^\n"
                + "error: Unicode property not found", regexError("\\p{Nope}"));
        assertEquals("Regex syntax errror: regex parse error:\n    (?z)a\n      ^\n"
                + "error: unrecognized flag", regexError("(?z)a"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\<word", "\\b{start}x", "[a&&b]", "[a--b]", "[a~~b]", "[a[^b]]", "a{1001}"})
    void rustSyntaxThisEngineCannotServeIsRefusedNotMisread(String pattern) {
        assertEquals(InvalidFilterException.REGEX_SYNTAX_PREFIX + "regex parse error:",
                regexError(pattern).lines().findFirst().orElseThrow());
    }

    /** One row of the behaviour table: a pattern and the ids of {@link #TABLE_DOCUMENTS} it must find. */
    private record Row(String pattern, List<String> expected) {}

    private static final Map<String, String> TABLE_DOCUMENTS = tableDocuments();

    private static Map<String, String> tableDocuments() {
        Map<String, String> documents = new LinkedHashMap<>();
        documents.put("fox", "The quick brown fox");
        documents.put("lines", "first line\nsecond line\n");
        documents.put("digits", "order 42 shipped 2024-05-01");
        documents.put("accents", "Café déjà vu");
        documents.put("greek", "Ωμέγα και άλφα");
        documents.put("arabic", "number ٣ here");
        documents.put("emoji", "smile 😀 now");
        documents.put("spaces", "ideographic\u3000space");
        documents.put("upper", "SHOUTING QUICK");
        documents.put("empty", "");
        return documents;
    }

    private static final List<Row> TABLE = List.of(
            new Row("quick", List.of("fox")),
            new Row("(?i)quick", List.of("fox", "upper")),
            new Row("(?i:QUI)ck", List.of("fox")),
            new Row("^The", List.of("fox")),
            new Row("fox$", List.of("fox")),
            new Row("line$", List.of()),
            new Row("(?m)line$", List.of("lines")),
            new Row("(?m)^second", List.of("lines")),
            new Row("^second", List.of()),
            new Row("\\Afirst", List.of("lines")),
            new Row("line\\n\\z", List.of("lines")),
            new Row("line.second", List.of()),
            new Row("(?s)line.second", List.of("lines")),
            new Row("^$", List.of("empty")),
            new Row("", List.of("fox", "lines", "digits", "accents", "greek", "arabic", "emoji", "spaces", "upper", "empty")),
            new Row("fox|vu", List.of("fox", "accents")),
            new Row("(brown|red) fox", List.of("fox")),
            new Row("[0-9]{4}-[0-9]{2}-[0-9]{2}", List.of("digits")),
            new Row("\\d+", List.of("digits", "arabic")),
            new Row("[[:digit:]]", List.of("digits")),
            new Row("[^\\x00-\\x7F]", List.of("accents", "greek", "arabic", "emoji", "spaces")),
            new Row("af\\w", List.of("accents")),
            new Row("^\\w+\\s\\w+$", List.of("spaces", "upper")),
            new Row("^\\w+\\s\\w+\\s\\w+$", List.of("accents", "greek", "arabic")),
            new Row("ideographic\\sspace", List.of("spaces")),
            new Row("\\W", List.of("fox", "lines", "digits", "accents", "greek", "arabic", "emoji", "spaces", "upper")),
            new Row("[[:^alpha:][:space:]]é", List.of()),
            new Row("\\p{Greek}+", List.of("greek")),
            new Row("\\pL\\p{Nd}", List.of()),
            new Row("(?i)ΩΜΈΓΑ", List.of("greek")),
            new Row("(?i)CAFÉ", List.of("accents")),
            new Row("\\x{1F600}", List.of("emoji")),
            new Row("smile . now", List.of("emoji")),
            new Row("\\u{1F600}", List.of("emoji")),
            new Row("(?P<w>qu)ick", List.of("fox")),
            new Row("(?<w>qu)ick", List.of("fox")),
            new Row("[]a]", List.of("accents", "spaces")),
            new Row("[a[bc]]rown", List.of("fox")),
            new Row("\\bfox\\b", List.of("fox")),
            new Row("o\\B", List.of("fox", "lines", "digits", "emoji", "spaces")),
            new Row("qu.*?k", List.of("fox")),
            new Row("(?U)qu.*k", List.of("fox")),
            new Row("(?x) q u i c k  # spaced out", List.of("fox")),
            new Row("(?x)brown\\ fox", List.of("fox")),
            new Row("(?x:[ a b ]{2})row", List.of()),
            new Row("\\.", List.of()),
            new Row("a{2,}", List.of()),
            new Row("l{1}in[e]", List.of("lines")),
            new Row("bro*+wn", List.of("fox")),
            new Row("l{1}{1}ine", List.of("lines")),
            new Row("qu.*?k", List.of("fox")));

    @Test
    void ordinaryPatternsFindWhatRustRegexFinds() {
        List<String> differences = new ArrayList<>();
        for (Row row : TABLE) {
            List<String> actual = matching(row.pattern(), TABLE_DOCUMENTS);
            if (!actual.equals(row.expected())) {
                differences.add(row.pattern() + " expected " + row.expected() + " got " + actual);
            }
        }
        assertEquals(List.of(), differences);
    }
}
