package io.eventagg.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.sketch.Sketches;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;

/** Funnel rows in a DuckDB database compared with the reference ({@link RefFunnels}). */
public final class FunnelTables {
    private FunnelTables() {}

    /**
     * Every row of the test funnels ({@link TestJobs#FUNNELS}) in {@code ea_funnel_steps} is final and
     * equals the reference per environment, entry day and step: users (exact up to 1,000, within 2 %
     * above), counts and sums of the times, and their medians within the sketch's accuracy.
     */
    public static void assertMatchReference(String url, ZoneId zone, List<RefEvent> events) throws Exception {
        assertMatchReference(DuckTables.rows(url, "SELECT * FROM ea_funnel_steps"), zone, events);
    }

    /** The same for rows in the table's columns from anywhere (e.g. {@link CollectingOutputs#funnelRows}). */
    public static void assertMatchReference(List<Map<String, Object>> rows, ZoneId zone, List<RefEvent> events) {
        int checkedCells = 0;
        for (int f = 0; f < RefJobFunnels.NAMES.size(); f++) {
            String name = RefJobFunnels.NAMES.get(f);
            Map<RefFunnels.Key, RefFunnels.Cell> expected =
                    RefFunnels.compute(events, RefJobFunnels.all().get(f), zone);
            Map<RefFunnels.Key, Map<String, Object>> actual = new HashMap<>();
            for (Map<String, Object> r : rows) {
                if (!name.equals(r.get("funnel"))) continue;
                long users = ((Number) r.get("users")).longValue();
                RefFunnels.Key k = new RefFunnels.Key(
                        (String) r.get("environment"), millis(r.get("entry_day")), ((Number) r.get("step")).intValue());
                assertThat(r.get("is_final")).isEqualTo(true);
                if (users > 0) actual.put(k, r);
                else assertThat(expected).as(name + " " + k + " has no users").doesNotContainKey(k);
            }
            assertThat(actual.keySet()).as(name).containsExactlyInAnyOrderElementsOf(expected.keySet());
            for (Map.Entry<RefFunnels.Key, RefFunnels.Cell> e : expected.entrySet()) {
                Map<String, Object> r = actual.get(e.getKey());
                RefFunnels.Cell c = e.getValue();
                String where = name + " " + e.getKey();
                long users = ((Number) r.get("users")).longValue();
                if (c.users.size() <= 1000) assertThat(users).as(where).isEqualTo(c.users.size());
                else
                    assertThat(Math.abs(users - c.users.size()) / (double) c.users.size())
                            .as(where)
                            .isLessThan(0.02);
                assertThat(((Number) r.get("from_previous_count")).longValue())
                        .as(where)
                        .isEqualTo(c.fromPrevious.size());
                assertThat(((Number) r.get("from_start_count")).longValue())
                        .as(where)
                        .isEqualTo(c.fromStart.size());
                assertThat(((Number) r.get("from_previous_sum_seconds")).doubleValue())
                        .as(where)
                        .isCloseTo(
                                c.fromPrevious.stream()
                                        .mapToDouble(Double::doubleValue)
                                        .sum(),
                                Offset.offset(1e-3));
                assertThat(((Number) r.get("from_start_sum_seconds")).doubleValue())
                        .as(where)
                        .isCloseTo(
                                c.fromStart.stream()
                                        .mapToDouble(Double::doubleValue)
                                        .sum(),
                                Offset.offset(1e-3));
                if (!c.fromStart.isEmpty()) assertMedian((String) r.get("from_start_sketch"), c.fromStart, where);
                checkedCells++;
            }
            long reachedLast = expected.entrySet().stream()
                    .filter(x -> x.getKey().step() == 3)
                    .mapToLong(x -> x.getValue().users.size())
                    .sum();
            assertThat(reachedLast)
                    .as(name + ": someone converts, so the whole funnel is exercised")
                    .isPositive();
        }
        assertThat(checkedCells).isGreaterThan(30);
    }

    /** The stored distribution's median is within the sketch's relative accuracy of the exact one. */
    static void assertMedian(String base64, List<Double> values, String where) {
        var sketch = Sketches.quantilesFromBytes(Sketches.fromBase64(base64));
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        for (double q : new double[] {0.5, 0.9}) {
            double exact = sorted.get((int) Math.floor(q * (sorted.size() - 1)));
            assertThat(Sketches.quantile(sketch, q))
                    .as("quantile " + q + " " + where)
                    .isCloseTo(exact, Offset.offset(exact * Sketches.QUANTILE_ACCURACY * 1.01 + 1e-9));
        }
        assertThat(sketch.getCount()).isEqualTo(values.size());
    }

    public static long millis(Object ts) {
        if (ts instanceof Number n) return n.longValue();
        if (ts instanceof Timestamp t) return t.toInstant().toEpochMilli();
        if (ts instanceof LocalDateTime l) return l.toInstant(ZoneOffset.UTC).toEpochMilli();
        throw new IllegalArgumentException(String.valueOf(ts));
    }
}
