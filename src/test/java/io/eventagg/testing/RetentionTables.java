package io.eventagg.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Retention rows in a DuckDB database compared with the reference ({@link RefRetention}). */
public final class RetentionTables {
    private RetentionTables() {}

    /**
     * Every cohort and period row of the test definitions ({@link TestJobs#RETENTION}) is final and
     * equals the reference: cohort sizes, and users on and on-or-after every period.
     */
    public static void assertMatchReference(String url, ZoneId zone, List<RefEvent> events) throws Exception {
        assertMatchReference(
                DuckTables.rows(url, "SELECT * FROM ea_retention_cohorts"),
                DuckTables.rows(url, "SELECT * FROM ea_retention_periods"),
                zone,
                events);
    }

    /** The same for rows in the tables' columns from anywhere (e.g. {@link CollectingOutputs}). */
    public static void assertMatchReference(
            List<Map<String, Object>> cohorts, List<Map<String, Object>> periods, ZoneId zone, List<RefEvent> events) {
        for (int d = 0; d < RefJobRetention.NAMES.size(); d++) {
            String name = RefJobRetention.NAMES.get(d);
            RefRetention.Definition def = RefJobRetention.all().get(d);
            Map<RefRetention.Key, RefRetention.Cohort> expected = RefRetention.compute(events, def, zone);
            assertThat(expected).as(name + " has cohorts").isNotEmpty();
            Map<RefRetention.Key, Long> sizes = new HashMap<>();
            for (Map<String, Object> r : cohorts) {
                if (!name.equals(r.get("retention"))) continue;
                assertThat(r.get("is_final")).isEqualTo(true);
                long size = ((Number) r.get("cohort_size")).longValue();
                RefRetention.Key k =
                        new RefRetention.Key((String) r.get("environment"), FunnelTables.millis(r.get("cohort_start")));
                if (size != 0) sizes.put(k, size);
            }
            Map<RefRetention.Key, Long> expectedSizes = new HashMap<>();
            expected.forEach((k, v) -> expectedSizes.put(k, v.size));
            assertThat(sizes).as(name + " cohort sizes").isEqualTo(expectedSizes);
            int cells = 0;
            for (Map<String, Object> r : periods) {
                if (!name.equals(r.get("retention"))) continue;
                RefRetention.Key k =
                        new RefRetention.Key((String) r.get("environment"), FunnelTables.millis(r.get("cohort_start")));
                int p = ((Number) r.get("period")).intValue();
                RefRetention.Cohort c = expected.get(k);
                long on = ((Number) r.get("users_on")).longValue();
                long onOrAfter = ((Number) r.get("users_on_or_after")).longValue();
                if (c == null) {
                    assertThat(on + onOrAfter)
                            .as(name + " " + k + " should be empty")
                            .isZero();
                    continue;
                }
                assertThat(on).as(name + " " + k + " on " + p).isEqualTo(c.on[p]);
                assertThat(onOrAfter).as(name + " " + k + " on-or-after " + p).isEqualTo(c.onOrAfter[p]);
                cells++;
            }
            assertThat(cells)
                    .as(name + " every cohort has all its periods")
                    .isEqualTo(expected.size() * (def.periods() + 1));
        }
    }
}
