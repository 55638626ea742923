package io.eventagg.query;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Breakdown counts ({@code {key: {value: count}}}) in the order answers show them. */
final class BreakdownCounts {
    private BreakdownCounts() {}

    /** Every asked-for key, in the order asked, without values yet. */
    static Map<String, Map<String, Long>> empty(List<String> keys) {
        Map<String, Map<String, Long>> m = new LinkedHashMap<>();
        for (String k : keys) m.put(k, new TreeMap<>());
        return m;
    }

    /** Values by descending count, ties by value, {@code $other} last. */
    static Map<String, Long> byCount(Map<String, Long> m) {
        Map<String, Long> out = new LinkedHashMap<>();
        m.entrySet().stream()
                .sorted((a, b) -> {
                    boolean ao = a.getKey().equals("$other"), bo = b.getKey().equals("$other");
                    if (ao != bo) return ao ? 1 : -1;
                    int c = Long.compare(b.getValue(), a.getValue());
                    return c != 0 ? c : a.getKey().compareTo(b.getKey());
                })
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
