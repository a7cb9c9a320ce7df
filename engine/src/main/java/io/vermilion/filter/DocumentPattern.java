package io.vermilion.filter;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * A {@code $regex} pattern held to Chroma's dialect (Rust {@code regex}), matched by RE2/J: linear time in the
 * document's length and the pattern's size, no backtracking and no recursion while matching, so no pattern can stall
 * a reader or overflow its stack. Unanchored, Rust's Unicode classes, {@code \n}-only line ends, {@code $} at the
 * very end. Bad or unservable patterns fail at compile time with Rust's message layout. Immutable, thread-safe.
 */
public final class DocumentPattern {

    /**
     * Largest compiled program served (RE2/J instructions). Matching costs at most this many steps per document
     * character, which bounds one document's work; the pattern length of ordinary filters stays far below it.
     */
    static final int MAX_PROGRAM_SIZE = 5_000;

    private final String source;
    private final Pattern pattern;

    private DocumentPattern(String source, Pattern pattern) {
        this.source = source;
        this.pattern = pattern;
    }

    /** Checks and compiles {@code source}; throws {@link InvalidFilterException} as Chroma would. */
    public static DocumentPattern compile(String source) {
        RustRegexTranslator.Translation translation = RustRegexTranslator.translate(source);
        if (translation.sizeEstimate() > MAX_PROGRAM_SIZE) {
            throw tooBig();
        }
        Pattern compiled;
        try {
            compiled = Pattern.compile(translation.re2());
        } catch (PatternSyntaxException e) {
            throw Re2Errors.toChroma(source, translation, e);
        }
        if (compiled.programSize() > MAX_PROGRAM_SIZE) {
            throw tooBig();
        }
        return new DocumentPattern(source, compiled);
    }

    private static InvalidFilterException tooBig() {
        return InvalidFilterException.regexSyntax("Compiled regex exceeds size limit of " + MAX_PROGRAM_SIZE + " instructions.");
    }

    /** The pattern as the client wrote it. */
    public String source() {
        return source;
    }

    /** Whether the pattern matches anywhere in {@code text}. */
    public boolean find(String text) {
        return pattern.matcher(text).find();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DocumentPattern other && other.source.equals(source);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    @Override
    public String toString() {
        return source;
    }

    /**
     * Chroma's message for a bad pattern: Rust regex-syntax's error layout, the pattern with carets under the
     * offending span ({@code start}, {@code width} in chars), then {@code error: kind}.
     */
    static InvalidFilterException error(String pattern, int start, int width, String kind) {
        StringBuilder sb = new StringBuilder("regex parse error:\n");
        if (pattern.indexOf('\n') < 0) {
            sb.append("    ").append(pattern).append('\n');
            sb.append("    ").append(" ".repeat(columns(pattern, 0, start))).append(carets(pattern, start, width)).append('\n');
        } else {
            String divider = "~".repeat(79);
            sb.append(divider).append('\n');
            String[] lines = pattern.split("\n", -1);
            int digits = String.valueOf(lines.length).length();
            int lineStart = 0;
            for (int n = 0; n < lines.length; n++) {
                String line = lines[n];
                sb.append(String.format("%" + digits + "d: ", n + 1)).append(line).append('\n');
                if (start >= lineStart && start <= lineStart + line.length()) {
                    sb.append(" ".repeat(digits + 2)).append(" ".repeat(columns(pattern, lineStart, start)))
                            .append(carets(pattern, start, Math.min(width, Math.max(1, lineStart + line.length() - start))))
                            .append('\n');
                }
                lineStart += line.length() + 1;
            }
            sb.append(divider).append('\n');
        }
        sb.append("error: ").append(kind);
        return InvalidFilterException.regexSyntax(sb.toString());
    }

    private static int columns(String s, int from, int to) {
        return s.codePointCount(from, Math.min(Math.max(from, to), s.length()));
    }

    private static String carets(String pattern, int start, int width) {
        int end = Math.min(pattern.length(), start + Math.max(1, width));
        return "^".repeat(Math.max(1, columns(pattern, start, end)));
    }
}
