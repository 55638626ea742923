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
 *
 * <p>When built with a sketch size ({@code usersLgK > 0}) each value also collects its distinct
 * users ({@link DistinctIds.Collector}: exact hashes while few, then an HLL union), and each key the
 * users of the events counted under {@code $other} without a value, so unique users per value merge
 * over any range like the series' own.
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
    /** Sketch size of the per-value users; 0 when users are not collected. */
    private final int usersLgK;
    /** Per key and value, its users (parallel to {@code values}); null when not collected. */
    private final DistinctIds.Collector[][] users;
    /** Per key, the users of the events counted as overflow; null when not collected. */
    private final DistinctIds.Collector[] overflowUsers;

    public BreakdownCounts(int keys, int cap) {
        this(keys, cap, 0);
    }

    /** @param usersLgK the per-value users' sketch size, or 0 to count events only */
    public BreakdownCounts(int keys, int cap, int usersLgK) {
        this.values = new String[keys][];
        this.counts = new long[keys][];
        for (int k = 0; k < keys; k++) {
            values[k] = NO_VALUES;
            counts[k] = NO_COUNTS;
        }
        this.sizes = new int[keys];
        this.overflow = new long[keys];
        this.cap = cap;
        this.usersLgK = usersLgK;
        this.users = usersLgK > 0 ? new DistinctIds.Collector[keys][] : null;
        this.overflowUsers = usersLgK > 0 ? new DistinctIds.Collector[keys] : null;
        if (users != null) for (int k = 0; k < keys; k++) users[k] = NO_USERS;
    }

    private static final DistinctIds.Collector[] NO_USERS = new DistinctIds.Collector[0];

    /** Whether values collect their users. */
    public boolean hasUsers() {
        return users != null;
    }

    public int usersLgK() {
        return usersLgK;
    }

    public int keys() {
        return values.length;
    }

    public int cap() {
        return cap;
    }

    public void add(int key, String value, long n) {
        slot(key, value, n);
    }

    /** Counts one event of user {@code userHash} ({@code Sketches.idHash}) with this value. */
    public void add(int key, String value, long n, long userHash) {
        int i = slot(key, value, n);
        if (users != null) usersAt(key, i).add(userHash);
    }

    /** Adds {@code n} to the value's count; returns its index, or -1 when it went to the overflow. */
    private int slot(int key, String value, long n) {
        if (value.length() > MAX_VALUE_CHARS) {
            overflow[key] += n;
            return -1;
        }
        int i = find(key, value);
        if (i >= 0) {
            counts[key][i] += n;
            return i;
        } else if (sizes[key] < cap) {
            append(key, value, n);
            return sizes[key] - 1;
        } else {
            overflow[key] += n;
            return -1;
        }
    }

    /** The users of value {@code i} of {@code key} (of its overflow for -1), created when first asked. */
    private DistinctIds.Collector usersAt(int key, int i) {
        if (i < 0) {
            if (overflowUsers[key] == null) overflowUsers[key] = new DistinctIds.Collector(usersLgK);
            return overflowUsers[key];
        }
        DistinctIds.Collector c = users[key][i];
        if (c == null) users[key][i] = c = new DistinctIds.Collector(usersLgK);
        return c;
    }

    /** Restores the users of value {@code i} of {@code key} (-1: its overflow), as read from state. */
    void setUsers(int key, int i, DistinctIds.Collector c) {
        if (i < 0) overflowUsers[key] = c;
        else users[key][i] = c;
    }

    /** The users of value {@code i} of {@code key}, or null when none were collected. */
    public DistinctIds.Collector users(int key, int i) {
        return users == null || i >= users[key].length ? null : users[key][i];
    }

    /** The users of the events {@code key} counted as overflow, or null. */
    public DistinctIds.Collector overflowUsers(int key) {
        return overflowUsers == null ? null : overflowUsers[key];
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
            if (users != null) users[key] = Arrays.copyOf(users[key], grown);
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

    /** Adds users to value {@code i} of {@code key} (-1: its overflow); nothing when users are not collected. */
    void addUsers(int key, int i, DistinctIds ids) {
        if (users != null && ids != null) usersAt(key, i).addAll(ids);
    }

    public void addAll(BreakdownCounts other) {
        for (int k = 0; k < values.length; k++) {
            String[] v = other.values[k];
            long[] c = other.counts[k];
            for (int i = 0, n = other.sizes[k]; i < n; i++) {
                int at = slot(k, v[i], c[i]);
                DistinctIds.Collector u = other.users(k, i);
                if (users != null && u != null) usersAt(k, at).addAll(u);
            }
            overflow[k] += other.overflow[k];
            DistinctIds.Collector o = other.overflowUsers(k);
            if (users != null && o != null) usersAt(k, -1).addAll(o);
        }
    }

    public void addAll(int[] keys, String[] vals, long[] cnts, long[] overflows) {
        addAll(keys, vals, cnts, overflows, null, null);
    }

    /**
     * @param valueUsers per value, its users (parallel to {@code vals}); null when not carried
     * @param overflowIds per key, the users of its overflow; null when not carried
     */
    public void addAll(
            int[] keys,
            String[] vals,
            long[] cnts,
            long[] overflows,
            DistinctIds[] valueUsers,
            DistinctIds[] overflowIds) {
        if (keys != null) {
            for (int i = 0; i < keys.length; i++) {
                int at = slot(keys[i], vals[i], cnts[i]);
                if (valueUsers != null) addUsers(keys[i], at, valueUsers[i]);
            }
        }
        if (overflows != null) {
            for (int k = 0; k < overflows.length && k < overflow.length; k++) overflow[k] += overflows[k];
        }
        if (overflowIds != null) {
            for (int k = 0; k < overflowIds.length && k < overflow.length; k++) addUsers(k, -1, overflowIds[k]);
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

    /**
     * The parallel arrays a {@link SeriesPartial} carries.
     *
     * @param users per value its users, null when not collected (and then also {@code overflowUsers})
     */
    public record Flat(
            int[] keys,
            String[] values,
            long[] counts,
            long[] overflow,
            DistinctIds[] users,
            DistinctIds[] overflowUsers) {}

    /** Flattens into the parallel arrays of a {@link SeriesPartial}, with the values' users when collected. */
    public Flat flatten() {
        return flatten(true);
    }

    /** @param withUsers whether the values' users go along (when they are collected) */
    public Flat flatten(boolean withUsers) {
        int n = size();
        int[] keys = new int[n];
        String[] vals = new String[n];
        long[] cnts = new long[n];
        DistinctIds[] ids = users == null || !withUsers ? null : new DistinctIds[n];
        int at = 0;
        for (int k = 0; k < values.length; k++) {
            int s = sizes[k];
            Arrays.fill(keys, at, at + s, k);
            System.arraycopy(values[k], 0, vals, at, s);
            System.arraycopy(counts[k], 0, cnts, at, s);
            if (ids != null)
                for (int i = 0; i < s; i++) {
                    DistinctIds.Collector c = users[k][i];
                    ids[at + i] = c == null ? null : c.build();
                }
            at += s;
        }
        DistinctIds[] over = null;
        if (overflowUsers != null && withUsers) {
            over = new DistinctIds[values.length];
            for (int k = 0; k < over.length; k++) over[k] = overflowUsers[k] == null ? null : overflowUsers[k].build();
        }
        return new Flat(keys, vals, cnts, overflow.clone(), ids, over);
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
