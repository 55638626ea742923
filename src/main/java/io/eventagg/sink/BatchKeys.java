package io.eventagg.sink;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The newest row per natural key of one batch, found without an object per row: rows are hashed
 * over their key columns into an open-addressing table of row positions, and only rows whose
 * 64-bit hashes are equal have their keys compared (by {@link Objects#equals}, as before). The
 * arrays are kept and reused from batch to batch.
 */
final class BatchKeys {
    private final int[] keyIndexes;
    private final int versionIndex;
    private int[] slots = new int[0];
    private Object[][] rows = new Object[0][];
    private long[] hashes = new long[0];
    private int size;
    private int filled;

    /** @param versionIndex the version column, or -1: then the last row of a key wins */
    BatchKeys(int[] keyIndexes, int versionIndex) {
        this.keyIndexes = keyIndexes;
        this.versionIndex = versionIndex;
    }

    /**
     * Keeps per key the row with the highest version (the last of equal versions), at the position
     * where the key first appeared.
     */
    void newestPerKey(List<Object[]> batch) {
        int n = batch.size();
        int capacity = Integer.highestOneBit(Math.max(4, n) * 2 - 1) << 1;
        if (slots.length < capacity) slots = new int[capacity];
        else Arrays.fill(slots, 0, capacity, 0);
        if (rows.length < n) {
            rows = new Object[n][];
            hashes = new long[n];
        }
        int mask = capacity - 1;
        size = 0;
        outer:
        for (Object[] row : batch) {
            long h = hash(row);
            int s = (int) h & mask;
            for (int e; (e = slots[s]) != 0; s = (s + 1) & mask) {
                int at = e - 1;
                if (hashes[at] == h && sameKey(rows[at], row)) {
                    if (versionIndex < 0 || version(row) >= version(rows[at])) rows[at] = row;
                    continue outer;
                }
            }
            slots[s] = size + 1;
            rows[size] = row;
            hashes[size] = h;
            size++;
        }
        // drop references to rows of an earlier, longer batch
        if (filled > size) Arrays.fill(rows, size, filled, null);
        filled = size;
    }

    /** Distinct keys in the last batch. */
    int size() {
        return size;
    }

    /** The i-th distinct row of the last batch. */
    Object[] row(int i) {
        return rows[i];
    }

    /** The key hash of the i-th distinct row (see {@link #hash}). */
    long hash(int i) {
        return hashes[i];
    }

    private long version(Object[] row) {
        return ((Number) row[versionIndex]).longValue();
    }

    private boolean sameKey(Object[] a, Object[] b) {
        for (int k : keyIndexes) {
            if (!Objects.equals(a[k], b[k])) return false;
        }
        return true;
    }

    /** A 64-bit hash of a row's key columns; equal keys have equal hashes. */
    long hash(Object[] row) {
        long h = 0x243F6A8885A308D3L;
        for (int k : keyIndexes) {
            Object v = row[k];
            long x = v == null ? 0 : v instanceof Long l ? l : v.hashCode();
            h = (h ^ x) * 0x9E3779B97F4A7C15L;
            h ^= h >>> 29;
        }
        // murmur3's finalizer: the low bits pick the slot
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }
}
