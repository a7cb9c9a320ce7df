package io.vermilion.log;

import java.util.UUID;

/**
 * The catalog does not record a collection's log contiguously over the offsets a {@link LogReader} was asked for:
 * no fragment starts at {@link #expected}. {@link #found} is where the next recorded fragment starts, or -1 when none
 * is recorded past {@code expected} (the log ends short of what was asked).
 */
public final class LogGapException extends IllegalStateException {

    private final long expected;
    private final long found;

    LogGapException(UUID collection, long from, long to, long expected, long found) {
        super(found < 0
                ? "the catalog's log of collection " + collection + " is read up to offset " + to
                        + " but records fragments up to " + expected + " only"
                : expected == from
                        ? "the catalog's log of collection " + collection + " resumes at offset " + found
                                + ", after the offset " + expected + " it is read from"
                        : "the catalog's log of collection " + collection + " is not contiguous: expected a fragment"
                                + " at offset " + expected + ", found one at " + found);
        this.expected = expected;
        this.found = found;
    }

    /** The offset no recorded fragment starts at. */
    public long expected() {
        return expected;
    }

    /** The start of the next recorded fragment after {@link #expected}, or -1 if there is none. */
    public long found() {
        return found;
    }
}
