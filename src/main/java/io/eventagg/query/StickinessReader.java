package io.eventagg.query;

import io.eventagg.config.JobDefinition;
import io.eventagg.sink.Tables;
import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Answers stickiness questions ({@link AggregationStorage#stickiness}) from {@code ea_stickiness}:
 * per period starting in the range, its users by number of active days (environments added
 * together unless one is asked for), and the sum over the periods.
 */
final class StickinessReader {
    private final JobDefinition job;
    private final BucketCalendar calendar;
    private final QueryDatabase db;
    private final RefreshCheck refreshes;

    StickinessReader(JobDefinition job, QueryDatabase db, RefreshCheck refreshes) {
        this.job = job;
        this.calendar = job.calendar();
        this.db = db;
        this.refreshes = refreshes;
    }

    StickinessResult read(StickinessQuery q) {
        Granularity g = q.period();
        if (g == null)
            throw new QueryException(
                    QueryException.Parameter.PERIOD, QueryException.Problem.MISSING, "the period is missing");
        if (!job.stickiness().periods().contains(g))
            throw new QueryException(
                    QueryException.Parameter.PERIOD,
                    QueryException.Problem.NOT_IN_JOB,
                    "job '" + job.name() + "' counts no stickiness per " + g.id() + " (stickiness.periods: "
                            + String.join(
                                    ", ",
                                    job.stickiness().periods().stream()
                                            .map(Granularity::id)
                                            .toList())
                            + ")");
        QueryRange range = new QueryRange(q.from(), q.to());
        Map<Long, long[]> byPeriod = new TreeMap<>();
        Long watermark;
        try {
            for (long start : range.bucketStarts(calendar, g)) byPeriod.put(start, new long[length(g, start)]);
            String sql = "SELECT " + db.dialect().epochMillis("period_start") + ", days_active, users FROM "
                    + db.dialect().current(Tables.STICKINESS) + " WHERE job = ? AND period = ? AND "
                    + db.inRange("period_start") + (q.environment() == null ? "" : " AND environment = ?");
            try (PreparedStatement ps = db.prepare(sql)) {
                ps.setString(1, job.name());
                ps.setString(2, g.id());
                ps.setLong(3, range.fromMillis());
                ps.setLong(4, range.toMillis());
                if (q.environment() != null) ps.setString(5, q.environment());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long[] users = byPeriod.get(rs.getLong(1));
                        int k = rs.getInt(2);
                        if (users != null && k >= 1 && k <= users.length) users[k - 1] += rs.getLong(3);
                    }
                }
            }
            watermark = JobProgress.watermark(db, job.name());
        } catch (SQLException e) {
            throw db.failed(e);
        }
        List<StickinessResult.Period> periods = new ArrayList<>();
        long[] total = new long[g == Granularity.WEEK ? 7 : 31];
        boolean incomplete = false;
        long userPeriods = 0, userDays = 0;
        for (Map.Entry<Long, long[]> p : byPeriod.entrySet()) {
            long[] u = p.getValue();
            long active = 0;
            List<Long> list = new ArrayList<>(u.length);
            for (int k = 0; k < u.length; k++) {
                active += u[k];
                total[k] += u[k];
                userDays += (k + 1) * u[k];
                list.add(u[k]);
            }
            userPeriods += active;
            boolean complete = watermark != null && watermark >= calendar.end(g, p.getKey());
            incomplete |= !complete;
            periods.add(new StickinessResult.Period(Instant.ofEpochMilli(p.getKey()), active, list, complete));
        }
        List<Long> totals = new ArrayList<>(total.length);
        for (long t : total) totals.add(t);
        return new StickinessResult(
                g.id(),
                periods,
                totals,
                userPeriods == 0 ? 0 : (double) userDays / userPeriods,
                incomplete,
                refreshes.inProgress(range, r -> r.stickiness(g)));
    }

    private int length(Granularity g, long start) {
        return (int) calendar.bucketsBetween(Granularity.DAY, start, calendar.end(g, start));
    }
}
