package io.eventagg.timeseries;

import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * A set of 64-bit id hashes (open addressing, linear probing): what a minute accumulator keeps of
 * its users and sessions until the combiner flushes it into sketches. Cheaper than a sketch for
 * the handful of ids a minute usually sees, and each distinct id is then fed once to every
 * granularity's sketch.
 */
final class LongHashSet {
    private static final long EMPTY = 0L;

    private long[] table;
    private int size;
    private boolean hasZero;

    LongHashSet() {
        table = new long[8];
    }

    void add(long v) {
        if (v == EMPTY) {
            if (!hasZero) {
                hasZero = true;
                size++;
            }
            return;
        }
        int mask = table.length - 1;
        int i = mix(v) & mask;
        while (true) {
            long t = table[i];
            if (t == v) return;
            if (t == EMPTY) {
                table[i] = v;
                if (++size * 2 > table.length) grow();
                return;
            }
            i = (i + 1) & mask;
        }
    }

    int size() {
        return size;
    }

    /** The elements, in no particular order. */
    long[] toArray() {
        long[] out = new long[size];
        int n = 0;
        if (hasZero) out[n++] = EMPTY;
        for (long t : table) if (t != EMPTY) out[n++] = t;
        return out;
    }

    /** Empties the set, keeping its table for reuse. */
    void clear() {
        if (size > 0) Arrays.fill(table, EMPTY);
        size = 0;
        hasZero = false;
    }

    /** Adds every element to {@code target}. */
    void addAllTo(LongHashSet target) {
        if (hasZero) target.add(EMPTY);
        for (long t : table) if (t != EMPTY) target.add(t);
    }

    /** Feeds every element to a union (no lambda per call). */
    void updateAll(org.apache.datasketches.hll.Union union) {
        if (hasZero) union.update(EMPTY);
        for (long t : table) if (t != EMPTY) union.update(t);
    }

    /** Calls {@code f} with every element. */
    void forEach(LongConsumer f) {
        if (hasZero) f.accept(EMPTY);
        for (long t : table) if (t != EMPTY) f.accept(t);
    }

    private void grow() {
        long[] old = table;
        table = new long[old.length * 2];
        int mask = table.length - 1;
        for (long t : old) {
            if (t == EMPTY) continue;
            int i = mix(t) & mask;
            while (table[i] != EMPTY) i = (i + 1) & mask;
            table[i] = t;
        }
    }

    private static int mix(long v) {
        long h = v * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    @Override
    public String toString() {
        return "LongHashSet" + Arrays.toString(table);
    }
}
