package io.vermilion.filter;

/** The scalar comparison operators of a {@code where} clause, with their wire names. */
public enum CompareOp {
    EQ("$eq"),
    NE("$ne"),
    GT("$gt"),
    GTE("$gte"),
    LT("$lt"),
    LTE("$lte");

    private final String operator;

    CompareOp(String operator) {
        this.operator = operator;
    }

    /** The operator as it appears in JSON, e.g. {@code "$gte"}. */
    public String operator() {
        return operator;
    }

    /** True for {@code $gt $gte $lt $lte}, which Chroma accepts only with an int or float operand. */
    public boolean isRange() {
        return this != EQ && this != NE;
    }

    /** The operator with this wire name, or null. */
    public static CompareOp fromOperator(String operator) {
        for (CompareOp op : values()) {
            if (op.operator.equals(operator)) {
                return op;
            }
        }
        return null;
    }
}
