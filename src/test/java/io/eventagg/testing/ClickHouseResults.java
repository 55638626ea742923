package io.eventagg.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads eventagg's time-series results from ClickHouse (newest version per key, through FINAL) and
 * compares them with {@link RefTimeSeries}.
 */
public final class ClickHouseResults {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClickHouseResults() {}

    /** Rows of ea_timeseries and ea_activity (event null) of a job, by key. */
    public static Map<RefTimeSeries.Key, Map<String, String>> timeSeries(ClickHouseServer.Database db, String job)
            throws IOException, InterruptedException {
        Map<RefTimeSeries.Key, Map<String, String>> out = new HashMap<>();
        for (Map<String, String> r :
                db.query("SELECT environment, event, granularity, toInt64(toUnixTimestamp(bucket_start)) * 1000 AS b,"
                        + " event_count, unique_users, breakdowns, breakdown_users, is_final FROM ea_timeseries FINAL"
                        + " WHERE job = '"
                        + job + "'")) {
            Map<String, String> prev = out.put(
                    new RefTimeSeries.Key(
                            r.get("environment"), r.get("event"), r.get("granularity"), Long.parseLong(r.get("b"))),
                    r);
            assertThat(prev).as("FINAL returns one row per key").isNull();
        }
        for (Map<String, String> r :
                db.query("SELECT environment, granularity, toInt64(toUnixTimestamp(bucket_start)) * 1000 AS b,"
                        + " event_count, unique_users, unique_sessions, is_final FROM ea_activity FINAL WHERE job = '"
                        + job + "'")) {
            Map<String, String> prev = out.put(
                    new RefTimeSeries.Key(r.get("environment"), null, r.get("granularity"), Long.parseLong(r.get("b"))),
                    r);
            assertThat(prev).as("FINAL returns one row per key").isNull();
        }
        return out;
    }

    /**
     * Every expected bucket (selected by {@code which}) has a final row with the reference's count,
     * unique users (exact up to 1,000, else within 2 %), sessions and top breakdowns; returns how
     * many buckets were compared.
     */
    public static int assertMatches(
            Map<RefTimeSeries.Key, RefTimeSeries.Bucket> expected,
            Map<RefTimeSeries.Key, Map<String, String>> actual,
            int breakdownLimit,
            Predicate<RefTimeSeries.Key> which)
            throws IOException {
        int compared = 0;
        for (Map.Entry<RefTimeSeries.Key, RefTimeSeries.Bucket> e : expected.entrySet()) {
            if (!which.test(e.getKey())) continue;
            compared++;
            String where = e.getKey().toString();
            Map<String, String> row = actual.get(e.getKey());
            assertThat(row).as("row for " + where).isNotNull();
            RefTimeSeries.Bucket b = e.getValue();
            assertThat(row.get("is_final")).as("final " + where).isEqualTo("1");
            assertThat(Long.parseLong(row.get("event_count")))
                    .as("count " + where)
                    .isEqualTo(b.count);
            assertUnique(Long.parseLong(row.get("unique_users")), b.users.size(), "users " + where);
            if (e.getKey().event() == null) {
                assertUnique(Long.parseLong(row.get("unique_sessions")), b.sessions.size(), "sessions " + where);
            } else {
                Map<String, Map<String, Long>> stored = JSON.readValue(row.get("breakdowns"), new TypeReference<>() {});
                assertThat(stored).as("breakdowns " + where).isEqualTo(b.topBreakdowns(breakdownLimit));
                // The default breakdown_users: days, weeks and months.
                if (e.getKey().granularity().equals("minute")
                        || e.getKey().granularity().equals("hour"))
                    assertThat(row.get("breakdown_users"))
                            .as("no users per value " + where)
                            .isNull();
                else
                    StoredBreakdownUsers.assertMatch(
                            row.get("breakdown_users"), b.topBreakdownUsers(breakdownLimit), where);
            }
        }
        return compared;
    }

    /** No row exists that the reference does not expect (among the keys selected). */
    public static void assertNoExtraRows(
            Collection<RefTimeSeries.Key> expected,
            Collection<RefTimeSeries.Key> actual,
            Predicate<RefTimeSeries.Key> which) {
        assertThat(actual.stream()
                        .filter(which)
                        .filter(k -> !expected.contains(k))
                        .toList())
                .as("rows without reference")
                .isEmpty();
    }

    public static void assertUnique(long actual, long exact, String what) {
        if (exact <= 1000) {
            assertThat(actual).as(what).isEqualTo(exact);
        } else {
            assertThat(Math.abs(actual - exact) / (double) exact)
                    .as(what + " relative error")
                    .isLessThanOrEqualTo(0.02);
        }
    }
}
