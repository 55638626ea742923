package io.eventagg.timeseries;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Exact counts per value for each breakdown key of one bucket, holding at most {@code cap} distinct
 * values per key: once full, events with a new value count toward {@code $other} directly, so a
 * property with millions of values cannot blow up state.
 */
public final class BreakdownCounts {
    public static final String OTHER = "$other";
    /** Longer values are counted under {@code $other}: a breakdown is for grouping, not for blobs. */
    public static final int MAX_VALUE_CHARS = 1000;

    /** The order of {@link #top}: count descending, then value. */
    static final Comparator<Map.Entry<String, long[]>> BY_COUNT_THEN_VALUE =
            Comparator.<Map.Entry<String, long[]>>comparingLong(e -> -e.getValue()[0]).thenComparing(Map.Entry::getKey);

    private final HashMap<String, long[]>[] values;
    private final long[] overflow;
    private final int cap;

    @SuppressWarnings("unchecked")
    public BreakdownCounts(int keys, int cap) {
        this.values = new HashMap[keys];
        for (int i = 0; i < keys; i++) values[i] = new HashMap<>();
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
        HashMap<String, long[]> m = values[key];
        long[] c = m.get(value);
        if (c != null) {
            c[0] += n;
        } else if (m.size() < cap) {
            m.put(value, new long[] {n});
        } else {
            overflow[key] += n;
        }
    }

    public void addOverflow(int key, long n) {
        overflow[key] += n;
    }

    public void addAll(BreakdownCounts other) {
        for (int k = 0; k < values.length; k++) {
            for (Map.Entry<String, long[]> e : other.values[k].entrySet()) add(k, e.getKey(), e.getValue()[0]);
            overflow[k] += other.overflow[k];
        }
    }

    public void addAll(int[] keys, String[] vals, long[] counts, long[] overflows) {
        if (keys != null) {
            for (int i = 0; i < keys.length; i++) add(keys[i], vals[i], counts[i]);
        }
        if (overflows != null) {
            for (int k = 0; k < overflows.length && k < overflow.length; k++) overflow[k] += overflows[k];
        }
    }

    public Map<String, long[]> values(int key) {
        return values[key];
    }

    public long overflow(int key) {
        return overflow[key];
    }

    public int size() {
        int n = 0;
        for (HashMap<String, long[]> m : values) n += m.size();
        return n;
    }

    /** Flattens into the parallel arrays of a {@link SeriesPartial}: {keys, values, counts}. */
    public Object[] flatten() {
        int n = size();
        int[] keys = new int[n];
        String[] vals = new String[n];
        long[] counts = new long[n];
        int i = 0;
        for (int k = 0; k < values.length; k++) {
            for (Map.Entry<String, long[]> e : values[k].entrySet()) {
                keys[i] = k;
                vals[i] = e.getKey();
                counts[i] = e.getValue()[0];
                i++;
            }
        }
        return new Object[] {keys, vals, counts, overflow.clone()};
    }

    /**
     * The top {@code limit} values of key {@code key} by count (ties by value), with everything else
     * (smaller values and overflow) summed under {@code $other} when non-zero.
     */
    public List<Map.Entry<String, Long>> top(int key, int limit) {
        List<Map.Entry<String, long[]>> all = new ArrayList<>(values[key].entrySet());
        all.sort(BY_COUNT_THEN_VALUE);
        List<Map.Entry<String, Long>> out = new ArrayList<>();
        long other = overflow[key];
        for (int i = 0; i < all.size(); i++) {
            Map.Entry<String, long[]> e = all.get(i);
            if (i < limit && !e.getKey().equals(OTHER)) {
                out.add(Map.entry(e.getKey(), e.getValue()[0]));
            } else {
                other += e.getValue()[0];
            }
        }
        if (other > 0) out.add(Map.entry(OTHER, other));
        return out;
    }
}
