package io.eventagg.timeseries;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Exact counts per value for each breakdown key of one bucket, holding at most {@code cap} distinct
 * values per key: once full, events with a new value count toward {@code $other} directly, so a
 * property with millions of values cannot blow up state.
 *
 * <p>Values are kept in insertion order in parallel arrays per key, found by a linear scan while a
 * key has few of them (a minute bucket rarely holds more than two or three) and through a hash
 * index beyond {@link #INDEX_FROM}. A bucket thus costs two small arrays per key instead of a hash
 * map with an entry and a boxed counter per value, which was most of the time series' allocation.
 * Which values are tracked once {@code cap} is reached depends on the order they arrive in, as it
 * always has (streaming and batch runs may differ there; the limit is far above what a dashboard
 * shows).
 */
public final class BreakdownCounts {
    public static final String OTHER = "$other";
    /** Longer values are counted under {@code $other}: a breakdown is for grouping, not for blobs. */
    public static final int MAX_VALUE_CHARS = 1000;
    /** From this many values on, a key gets a hash index; below, a scan is faster than hashing. */
    static final int INDEX_FROM = 12;

    private static final String[] NO_VALUES = new String[0];
    private static final long[] NO_COUNTS = new long[0];

    private final String[][] values;
    private final long[][] counts;
    private final int[] sizes;
    private final long[] overflow;
    private HashMap<String, Integer>[] index;
    private final int cap;

    public BreakdownCounts(int keys, int cap) {
        this.values = new String[keys][];
        this.counts = new long[keys][];
        for (int k = 0; k < keys; k++) {
            values[k] = NO_VALUES;
            counts[k] = NO_COUNTS;
        }
        this.sizes = new int[keys];
        this.overflow = new long[keys];
        this.cap = cap;
    }

    public int keys() {
        return values.length;
    }

    public int cap() {
        return cap;
    }

    public void add(int key, String value, long n) {
        if (value.length() > MAX_VALUE_CHARS) {
            overflow[key] += n;
            return;
        }
        int i = find(key, value);
        if (i >= 0) {
            counts[key][i] += n;
        } else if (sizes[key] < cap) {
            append(key, value, n);
        } else {
            overflow[key] += n;
        }
    }

    private int find(int key, String value) {
        if (index != null && index[key] != null) {
            Integer at = index[key].get(value);
            return at == null ? -1 : at;
        }
        String[] v = values[key];
        int h = value.hashCode();
        for (int i = 0, n = sizes[key]; i < n; i++) {
            String s = v[i];
            if (s == value || (s.hashCode() == h && s.equals(value))) return i;
        }
        return -1;
    }

    @SuppressWarnings("unchecked")
    private void append(int key, String value, long n) {
        int size = sizes[key];
        if (size == values[key].length) {
            int grown = Math.max(2, size * 2);
            values[key] = Arrays.copyOf(values[key], grown);
            counts[key] = Arrays.copyOf(counts[key], grown);
        }
        values[key][size] = value;
        counts[key][size] = n;
        sizes[key] = size + 1;
        if (size + 1 == INDEX_FROM) {
            if (index == null) index = new HashMap[values.length];
            HashMap<String, Integer> m = new HashMap<>(INDEX_FROM * 4);
            for (int i = 0; i <= size; i++) m.put(values[key][i], i);
            index[key] = m;
        } else if (size + 1 > INDEX_FROM) {
            index[key].put(value, size);
        }
    }

    public void addOverflow(int key, long n) {
        overflow[key] += n;
    }

    public void addAll(BreakdownCounts other) {
        for (int k = 0; k < values.length; k++) {
            String[] v = other.values[k];
            long[] c = other.counts[k];
            for (int i = 0, n = other.sizes[k]; i < n; i++) add(k, v[i], c[i]);
            overflow[k] += other.overflow[k];
        }
    }

    public void addAll(int[] keys, String[] vals, long[] cnts, long[] overflows) {
        if (keys != null) {
            for (int i = 0; i < keys.length; i++) add(keys[i], vals[i], cnts[i]);
        }
        if (overflows != null) {
            for (int k = 0; k < overflows.length && k < overflow.length; k++) overflow[k] += overflows[k];
        }
    }

    /** Distinct values held for {@code key}. */
    public int size(int key) {
        return sizes[key];
    }

    /** The {@code i}-th value of {@code key}, in insertion order. */
    public String value(int key, int i) {
        return values[key][i];
    }

    public long count(int key, int i) {
        return counts[key][i];
    }

    public long overflow(int key) {
        return overflow[key];
    }

    public int size() {
        int n = 0;
        for (int s : sizes) n += s;
        return n;
    }

    /** The parallel arrays a {@link SeriesPartial} carries. */
    public record Flat(int[] keys, String[] values, long[] counts, long[] overflow) {}

    /** Flattens into the parallel arrays of a {@link SeriesPartial}. */
    public Flat flatten() {
        int n = size();
        int[] keys = new int[n];
        String[] vals = new String[n];
        long[] cnts = new long[n];
        int at = 0;
        for (int k = 0; k < values.length; k++) {
            int s = sizes[k];
            Arrays.fill(keys, at, at + s, k);
            System.arraycopy(values[k], 0, vals, at, s);
            System.arraycopy(counts[k], 0, cnts, at, s);
            at += s;
        }
        return new Flat(keys, vals, cnts, overflow.clone());
    }

    /**
     * The indexes of {@code key}'s values in output order: count descending, then value (the order
     * of {@link #top}). Insertion sort: most buckets hold a value or two.
     */
    int[] order(int key) {
        int n = sizes[key];
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        if (n > 16) {
            Integer[] boxed = new Integer[n];
            for (int i = 0; i < n; i++) boxed[i] = i;
            long[] c = counts[key];
            String[] v = values[key];
            Arrays.sort(boxed, (a, b) -> c[a] != c[b] ? Long.compare(c[b], c[a]) : v[a].compareTo(v[b]));
            for (int i = 0; i < n; i++) idx[i] = boxed[i];
            return idx;
        }
        long[] c = counts[key];
        String[] v = values[key];
        for (int i = 1; i < n; i++) {
            int e = idx[i];
            int j = i - 1;
            while (j >= 0 && (c[e] != c[idx[j]] ? c[e] > c[idx[j]] : v[e].compareTo(v[idx[j]]) < 0)) {
                idx[j + 1] = idx[j];
                j--;
            }
            idx[j + 1] = e;
        }
        return idx;
    }

    /**
     * The top {@code limit} values of key {@code key} by count (ties by value), with everything else
     * (smaller values and overflow) summed under {@code $other} when non-zero.
     */
    public List<Map.Entry<String, Long>> top(int key, int limit) {
        int[] idx = order(key);
        List<Map.Entry<String, Long>> out = new ArrayList<>();
        long other = overflow[key];
        for (int i = 0; i < idx.length; i++) {
            String v = values[key][idx[i]];
            long c = counts[key][idx[i]];
            if (i < limit && !v.equals(OTHER)) {
                out.add(Map.entry(v, c));
            } else {
                other += c;
            }
        }
        if (other > 0) out.add(Map.entry(OTHER, other));
        return out;
    }
}
