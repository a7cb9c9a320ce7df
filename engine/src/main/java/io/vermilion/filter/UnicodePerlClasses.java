package io.vermilion.filter;

import java.util.function.IntPredicate;

/**
 * Rust regex's Unicode {@code \d}, {@code \w}, {@code \s} (and their negations) as RE2/J character-class bodies of
 * explicit code point ranges, since RE2/J's own Perl classes are ASCII-only. Built once from the JDK's Unicode
 * tables; immutable and thread-safe.
 */
final class UnicodePerlClasses {

    /** Decimal digits: general category Nd. */
    private static final String DIGIT = ranges(cp -> Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER);
    private static final String NOT_DIGIT = ranges(cp -> Character.getType(cp) != Character.DECIMAL_DIGIT_NUMBER);
    private static final IntPredicate IS_WORD = UnicodePerlClasses::isWord;
    private static final String WORD = ranges(IS_WORD);
    private static final String NOT_WORD = ranges(IS_WORD.negate());
    private static final IntPredicate IS_SPACE = UnicodePerlClasses::isWhiteSpace;
    private static final String SPACE = ranges(IS_SPACE);
    private static final String NOT_SPACE = ranges(IS_SPACE.negate());

    private UnicodePerlClasses() {}

    /**
     * The class body (no brackets) for the Perl class letter {@code d D w W s S}, or null for any other letter.
     */
    static String body(char letter) {
        return switch (letter) {
            case 'd' -> DIGIT;
            case 'D' -> NOT_DIGIT;
            case 'w' -> WORD;
            case 'W' -> NOT_WORD;
            case 's' -> SPACE;
            case 'S' -> NOT_SPACE;
            default -> null;
        };
    }

    /** Unicode's word characters as UTS #18 and Rust define them: Alphabetic, marks, Nd, Pc, Join_Control. */
    private static boolean isWord(int cp) {
        if (Character.isAlphabetic(cp) || cp == 0x200C || cp == 0x200D) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
                || type == Character.COMBINING_SPACING_MARK || type == Character.DECIMAL_DIGIT_NUMBER
                || type == Character.CONNECTOR_PUNCTUATION;
    }

    /** Unicode's White_Space property. */
    private static boolean isWhiteSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    private static String ranges(IntPredicate member) {
        StringBuilder sb = new StringBuilder();
        int cp = 0;
        while (cp <= Character.MAX_CODE_POINT) {
            if (!member.test(cp)) {
                cp++;
                continue;
            }
            int start = cp;
            while (cp + 1 <= Character.MAX_CODE_POINT && member.test(cp + 1)) {
                cp++;
            }
            sb.append("\\x{").append(Integer.toHexString(start)).append('}');
            if (cp > start) {
                sb.append("-\\x{").append(Integer.toHexString(cp)).append('}');
            }
            cp++;
        }
        return sb.toString();
    }
}
