package io.eventagg.query;

import io.eventagg.config.ActionDefinition;
import io.eventagg.config.Durations;
import io.eventagg.config.JobDefinition;
import io.eventagg.sink.Tables;
import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Answers time-series questions ({@link AggregationStorage#query}): all events from the rollup
 * ({@code ea_activity}, with unique sessions), some events from {@code ea_timeseries} (which also
 * holds the breakdowns of all events), newest row per key, summed into the range's buckets. A
 * question about one user goes to the raw events table: the buckets only hold sketches of users.
 */
final class TimeSeriesReader {
    private final JobDefinition job;
    private final BucketCalendar calendar;
    private final QueryDatabase db;
    private final RefreshCheck refreshes;
    private final RawEvents raw;
    private final Clock clock;

    /**
     * @param raw the raw events table for questions about one user, or null when there is none
     * @param clock what the job's horizons are measured from
     */
    TimeSeriesReader(JobDefinition job, QueryDatabase db, RefreshCheck refreshes, RawEvents raw, Clock clock) {
        this.job = job;
        this.clock = clock;
        this.calendar = job.calendar();
        this.db = db;
        this.refreshes = refreshes;
        this.raw = raw;
    }

    AggregationResult read(TimeSeriesQuery q) {
        if (q.distinctId() != null) return readOneUser(q);
        requireGranularity(q);
        boolean ownZone = q.timezone() == null || q.timezone().equals(calendar.zone());
        // In another zone the answer's buckets may be made of the job's finer ones (BucketPlan).
        if (ownZone && !job.granularities().contains(q.granularity())) {
            throw new QueryException(
                    QueryException.Parameter.GRANULARITY,
                    QueryException.Problem.NOT_IN_JOB,
                    "granularity '" + q.granularity().id() + "' is not computed by job '" + job.name() + "' (it has: "
                            + job.granularities().stream().map(Granularity::id).collect(Collectors.joining(", "))
                            + ")");
        }
        QueryRange asked = new QueryRange(q.from(), q.to());
        requireDailyWindows(q);
        for (String b : q.breakdownBy()) {
            if (!job.breakdowns().contains(b)) {
                throw new QueryException(
                        QueryException.Parameter.BREAKDOWN,
                        QueryException.Problem.NOT_IN_JOB,
                        "breakdown '" + b + "' is not configured in job '" + job.name() + "' (breakdowns: "
                                + String.join(", ", job.breakdowns()) + ")");
            }
        }
        BucketPlan plan = BucketPlan.of(job, q, asked);
        QueryRange range = plan.read();
        requireWithinHorizon(plan.source(), range.from());
        SeriesBuckets buckets = new SeriesBuckets(
                plan,
                q.breakdownBy(),
                q.activeWindows(),
                q.timezone() == null ? null : plan.target().zone().getId(),
                job.sketchLgK());
        boolean all = q.events().isEmpty();
        try {
            if (all) {
                readActivity(q, plan.source(), range, buckets);
                if (!q.breakdownBy().isEmpty()) readSeries(q, plan.source(), range, buckets, false);
            } else {
                readSeries(q, plan.source(), range, buckets, true);
            }
        } catch (SQLException e) {
            throw db.failed(e);
        }
        return buckets.result(all, refreshes.inProgress(range, r -> r.buckets(plan.source())));
    }

    /** Rolling active users are per day, over at most {@link TimeSeriesQuery#MAX_ACTIVE_WINDOW_DAYS}. */
    private static void requireDailyWindows(TimeSeriesQuery q) {
        if (q.activeWindows().isEmpty()) return;
        if (q.granularity() != Granularity.DAY)
            throw new QueryException(
                    QueryException.Parameter.ACTIVE_WINDOWS,
                    QueryException.Problem.INVALID,
                    "rolling active users are counted for each day: ask with granularity day (not "
                            + q.granularity().id() + ")");
        int first = q.activeWindows().get(0),
                last = q.activeWindows().get(q.activeWindows().size() - 1);
        if (first < 1 || last > TimeSeriesQuery.MAX_ACTIVE_WINDOW_DAYS)
            throw new QueryException(
                    QueryException.Parameter.ACTIVE_WINDOWS,
                    QueryException.Problem.INVALID,
                    "a rolling window is 1 to " + TimeSeriesQuery.MAX_ACTIVE_WINDOW_DAYS + " days long (asked: "
                            + (first < 1 ? first : last) + ")");
    }

    private AggregationResult readOneUser(TimeSeriesQuery q) {
        if (raw == null) {
            throw new QueryException(
                    QueryException.Parameter.RAW_EVENTS_TABLE,
                    QueryException.Problem.MISSING,
                    "no raw events table configured for per-user answers: pre-aggregated buckets hold sketches of users,"
                            + " which cannot answer for one user");
        }
        requireGranularity(q);
        if (!q.activeWindows().isEmpty())
            throw new QueryException(
                    QueryException.Parameter.ACTIVE_WINDOWS,
                    QueryException.Problem.INVALID,
                    "rolling active users count many users; for one user, ask for the days it was active");
        for (String e : q.events()) {
            if (job.action(e) != null)
                throw new QueryException(
                        QueryException.Parameter.EVENTS,
                        QueryException.Problem.INVALID,
                        "'" + e + "' is an action, counted into its series only: for one user, ask for its events");
        }
        BucketCalendar c = q.timezone() == null ? calendar : new BucketCalendar(q.timezone());
        QueryRange range = new QueryRange(q.from(), q.to());
        return raw.query(q, range.bucketStarts(c, q.granularity()), c);
    }

    /**
     * Refuses a range that starts before the oldest bucket the granularity keeps: those buckets were
     * never written (or have aged out), and zeros would be wrong answers.
     */
    private void requireWithinHorizon(Granularity g, Instant from) {
        if (!job.horizons().has(g)) return;
        long keptFrom = job.horizons().keptFrom(calendar, g, clock.millis());
        if (from.toEpochMilli() >= keptFrom) return;
        throw new QueryException(
                QueryException.Parameter.FROM,
                QueryException.Problem.BEYOND_HORIZON,
                "job '" + job.name() + "' keeps " + g.id() + " buckets for "
                        + Durations.format(job.horizons().of(g))
                        + " (horizons." + g.id() + "): the oldest is " + Instant.ofEpochMilli(keptFrom)
                        + "; ask from then on, or for a coarser granularity");
    }

    private static void requireGranularity(TimeSeriesQuery q) {
        if (q.granularity() == null) {
            throw new QueryException(
                    QueryException.Parameter.GRANULARITY, QueryException.Problem.MISSING, "the granularity is missing");
        }
    }

    private void readActivity(TimeSeriesQuery q, Granularity g, QueryRange range, SeriesBuckets buckets)
            throws SQLException {
        String sql = "SELECT " + db.dialect().epochMillis("bucket_start")
                + ", event_count, users_sketch, sessions_sketch FROM "
                + db.dialect().current(Tables.ACTIVITY) + " WHERE job = ? AND granularity = ? AND "
                + db.inRange("bucket_start")
                + (q.environment() == null ? "" : " AND environment = ?")
                // A fixed order: merging HLL sketches is order-sensitive in the last digits, and every database must
                // answer alike.
                + " ORDER BY bucket_start, environment";
        try (PreparedStatement ps = db.prepare(sql)) {
            int i = bindCommon(ps, g, range);
            if (q.environment() != null) ps.setString(i, q.environment());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    SeriesBuckets.Bucket b = buckets.at(rs.getLong(1));
                    if (b == null) continue;
                    b.add(rs.getLong(2), rs.getString(3));
                    b.addSessions(rs.getString(4));
                }
            }
        }
    }

    /**
     * @param withCounts false when only breakdowns are read (all-events answers take counts and
     *     uniques from the rollup)
     */
    private void readSeries(
            TimeSeriesQuery q, Granularity g, QueryRange range, SeriesBuckets buckets, boolean withCounts)
            throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + db.dialect().epochMillis("bucket_start")
                + ", event_count, users_sketch, breakdowns, breakdown_users FROM "
                + db.dialect().current(Tables.TIMESERIES)
                + " WHERE job = ? AND granularity = ? AND " + db.inRange("bucket_start"));
        if (q.environment() != null) sql.append(" AND environment = ?");
        List<String> actionRows =
                job.actions().stream().map(ActionDefinition::storedName).toList();
        if (!q.events().isEmpty()) {
            sql.append(" AND event IN (")
                    .append(String.join(", ", q.events().stream().map(e -> "?").toList()))
                    .append(')');
        } else if (!actionRows.isEmpty()) {
            // All events' breakdowns: the actions' rows count events already in their events' rows.
            sql.append(" AND event NOT IN (")
                    .append(String.join(", ", actionRows.stream().map(e -> "?").toList()))
                    .append(')');
        }
        sql.append(" ORDER BY bucket_start, environment, event");
        try (PreparedStatement ps = db.prepare(sql.toString())) {
            int i = bindCommon(ps, g, range);
            if (q.environment() != null) ps.setString(i++, q.environment());
            for (String e : q.events()) ps.setString(i++, stored(e));
            if (q.events().isEmpty()) for (String a : actionRows) ps.setString(i++, a);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    SeriesBuckets.Bucket b = buckets.at(rs.getLong(1));
                    if (b == null) continue;
                    if (withCounts) b.add(rs.getLong(2), rs.getString(3));
                    if (!q.breakdownBy().isEmpty()) b.addBreakdowns(rs.getString(4), rs.getString(5));
                }
            }
        }
    }

    /** The event column of a name asked for: an action's rows, or the event's. */
    private String stored(String name) {
        ActionDefinition a = job.action(name);
        return a == null ? name : a.storedName();
    }

    /** Binds job, granularity and range; returns the next parameter's index. */
    private int bindCommon(PreparedStatement ps, Granularity g, QueryRange range) throws SQLException {
        ps.setString(1, job.name());
        ps.setString(2, g.id());
        ps.setLong(3, range.fromMillis());
        ps.setLong(4, range.toMillis());
        return 5;
    }
}
