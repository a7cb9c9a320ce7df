package io.vermilion.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RegexLiteralsTest {

    private static void check(String pattern, List<String> required, boolean literal) {
        RegexLiterals.Analysis analysis = RegexLiterals.analyze(pattern);
        assertEquals(required, analysis.required(), pattern);
        assertEquals(literal, analysis.literal(), pattern);
    }

    @Test
    void plainTextAndEscapedPunctuationAreLiterals() {
        check("abc", List.of("abc"), true);
        check("a\\.b", List.of("a.b"), true);
        check("o w", List.of("o w"), true);
        check("\uD834\uDD1Ex", List.of("\uD834\uDD1Ex"), true);
    }

    @Test
    void optionalAtomsBreakRunsAndAreDropped() {
        check("ab?c", List.of("a", "c"), false);
        check("ab*c", List.of("a", "c"), false);
        check("ab{0,2}c", List.of("a", "c"), false);
        check("ab*?cd", List.of("a", "cd"), false);
    }

    @Test
    void repeatedAtomsStayOnceThenBreak() {
        check("ab+c", List.of("ab", "c"), false);
        check("ab{2}c", List.of("ab", "c"), false);
        check("ab+?c", List.of("ab", "c"), false);
    }

    @Test
    void opaqueAtomsBreakRuns() {
        check("^abc$", List.of("abc"), false);
        check("x.z", List.of("x", "z"), false);
        check("ab\\dcd", List.of("ab", "cd"), false);
        check("ab[cd]ef", List.of("ab", "ef"), false);
        check("ab[[:alpha:]]ef", List.of("ab", "ef"), false);
        check("ab[]x]ef", List.of("ab", "ef"), false);
        check("ab(c|d)*ef", List.of("ab", "ef"), false);
        check("ab(?:c)?ef", List.of("ab", "ef"), false);
        check("ab(?P<n>[)]x)ef", List.of("ab", "ef"), false);
        check("\\p{Greek}ab", List.of("ab"), false);
    }

    @Test
    void alternationAndInlineFlagsGiveUp() {
        check("ab|cd", List.of(), false);
        check("(?i)abc", List.of(), false);
        check("a(?i)bc", List.of(), false);
        check("", List.of(), false);
        check("[ab]{2}", List.of(), false);
    }
}
