package io.vermilion.filter;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A {@code $regex} pattern held to Chroma's dialect (Rust {@code regex}): refuses look-around and backreferences,
 * accepts {@code (?P<name>)} and {@code [[:alpha:]]}, matches unanchored with Rust's Unicode classes, {@code \n}-only
 * line ends and {@code $} at the very end. Bad patterns fail with Rust's message layout. Immutable, thread-safe.
 */
public final class DocumentPattern {

    private static final String LOOK_AROUND = "look-around, including look-ahead and look-behind, is not supported";
    private static final String BACKREFERENCE = "backreferences are not supported";

    private final String source;
    private final Pattern pattern;

    private DocumentPattern(String source, Pattern pattern) {
        this.source = source;
        this.pattern = pattern;
    }

    /** Checks and compiles {@code source}; throws {@link InvalidFilterException} as Chroma would. */
    public static DocumentPattern compile(String source) {
        String translated = new Translator(source).translate();
        try {
            return new DocumentPattern(source, Pattern.compile(translated, Pattern.UNICODE_CHARACTER_CLASS | Pattern.UNIX_LINES));
        } catch (PatternSyntaxException e) {
            throw fromJava(source, translated, e);
        }
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

    /** Rewrites the Rust-only syntax and refuses what Rust refuses, one left-to-right pass. */
    private static final class Translator {
        private final String src;
        private final StringBuilder out = new StringBuilder();
        private final Deque<Integer> groups = new ArrayDeque<>();
        private final Deque<Integer> classes = new ArrayDeque<>();
        private final boolean multiLinePossible;

        Translator(String src) {
            this.src = src;
            this.multiLinePossible = src.matches("(?s).*\\(\\?[imsxuUR-]*m.*");
        }

        String translate() {
            int i = 0;
            while (i < src.length()) {
                char c = src.charAt(i);
                if (c == '\\') {
                    if (i + 1 < src.length()) {
                        char n = src.charAt(i + 1);
                        if (classes.isEmpty() && n >= '1' && n <= '9') {
                            throw error(src, i, 2, BACKREFERENCE);
                        }
                        out.append(c).append(n);
                        i += 2;
                    } else {
                        out.append(c);
                        i++;
                    }
                } else if (!classes.isEmpty()) {
                    i = inClass(i, c);
                } else if (c == '[') {
                    classes.push(i);
                    out.append(c);
                    i = afterClassOpen(i + 1);
                } else if (c == '(') {
                    i = groupOpen(i);
                } else if (c == ')') {
                    if (groups.isEmpty()) {
                        throw error(src, i, 1, "unopened group");
                    }
                    groups.pop();
                    out.append(c);
                    i++;
                } else if (c == '$' && !multiLinePossible) {
                    out.append("\\z");
                    i++;
                } else {
                    out.append(c);
                    i++;
                }
            }
            if (!classes.isEmpty()) {
                throw error(src, classes.peek(), 1, "unclosed character class");
            }
            if (!groups.isEmpty()) {
                throw error(src, groups.peek(), 1, "unclosed group");
            }
            return out.toString();
        }

        /** After {@code [} or {@code [^}: a leading {@code ]} is a literal in both dialects. */
        private int afterClassOpen(int i) {
            if (i < src.length() && src.charAt(i) == '^') {
                out.append('^');
                i++;
            }
            if (i < src.length() && src.charAt(i) == ']') {
                out.append(']');
                i++;
            }
            return i;
        }

        private int inClass(int i, char c) {
            if (c == '[') {
                int end = src.indexOf(":]", i);
                if (i + 1 < src.length() && src.charAt(i + 1) == ':' && end > 0) {
                    String name = src.substring(i + 2, end);
                    boolean negated = name.startsWith("^");
                    String ascii = asciiClass(negated ? name.substring(1) : name);
                    if (ascii != null) {
                        out.append('[').append(negated ? "^" : "").append(ascii).append(']');
                        return end + 2;
                    }
                }
                classes.push(i);
                out.append(c);
                return afterClassOpen(i + 1);
            }
            if (c == ']') {
                classes.pop();
            }
            out.append(c);
            return i + 1;
        }

        private int groupOpen(int i) {
            groups.push(i);
            if (src.startsWith("(?=", i) || src.startsWith("(?!", i)) {
                throw error(src, i, 3, LOOK_AROUND);
            }
            if (src.startsWith("(?<=", i) || src.startsWith("(?<!", i)) {
                throw error(src, i, 4, LOOK_AROUND);
            }
            if (src.startsWith("(?P<", i)) {
                out.append("(?<");
                return i + 4;
            }
            out.append('(');
            return i + 1;
        }

        private static String asciiClass(String name) {
            return switch (name) {
                case "alnum" -> "0-9A-Za-z";
                case "alpha" -> "A-Za-z";
                case "ascii" -> "\\x00-\\x7F";
                case "blank" -> "\\t ";
                case "cntrl" -> "\\x00-\\x1F\\x7F";
                case "digit" -> "0-9";
                case "graph" -> "!-~";
                case "lower" -> "a-z";
                case "print" -> " -~";
                case "punct" -> "!-/:-@\\[-`{-~";
                case "space" -> "\\t\\n\\x0B\\f\\r ";
                case "upper" -> "A-Z";
                case "word" -> "0-9A-Za-z_";
                case "xdigit" -> "0-9A-Fa-f";
                default -> null;
            };
        }
    }

    /** Maps java.util.regex's complaint onto Rust's wording and caret position. */
    private static InvalidFilterException fromJava(String source, String translated, PatternSyntaxException e) {
        String description = e.getDescription();
        // Translation only rewrites a few constructs; when lengths differ, point at the Java index clamped.
        int index = Math.max(0, Math.min(e.getIndex(), source.length() - 1));
        boolean same = source.equals(translated);
        if (description.startsWith("Dangling meta character")) {
            return error(source, index, 1, "repetition operator missing expression");
        }
        if (description.equals("Illegal repetition range") && same) {
            int open = source.lastIndexOf('{', index);
            int close = source.indexOf('}', index);
            if (open >= 0 && close >= open) {
                return error(source, open, close - open + 1, "invalid repetition count range, the start must be <= the end");
            }
        }
        if (description.equals("Illegal repetition") && same) {
            int open = Math.max(0, source.lastIndexOf('{', Math.min(e.getIndex(), source.length() - 1)));
            if (open == 0 || "(|".indexOf(source.charAt(open - 1)) >= 0) {
                return error(source, open, 1, "repetition operator missing expression");
            }
            boolean closed = source.indexOf('}', open) >= 0;
            return error(source, open, 1, closed ? "repetition quantifier expects a valid decimal" : "unclosed counted repetition");
        }
        if (description.equals("Illegal/unsupported escape sequence") && same) {
            int start = Math.max(0, e.getIndex() - 1);
            return error(source, start, Math.min(2, source.length() - start), "unrecognized escape sequence");
        }
        if (description.equals("Illegal character range") && same) {
            int start = Math.max(0, e.getIndex() - 2);
            return error(source, start, Math.min(3, source.length() - start), "invalid character class range, the start must be <= the end");
        }
        if (description.equals("Unknown inline modifier")) {
            return error(source, index, 1, "unrecognized flag");
        }
        if (description.startsWith("Named capturing group") && description.endsWith("is already defined")) {
            return error(source, index, 1, "duplicate capture group name");
        }
        if (description.startsWith("Unexpected internal error") && source.endsWith("\\")) {
            return error(source, source.length() - 1, 1, "incomplete escape sequence, reached end of pattern prematurely");
        }
        String lowered = description.isEmpty() ? description : Character.toLowerCase(description.charAt(0)) + description.substring(1);
        return error(source, index, 1, lowered);
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
