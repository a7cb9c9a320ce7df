package io.vermilion.index;

import java.util.ArrayList;
import java.util.List;

/**
 * What a {@code $regex} pattern (Chroma's Rust dialect, already validated by DocumentPattern) tells the index before
 * any document is read: substrings every match must contain, found by a conservative left-to-right scan of the
 * top-level concatenation. Groups, classes, escapes like {@code \d}, {@code .}, anchors and optional atoms only break
 * a run of literals; top-level alternation or an inline flag group such as {@code (?i)} gives up (no literals).
 * Anything it is unsure about yields fewer literals, never wrong ones. Stateless.
 */
final class RegexLiterals {

    /**
     * {@code required}: substrings present in every document the pattern matches (empty when nothing is known).
     * {@code literal}: the whole pattern is the single literal {@code required.get(0)}, so the regex is a substring
     * test.
     */
    record Analysis(List<String> required, boolean literal) {
        static final Analysis NOTHING = new Analysis(List.of(), false);
    }

    private RegexLiterals() {}

    static Analysis analyze(String pattern) {
        List<String> required = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        boolean literal = true;
        int i = 0;
        int n = pattern.length();
        while (i < n) {
            char c = pattern.charAt(i);
            String atom = null; // the literal text of the atom, or null for an opaque one
            int next;
            switch (c) {
                case '\\' -> {
                    if (i + 1 >= n) {
                        return Analysis.NOTHING;
                    }
                    int escaped = pattern.codePointAt(i + 1);
                    next = i + 1 + Character.charCount(escaped);
                    if (escaped < 0x80 && Character.isLetterOrDigit(escaped)) {
                        // \d, \w, \b, \x41, \p{..}, escaped code points ...: a class, an assertion or a code we do not decode.
                        if (next < n && pattern.charAt(next) == '{') {
                            int close = pattern.indexOf('}', next);
                            if (close < 0) {
                                return Analysis.NOTHING;
                            }
                            next = close + 1;
                        }
                    } else if (escaped < 0x80) {
                        atom = Character.toString(escaped); // an escaped punctuation character is itself
                    } else {
                        return Analysis.NOTHING; // not meaningful in Rust's dialect; do not guess
                    }
                }
                case '[' -> {
                    next = skipClass(pattern, i);
                    if (next < 0) {
                        return Analysis.NOTHING;
                    }
                }
                case '(' -> {
                    if (pattern.startsWith("(?", i) && !pattern.startsWith("(?:", i)
                            && !pattern.startsWith("(?P<", i) && !pattern.startsWith("(?<", i)) {
                        return Analysis.NOTHING; // inline flags such as (?i) may change how the rest matches
                    }
                    next = skipGroup(pattern, i);
                    if (next < 0) {
                        return Analysis.NOTHING;
                    }
                }
                case '|', ')', ']', '*', '+', '?', '{' -> {
                    return Analysis.NOTHING; // alternation, or something this scan does not expect here
                }
                case '.', '^', '$' -> next = i + 1;
                default -> {
                    int cp = pattern.codePointAt(i);
                    atom = Character.toString(cp);
                    next = i + Character.charCount(cp);
                }
            }
            // A quantifier on the atom: ? * {0,..} make it optional; + {m,..} with m >= 1 keep it once, then break.
            int afterQuantifier = next;
            boolean optional = false;
            boolean repeated = false;
            if (next < n) {
                char q = pattern.charAt(next);
                if (q == '?' || q == '*') {
                    optional = true;
                    afterQuantifier = next + 1;
                } else if (q == '+') {
                    repeated = true;
                    afterQuantifier = next + 1;
                } else if (q == '{') {
                    int close = pattern.indexOf('}', next);
                    if (close < 0) {
                        return Analysis.NOTHING;
                    }
                    String body = pattern.substring(next + 1, close);
                    String min = body.contains(",") ? body.substring(0, body.indexOf(',')) : body;
                    if (!min.strip().matches("[0-9]+")) {
                        return Analysis.NOTHING;
                    }
                    optional = min.strip().chars().allMatch(d -> d == '0');
                    repeated = !optional;
                    afterQuantifier = close + 1;
                }
                if (afterQuantifier > next && afterQuantifier < n
                        && (pattern.charAt(afterQuantifier) == '?' || pattern.charAt(afterQuantifier) == '+')) {
                    afterQuantifier++; // lazy (or possessive) modifier
                }
            }
            if (atom == null || optional || repeated) {
                literal = false;
            }
            if (atom != null && !optional) {
                run.append(atom);
            }
            if (atom == null || optional || repeated) {
                flush(run, required);
            }
            i = afterQuantifier;
        }
        flush(run, required);
        if (literal && required.size() == 1) {
            return new Analysis(required, true);
        }
        return new Analysis(required, false);
    }

    private static void flush(StringBuilder run, List<String> required) {
        if (!run.isEmpty()) {
            required.add(run.toString());
            run.setLength(0);
        }
    }

    /** The index after the character class opening at {@code start}, or -1; nested classes and escapes included. */
    private static int skipClass(String pattern, int start) {
        int depth = 0;
        int i = start;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == '[') {
                depth++;
                i++;
                // A ']' right after '[' or '[^' is a literal member.
                if (i < pattern.length() && pattern.charAt(i) == '^') {
                    i++;
                }
                if (i < pattern.length() && pattern.charAt(i) == ']') {
                    i++;
                }
                continue;
            }
            if (c == ']') {
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            }
            i++;
        }
        return -1;
    }

    /** The index after the group opening at {@code start}, or -1; skips escapes and classes inside. */
    private static int skipGroup(String pattern, int start) {
        int depth = 0;
        int i = start;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == '[') {
                i = skipClass(pattern, i);
                if (i < 0) {
                    return -1;
                }
                continue;
            }
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            }
            i++;
        }
        return -1;
    }
}
