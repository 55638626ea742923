package io.eventagg.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventagg.sink.TableSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The final content of a result table from two runs of the same records (a disturbed one and an
 * undisturbed one), compared row for row and column for column, except {@code version} (replays
 * and restores may write different versions of the same value) and the HLL sketch bytes (whose
 * serialized form depends on merge order; the unique counts estimated from them are compared:
 * exactly up to 1,000, within 1 % above). Rows are maps of column name to value as a database
 * returns them: ClickHouse's text ({@link ClickHouseHttp#query}) or DuckDB's objects ({@link
 * DuckTables#rows}); both sides must come from the same kind of database.
 */
public final class SameTables {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** HLL sketch columns: their bytes depend on merge order; the estimates next to them are compared. */
    public static final Set<String> HLL_SKETCHES = Set.of("users_sketch", "sessions_sketch");
    /** HLL estimates: equal up to 1,000, within 1 % above. */
    public static final Set<String> ESTIMATES = Set.of("unique_users", "unique_sessions", "users");

    private SameTables() {}

    /** The columns compared: every column of the table but {@code version} and the HLL sketches. */
    public static List<String> columns(TableSpec t) {
        return t.columns().stream()
                .map(c -> c.name())
                .filter(c -> !c.equals("version") && !HLL_SKETCHES.contains(c))
                .toList();
    }

    /**
     * Asserts that both runs have the same keys and, per key, the same values in {@link #columns};
     * returns the number of rows compared.
     */
    public static int assertSame(
            TableSpec t, List<? extends Map<String, ?>> disturbed, List<? extends Map<String, ?>> undisturbed)
            throws Exception {
        Map<List<Object>, Map<String, ?>> a = byKey(t, disturbed);
        Map<List<Object>, Map<String, ?>> b = byKey(t, undisturbed);
        assertThat(a.keySet()).as(t.name() + ": keys").containsExactlyInAnyOrderElementsOf(b.keySet());
        for (Map.Entry<List<Object>, Map<String, ?>> e : b.entrySet()) {
            Map<String, ?> x = a.get(e.getKey());
            Map<String, ?> y = e.getValue();
            for (String c : columns(t)) {
                String what = t.name() + " " + e.getKey() + " " + c;
                if (ESTIMATES.contains(c)) {
                    long u = asLong(x.get(c)), v = asLong(y.get(c));
                    if (Math.max(u, v) <= 1000) assertThat(u).as(what).isEqualTo(v);
                    else
                        assertThat(Math.abs(u - v) / (double) Math.max(u, v))
                                .as(what + " (" + u + " vs " + v + ")")
                                .isLessThanOrEqualTo(0.01);
                } else if (c.equals("breakdown_users")) {
                    if (y.get(c) == null) assertThat(x.get(c)).as(what).isNull();
                    else {
                        Map<String, Map<String, Long>> expected = StoredBreakdownUsers.estimates((String) y.get(c));
                        Map<String, Map<String, Long>> actual = StoredBreakdownUsers.estimates((String) x.get(c));
                        assertThat(actual.keySet()).as(what).isEqualTo(expected.keySet());
                        expected.forEach((k, values) -> values.forEach((v, n) -> {
                            long u = actual.get(k).getOrDefault(v, -1L);
                            if (Math.max(u, n) <= 1000)
                                assertThat(u).as(what + " " + k + "=" + v).isEqualTo(n);
                            else
                                assertThat(Math.abs(u - n) / (double) Math.max(u, n))
                                        .as(what + " " + k + "=" + v)
                                        .isLessThanOrEqualTo(0.01);
                        }));
                    }
                } else if (c.equals("breakdowns")) {
                    assertThat(JSON.readValue(
                                    (String) x.get(c), new TypeReference<Map<String, Map<String, Long>>>() {}))
                            .as(what)
                            .isEqualTo(JSON.readValue(
                                    (String) y.get(c), new TypeReference<Map<String, Map<String, Long>>>() {}));
                } else {
                    assertThat(x.get(c)).as(what).isEqualTo(y.get(c));
                }
            }
        }
        return b.size();
    }

    static Map<List<Object>, Map<String, ?>> byKey(TableSpec t, List<? extends Map<String, ?>> rows) {
        Map<List<Object>, Map<String, ?>> out = new HashMap<>();
        for (Map<String, ?> r : rows) {
            List<Object> key = t.key().stream().map(k -> (Object) r.get(k)).toList();
            assertThat(out.put(key, r))
                    .as(t.name() + ": one row per key " + key)
                    .isNull();
        }
        return out;
    }

    private static long asLong(Object v) {
        Objects.requireNonNull(v, "an estimate is never null");
        return v instanceof Number n ? n.longValue() : Long.parseLong(v.toString());
    }
}
