package io.vermilion.blockstore;

import java.util.Objects;

/** Where one record block is and which ids it covers: {@code [firstId, lastId]} in id order, {@code recordCount} ids. */
public record BlockRef(String key, String firstId, String lastId, int recordCount) {

    public BlockRef {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(firstId, "firstId");
        Objects.requireNonNull(lastId, "lastId");
        if (recordCount < 1) {
            throw new IllegalArgumentException("block " + key + ": record count must be at least 1: " + recordCount);
        }
        if (RecordBlockFormat.ID_ORDER.compare(firstId, lastId) > 0 || (recordCount == 1) != firstId.equals(lastId)) {
            throw new IllegalArgumentException("block " + key + ": first id '" + firstId + "' and last id '" + lastId
                    + "' do not fit " + recordCount + " records");
        }
    }

    /** Whether {@code id} falls in this block's id range (the block may still not hold it). */
    public boolean covers(String id) {
        return RecordBlockFormat.ID_ORDER.compare(firstId, id) <= 0 && RecordBlockFormat.ID_ORDER.compare(id, lastId) <= 0;
    }
}
