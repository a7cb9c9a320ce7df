package io.vermilion.filter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Rewrites a pattern in Chroma's dialect (Rust {@code regex}) into RE2/J syntax with the same meaning: Unicode
 * {@code \d \w \s}, {@code (?x)} verbose mode, Rust's u-escapes, nested class unions and nested repetitions. It
 * refuses, with Rust's message layout, what Rust refuses (look-around, backreferences, bad counts, nesting deeper
 * than 250) and what RE2/J would silently misread (class set operations, word start/end assertions). It also
 * estimates the compiled size so a huge pattern is refused before compiling. One instance per pattern; not reusable.
 */
final class RustRegexTranslator {

    static final int NEST_LIMIT = 250;
    static final String LOOK_AROUND = "look-around, including look-ahead and look-behind, is not supported";
    static final String BACKREFERENCE = "backreferences are not supported";

    /** The RE2/J pattern, the source index of each of its chars (for error carets), and the size estimate. */
    record Translation(String re2, int[] sourceIndex, long sizeEstimate) {}

    private final String src;
    private final StringBuilder out = new StringBuilder();
    private final List<Integer> map = new ArrayList<>();
    private final Deque<Scope> scopes = new ArrayDeque<>();
    private boolean verbose;
    private boolean unicode = true;
    /** Size estimate of the current group so far, and of its last atom (what a quantifier repeats). */
    private long sum;
    private long last;
    /** Where the last atom starts in {@code out}, or -1 when a quantifier here has nothing to repeat. */
    private int lastAtomOut = -1;
    private boolean lastWasRepetition;
    private int depth;

    /** The state of the enclosing group, restored when its {@code )} comes. */
    private record Scope(int sourceStart, boolean verbose, boolean unicode, long sum, long last, int atomOut) {}

    private RustRegexTranslator(String src) {
        this.src = src;
    }

    static Translation translate(String source) {
        return new RustRegexTranslator(source).run();
    }

    private Translation run() {
        int i = 0;
        while (i < src.length()) {
            int cp = src.codePointAt(i);
            int width = Character.charCount(cp);
            if (verbose && isVerboseSpace(cp)) {
                i += width;
            } else if (verbose && cp == '#') {
                int newline = src.indexOf('\n', i);
                i = newline < 0 ? src.length() : newline + 1;
            } else if (cp == '\\') {
                int start = out.length();
                i = escape(i, false);
                atom(start, 1);
            } else if (cp == '[') {
                int start = out.length();
                i = characterClass(i);
                atom(start, 1);
            } else if (cp == '(') {
                i = groupOpen(i);
            } else if (cp == ')') {
                groupClose(i);
                i++;
            } else if (cp == '|') {
                emit("|", i);
                lastAtomOut = -1;
                lastWasRepetition = false;
                last = 0;
                i++;
            } else if (cp == '*' || cp == '+' || cp == '?') {
                quantifier(String.valueOf((char) cp), i, 1, cp == '?');
                i++;
            } else if (cp == '{') {
                i = counted(i);
            } else if (cp == '^' || cp == '$') {
                emit(String.valueOf((char) cp), i);
                lastAtomOut = -1;
                lastWasRepetition = false;
                i++;
            } else {
                int start = out.length();
                emit(src.substring(i, i + width), i);
                atom(start, 1);
                i += width;
            }
        }
        if (!scopes.isEmpty()) {
            throw DocumentPattern.error(src, scopes.peek().sourceStart(), 1, "unclosed group");
        }
        int[] index = new int[map.size() + 1];
        for (int k = 0; k < map.size(); k++) {
            index[k] = map.get(k);
        }
        index[map.size()] = src.length();
        return new Translation(out.toString(), index, sum);
    }

    private void emit(String text, int sourceIndex) {
        out.append(text);
        for (int k = 0; k < text.length(); k++) {
            map.add(sourceIndex);
        }
    }

    private void atom(int outStart, long size) {
        sum = saturatingAdd(sum, size);
        last = size;
        lastAtomOut = outStart;
        lastWasRepetition = false;
    }

    /**
     * A quantifier: {@code times} copies of the last atom. Rust lets a quantifier repeat a repetition ({@code a**}
     * is {@code (a*)*}); RE2/J does not, so the repeated one is wrapped in a group. A {@code ?} right after a
     * quantifier makes it lazy.
     */
    private void quantifier(String text, int sourceIndex, long times, boolean questionMark) {
        if (lastAtomOut >= 0 && lastWasRepetition) {
            if (questionMark && !lazyAlready) {
                emit(text, sourceIndex);
                lazyAlready = true;
                return;
            }
            out.insert(lastAtomOut, "(?:");
            for (int k = 0; k < 3; k++) {
                map.add(lastAtomOut, map.get(Math.min(lastAtomOut, map.size() - 1)));
            }
            emit(")", sourceIndex);
        }
        emit(text, sourceIndex);
        if (lastAtomOut >= 0) {
            sum = saturatingAdd(sum, saturatingMultiply(last, times - 1));
            last = saturatingMultiply(last, times);
        }
        lastWasRepetition = true;
        lazyAlready = false;
    }

    private boolean lazyAlready;

    /** {@code {m}}, {@code {m,}} or {@code {m,n}} after an atom; anything else is Rust's error. */
    private int counted(int open) {
        int close = src.indexOf('}', open);
        if (lastAtomOut < 0) {
            throw DocumentPattern.error(src, open, 1, "repetition operator missing expression");
        }
        if (close < 0) {
            throw DocumentPattern.error(src, open, 1, "unclosed counted repetition");
        }
        String body = src.substring(open + 1, close);
        if (verbose) {
            body = body.replaceAll("\\s", "");
        }
        if (!body.matches("[0-9]+(,[0-9]*)?")) {
            int bad = open + 1;
            while (bad < close && (Character.isDigit(src.charAt(bad)) || src.charAt(bad) == ',')) {
                bad++;
            }
            throw DocumentPattern.error(src, bad, 1, "repetition quantifier expects a valid decimal");
        }
        int comma = body.indexOf(',');
        long min = parseCount(comma < 0 ? body : body.substring(0, comma));
        long max = comma < 0 ? min : body.length() == comma + 1 ? -1 : parseCount(body.substring(comma + 1));
        if (max >= 0 && min > max) {
            throw DocumentPattern.error(src, open, close - open + 1,
                    "invalid repetition count range, the start must be <= the end");
        }
        if (min > 1000 || max > 1000) {
            throw DocumentPattern.error(src, open, close - open + 1,
                    "repetition counts above 1000 are not supported");
        }
        quantifier("{" + body + "}", open, max < 0 ? min + 1 : Math.max(max, 1), false);
        return close + 1;
    }

    private static long parseCount(String digits) {
        return digits.length() > 9 ? Long.MAX_VALUE : Long.parseLong(digits);
    }

    /** An escape at {@code i}; inside a class only class-safe output is produced. Returns the next index. */
    private int escape(int i, boolean inClass) {
        if (i + 1 >= src.length()) {
            throw DocumentPattern.error(src, i, 1, "incomplete escape sequence, reached end of pattern prematurely");
        }
        int n = src.codePointAt(i + 1);
        int next = i + 1 + Character.charCount(n);
        if (n >= '0' && n <= '9') {
            throw DocumentPattern.error(src, i, 2, BACKREFERENCE);
        }
        if (unicode && n < 0x80 && UnicodePerlClasses.body((char) n) != null) {
            String body = UnicodePerlClasses.body((char) n);
            emit(inClass ? body : "[" + body + "]", i);
            return next;
        }
        if (!inClass && (n == '<' || n == '>' || (n == 'b' && next < src.length() && src.charAt(next) == '{'))) {
            throw DocumentPattern.error(src, i, 2, "word start and end assertions are not supported");
        }
        if ((n == 'p' || n == 'P' || n == 'x') && next < src.length()) {
            int end = src.charAt(next) == '{' ? src.indexOf('}', next) + 1 : next + (n == 'x' ? 2 : 1);
            if (end > next && end <= src.length()) {
                emit(src.substring(i, end), i);
                return end;
            }
        }
        if (n == 'u' || n == 'U') {
            int end = hexEscapeEnd(next, n == 'u' ? 4 : 8);
            if (end > 0) {
                String hex = src.charAt(next) == '{' ? src.substring(next + 1, end - 1) : src.substring(next, end);
                emit("\\x{" + hex + "}", i);
                return end;
            }
        }
        emit(src.substring(i, next), i);
        return next;
    }

    /** The end of {@code {hex}} or exactly {@code digits} hex digits at {@code at}, or -1. */
    private int hexEscapeEnd(int at, int digits) {
        if (at < src.length() && src.charAt(at) == '{') {
            int close = src.indexOf('}', at);
            return close > at + 1 && src.substring(at + 1, close).matches("[0-9A-Fa-f]{1,8}") ? close + 1 : -1;
        }
        return at + digits <= src.length() && src.substring(at, at + digits).matches("[0-9A-Fa-f]+") ? at + digits : -1;
    }

    /** A class at {@code open}: nested unions are flattened, set operations and nested negations refused. */
    private int characterClass(int open) {
        enterNesting(open);
        emit("[", open);
        int i = classBody(open, true);
        emit("]", i - 1);
        depth--;
        return i;
    }

    /** Emits the members of the class opening at {@code open} (no brackets); returns the index after its {@code ]}. */
    private int classBody(int open, boolean outermost) {
        int i = open + 1;
        if (i < src.length() && src.charAt(i) == '^') {
            if (!outermost) {
                throw DocumentPattern.error(src, open, 2, "negated classes nested in a class are not supported");
            }
            emit("^", i);
            i++;
        }
        boolean first = true;
        while (i < src.length()) {
            int cp = src.codePointAt(i);
            int width = Character.charCount(cp);
            if (verbose && isVerboseSpace(cp)) {
                i += width;
                continue;
            }
            if (cp == ']' && !first) {
                return i + 1;
            }
            first = false;
            if (cp == '\\') {
                i = escape(i, true);
            } else if (cp == '[' && i + 1 < src.length() && src.charAt(i + 1) == ':' && posixEnd(i) > 0) {
                int end = posixEnd(i);
                emit(src.substring(i, end), i);
                i = end;
            } else if (cp == '[') {
                enterNesting(i);
                i = classBody(i, false);
                depth--;
            } else if ((cp == '&' || cp == '-' || cp == '~') && src.startsWith(Character.toString(cp).repeat(2), i)) {
                throw DocumentPattern.error(src, i, 2, "character class set operations are not supported");
            } else if (cp == ']') {
                emit("\\]", i);
                i++;
            } else {
                emit(src.substring(i, i + width), i);
                i += width;
            }
        }
        throw DocumentPattern.error(src, open, 1, "unclosed character class");
    }

    /** The index after a known POSIX class such as {@code [:alpha:]} at {@code at}, or -1. */
    private int posixEnd(int at) {
        int close = src.indexOf(":]", at + 2);
        if (close < 0) {
            return -1;
        }
        String name = src.substring(at + 2, close);
        name = name.startsWith("^") ? name.substring(1) : name;
        return switch (name) {
            case "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space",
                    "upper", "word", "xdigit" -> close + 2;
            default -> -1;
        };
    }

    private int groupOpen(int i) {
        if (src.startsWith("(?=", i) || src.startsWith("(?!", i)) {
            throw DocumentPattern.error(src, i, 3, LOOK_AROUND);
        }
        if (src.startsWith("(?<=", i) || src.startsWith("(?<!", i)) {
            throw DocumentPattern.error(src, i, 4, LOOK_AROUND);
        }
        if (src.startsWith("(?", i) && !src.startsWith("(?P<", i) && !src.startsWith("(?<", i)
                && !src.startsWith("(?:", i)) {
            int end = i + 2;
            while (end < src.length() && "imsxuUR-".indexOf(src.charAt(end)) >= 0) {
                end++;
            }
            if (end < src.length() && (src.charAt(end) == ')' || src.charAt(end) == ':')) {
                return flags(i, end);
            }
            if (end < src.length()) {
                throw DocumentPattern.error(src, end, 1, "unrecognized flag");
            }
        }
        enterNesting(i);
        scopes.push(new Scope(i, verbose, unicode, sum, last, out.length()));
        sum = 0;
        last = 0;
        lastAtomOut = -1;
        int after = src.startsWith("(?:", i) ? i + 3 : i + 1;
        if (src.startsWith("(?P<", i) || src.startsWith("(?<", i)) {
            int close = src.indexOf('>', i);
            after = close < 0 ? src.length() : close + 1;
        }
        emit(src.substring(i, after), i);
        return after;
    }

    /** {@code (?flags)} or {@code (?flags:}: x and u are applied here, i m s U passed on, R dropped. */
    private int flags(int i, int end) {
        boolean negate = false;
        StringBuilder on = new StringBuilder();
        StringBuilder off = new StringBuilder();
        boolean newVerbose = verbose;
        boolean newUnicode = unicode;
        for (int k = i + 2; k < end; k++) {
            char f = src.charAt(k);
            switch (f) {
                case '-' -> negate = true;
                case 'x' -> newVerbose = !negate;
                case 'u' -> newUnicode = !negate;
                case 'R' -> { }
                default -> (negate ? off : on).append(f);
            }
        }
        String re2 = "(?" + on + (off.isEmpty() ? "" : "-" + off);
        boolean group = src.charAt(end) == ':';
        if (group) {
            enterNesting(i);
            scopes.push(new Scope(i, verbose, unicode, sum, last, out.length()));
            sum = 0;
            last = 0;
            lastAtomOut = -1;
            emit(re2 + ":", i);
        } else {
            if (re2.length() > 2) {
                emit(re2 + ")", i);
            }
            lastAtomOut = -1;
            lastWasRepetition = false;
        }
        verbose = newVerbose;
        unicode = newUnicode;
        return end + 1;
    }

    private void groupClose(int i) {
        if (scopes.isEmpty()) {
            throw DocumentPattern.error(src, i, 1, "unopened group");
        }
        Scope scope = scopes.pop();
        depth--;
        emit(")", i);
        long size = saturatingAdd(sum, 2);
        verbose = scope.verbose();
        unicode = scope.unicode();
        sum = scope.sum();
        last = scope.last();
        atom(scope.atomOut(), size);
    }

    private void enterNesting(int at) {
        if (++depth > NEST_LIMIT) {
            throw DocumentPattern.error(src, at, 1,
                    "exceed the maximum number of nested parentheses/brackets (" + NEST_LIMIT + ")");
        }
    }

    private static boolean isVerboseSpace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }

    private static long saturatingAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }

    private static long saturatingMultiply(long a, long b) {
        return b != 0 && a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }
}
