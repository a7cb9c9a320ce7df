package io.vermilion.log;

import java.util.List;

import io.vermilion.record.LogRecord;

/** The decoded content of one log fragment: records in log order, the first at log offset {@code firstOffset}. */
public record LogFragment(long firstOffset, List<LogRecord> records) {

    public LogFragment {
        records = List.copyOf(records);
    }
}
