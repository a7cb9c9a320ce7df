package io.vermilion.filter;

import com.google.re2j.PatternSyntaxException;

/**
 * Turns RE2/J's complaint about a translated pattern into Chroma's regex error: Rust's wording, with the carets
 * placed under the client's own pattern through the translation's index map. Stateless.
 */
final class Re2Errors {

    private Re2Errors() {}

    static InvalidFilterException toChroma(String source, RustRegexTranslator.Translation translation,
            PatternSyntaxException e) {
        String description = e.getDescription();
        String fragment = e.getPattern() == null ? "" : e.getPattern();
        int at = fragment.isEmpty() ? -1 : translation.re2().indexOf(fragment);
        int start = 0;
        int width = 1;
        if (at >= 0) {
            int[] index = translation.sourceIndex();
            start = index[at];
            int endSource = index[Math.min(index.length - 1, at + fragment.length())];
            width = Math.max(1, endSource - start);
        }
        start = Math.max(0, Math.min(start, Math.max(0, source.length() - 1)));
        String kind = switch (description) {
            case "missing argument to repetition operator" -> "repetition operator missing expression";
            case "invalid escape sequence" -> "unrecognized escape sequence";
            case "trailing backslash at end of expression" -> "incomplete escape sequence, reached end of pattern prematurely";
            case "invalid or unsupported Perl syntax" -> "unrecognized flag";
            case "missing closing ]" -> "unclosed character class";
            case "missing closing )" -> "unclosed group";
            case "unexpected )" -> "unopened group";
            case "duplicate capture group name" -> "duplicate capture group name";
            case "invalid named capture" -> "invalid capture group name";
            case "invalid repeat count" -> "invalid repetition count range, the start must be <= the end";
            case "invalid character class range" -> fragment.startsWith("\\p") || fragment.startsWith("\\P")
                    ? "Unicode property not found"
                    : "invalid character class range, the start must be <= the end";
            default -> description.isEmpty() ? "invalid pattern" : description;
        };
        return DocumentPattern.error(source, start, width, kind);
    }
}
