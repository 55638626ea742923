package io.eventagg.query;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.RetentionDefinition;
import io.eventagg.sink.Tables;
import io.eventagg.time.BucketCalendar;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Answers retention questions ({@link AggregationStorage#retention}) from
 * {@code ea_retention_cohorts} and {@code ea_retention_periods}: per cohort starting in the range
 * (environments together unless one is asked for), its size and returning users per period. Only
 * periods that have fully elapsed by the job's watermark have numbers; the overall retention is
 * the size-weighted mean over them.
 */
final class RetentionReader {
    private final JobDefinition job;
    private final BucketCalendar calendar;
    private final QueryDatabase db;
    private final RefreshCheck refreshes;

    RetentionReader(JobDefinition job, QueryDatabase db, RefreshCheck refreshes) {
        this.job = job;
        this.calendar = job.calendar();
        this.db = db;
        this.refreshes = refreshes;
    }

    RetentionResult read(RetentionQuery q) {
        RetentionDefinition d = job.retention().stream()
                .filter(x -> x.name().equals(q.retention()))
                .findFirst()
                .orElseThrow(() -> new QueryException(
                        QueryException.Parameter.RETENTION,
                        QueryException.Problem.NOT_IN_JOB,
                        "retention '" + q.retention() + "' is not defined in job '" + job.name() + "' (retention: "
                                + job.retention().stream()
                                        .map(RetentionDefinition::name)
                                        .collect(Collectors.joining(", "))
                                + ")"));
        QueryRange range = new QueryRange(q.from(), q.to());
        int periods = d.periods() + 1;
        Map<Long, long[]> cohorts; // cohort start -> [size, users per period…]
        Long watermark;
        try {
            cohorts = readCohorts(q, d, range, periods);
            watermark = JobProgress.watermark(db, job.name());
        } catch (SQLException e) {
            throw db.failed(e);
        }
        List<CohortRetention> out = new ArrayList<>();
        long[] weightedUsers = new long[periods];
        long[] weightedSize = new long[periods];
        boolean incomplete = false;
        for (Map.Entry<Long, long[]> c : cohorts.entrySet()) {
            long size = c.getValue()[0];
            if (size <= 0) continue;
            List<Double> shares = new ArrayList<>();
            List<Long> users = new ArrayList<>();
            List<Boolean> complete = new ArrayList<>();
            for (int k = 0; k < periods; k++) {
                boolean elapsed = watermark != null && watermark >= calendar.plus(d.cohortPeriod(), c.getKey(), k + 1);
                long u = c.getValue()[1 + k];
                complete.add(elapsed);
                incomplete |= !elapsed;
                users.add(elapsed ? u : null);
                shares.add(k == 0 ? Double.valueOf(1.0) : elapsed ? (double) u / size : null);
                if (elapsed) {
                    weightedUsers[k] += k == 0 ? size : u;
                    weightedSize[k] += size;
                }
            }
            out.add(new CohortRetention(Instant.ofEpochMilli(c.getKey()), size, shares, users, complete));
        }
        List<Double> overall = new ArrayList<>();
        for (int k = 0; k < periods; k++)
            overall.add(weightedSize[k] == 0 ? null : (double) weightedUsers[k] / weightedSize[k]);
        return new RetentionResult(
                out,
                overall,
                q.onOrAfter() ? "on_or_after" : "on",
                incomplete,
                refreshes.inProgress(range, r -> r.cohorts(d.name())));
    }

    /** Per cohort start in the range: its size, then its returning users per period (on, or on or after). */
    private Map<Long, long[]> readCohorts(RetentionQuery q, RetentionDefinition d, QueryRange range, int periods)
            throws SQLException {
        Map<Long, long[]> cohorts = new TreeMap<>();
        String where = " WHERE job = ? AND retention = ? AND " + db.inRange("cohort_start")
                + (q.environment() == null ? "" : " AND environment = ?");
        try (PreparedStatement ps = db.prepare("SELECT " + db.dialect().epochMillis("cohort_start")
                + ", cohort_size FROM " + db.dialect().current(Tables.RETENTION_COHORTS) + where)) {
            bind(ps, q, d, range);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next())
                    cohorts.computeIfAbsent(rs.getLong(1), c -> new long[1 + periods])[0] += rs.getLong(2);
            }
        }
        String column = q.onOrAfter() ? "users_on_or_after" : "users_on";
        try (PreparedStatement ps = db.prepare("SELECT " + db.dialect().epochMillis("cohort_start") + ", period, "
                + column + " FROM " + db.dialect().current(Tables.RETENTION_PERIODS) + where)) {
            bind(ps, q, d, range);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int k = rs.getInt(2);
                    if (k >= 0 && k < periods)
                        cohorts.computeIfAbsent(rs.getLong(1), c -> new long[1 + periods])[1 + k] += rs.getLong(3);
                }
            }
        }
        return cohorts;
    }

    private void bind(PreparedStatement ps, RetentionQuery q, RetentionDefinition d, QueryRange range)
            throws SQLException {
        ps.setString(1, job.name());
        ps.setString(2, d.name());
        ps.setLong(3, range.fromMillis());
        ps.setLong(4, range.toMillis());
        if (q.environment() != null) ps.setString(5, q.environment());
    }
}
