package io.eventagg.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventagg.config.JobDefinition;
import io.eventagg.time.Granularity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Time-series rows compared with the reference ({@link RefTimeSeries}). */
public final class SeriesTables {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SeriesTables() {}

    /**
     * Every bucket of {@code ea_timeseries} and {@code ea_activity} (rows in the tables' columns, from a
     * database or {@link CollectingOutputs}) is final and equals the reference: counts exactly, unique
     * users and sessions exactly up to 1,000 and within 2 % above, breakdowns' top values.
     *
     * @param someEstimated also require buckets of more than 1,000 users (large datasets)
     */
    public static void assertMatchReference(
            List<Map<String, Object>> series,
            List<Map<String, Object>> activity,
            JobDefinition job,
            List<String> granularities,
            List<RefEvent> events,
            boolean someEstimated)
            throws Exception {
        assertMatchReference(series, activity, job, granularities, events, someEstimated, 0);
    }

    /** As above, with the job's horizons measured from {@code nowMs} (the reference's own reading). */
    public static void assertMatchReference(
            List<Map<String, Object>> series,
            List<Map<String, Object>> activity,
            JobDefinition job,
            List<String> granularities,
            List<RefEvent> events,
            boolean someEstimated,
            long nowMs)
            throws Exception {
        Map<String, java.time.Duration> horizons = new HashMap<>();
        job.horizons().byGranularity().forEach((g, h) -> horizons.put(g.id(), h));
        Map<RefTimeSeries.Key, RefTimeSeries.Bucket> expected =
                RefTimeSeries.compute(events, job.timezone(), granularities, job.breakdowns(), horizons, nowMs);
        Map<RefTimeSeries.Key, Map<String, Object>> actual = new HashMap<>();
        for (Map<String, Object> r : series) {
            actual.put(
                    new RefTimeSeries.Key(
                            (String) r.get("environment"),
                            (String) r.get("event"),
                            (String) r.get("granularity"),
                            FunnelTables.millis(r.get("bucket_start"))),
                    r);
        }
        for (Map<String, Object> r : activity) {
            actual.put(
                    new RefTimeSeries.Key(
                            (String) r.get("environment"),
                            null,
                            (String) r.get("granularity"),
                            FunnelTables.millis(r.get("bucket_start"))),
                    r);
        }
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        int estimated = 0;
        for (Map.Entry<RefTimeSeries.Key, RefTimeSeries.Bucket> e : expected.entrySet()) {
            Map<String, Object> row = actual.get(e.getKey());
            RefTimeSeries.Bucket b = e.getValue();
            String where = e.getKey().toString();
            assertThat(((Number) row.get("event_count")).longValue())
                    .as("count " + where)
                    .isEqualTo(b.count);
            ClickHouseResults.assertUnique(
                    ((Number) row.get("unique_users")).longValue(), b.users.size(), "users " + where);
            if (b.users.size() > 1000) estimated++;
            assertThat(row.get("is_final")).as("final " + where).isEqualTo(true);
            if (e.getKey().event() == null) {
                ClickHouseResults.assertUnique(
                        ((Number) row.get("unique_sessions")).longValue(), b.sessions.size(), "sessions " + where);
            } else {
                Map<String, Map<String, Long>> stored =
                        JSON.readValue((String) row.get("breakdowns"), new TypeReference<>() {});
                assertThat(stored).as("breakdowns " + where).isEqualTo(b.topBreakdowns(job.breakdownLimit()));
                if (job.breakdownUsersAt(Granularity.parse(e.getKey().granularity())))
                    StoredBreakdownUsers.assertMatch(
                            (String) row.get("breakdown_users"), b.topBreakdownUsers(job.breakdownLimit()), where);
                else
                    assertThat(row.get("breakdown_users"))
                            .as("no breakdown users " + where)
                            .isNull();
            }
        }
        if (someEstimated)
            assertThat(estimated)
                    .as("some buckets have more than 1,000 users, so the 2 % bound is exercised")
                    .isPositive();
    }
}
