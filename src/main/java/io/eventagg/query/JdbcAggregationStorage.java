package io.eventagg.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventagg.config.JobDefinition;
import io.eventagg.sink.ConnectionFactory;
import io.eventagg.sink.SinkSettings;
import io.eventagg.sink.SqlDialect;
import io.eventagg.sink.TableSpec;
import io.eventagg.sink.Tables;
import io.eventagg.sketch.Sketches;
import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import io.eventagg.config.FunnelDefinition;
import io.eventagg.refresh.RefreshLog;
import io.eventagg.refresh.RefreshRange;
import io.eventagg.config.RetentionDefinition;
import org.apache.datasketches.hll.Union;
import com.datadoghq.sketch.ddsketch.DDSketch;

/**
 * {@link AggregationStorage} over the tables in DuckDB or ClickHouse. Reads only the newest row per
 * key (through the dialect), merges unique-user sketches across events, environments and buckets,
 * and sums counts and breakdowns. Buckets without data appear as zero points.
 */
public class JdbcAggregationStorage implements AggregationStorage {
    /** More buckets than this in one answer is almost certainly a mistake (a year of minutes is 525,600). */
    public static final int MAX_BUCKETS = 1_100_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    protected final JobDefinition job;
    protected final SqlDialect dialect;
    protected final Connection connection;
    protected final BucketCalendar calendar;

    /** Optional: the raw events table, for per-user ({@code distinct_id}) questions. */
    protected final RawEvents raw;

    public JdbcAggregationStorage(JobDefinition job, SinkSettings settings) {
        this(job, settings, null);
    }

    public JdbcAggregationStorage(JobDefinition job, SinkSettings settings, RawEvents raw) {
        this.job = job;
        this.raw = raw;
        this.dialect = settings.dialect();
        this.calendar = job.calendar();
        try {
            this.connection = ConnectionFactory.open(settings);
        } catch (SQLException e) {
            throw new QueryException(e.getMessage(), e);
        }
    }

    @Override
    public AggregationResult query(TimeSeriesQuery q) {
        if (q.distinctId() != null) {
            if (raw == null) {
                throw new QueryException("--distinct-id needs the raw events table (--raw-events-table, ClickHouse): pre-aggregated"
                        + " buckets hold sketches of users, which cannot answer for one user");
            }
            if (q.granularity() == null) throw new QueryException("--granularity is required");
            if (q.from() == null || q.to() == null || !q.from().isBefore(q.to())) throw new QueryException("--from must be before --to");
            return raw.query(q, buckets(q.granularity(), q.from(), q.to()), calendar);
        }
        validate(q);
        List<Long> buckets = buckets(q.granularity(), q.from(), q.to());
        Map<Long, PointAcc> points = new LinkedHashMap<>();
        for (long b : buckets) points.put(b, new PointAcc());
        boolean all = q.events().isEmpty();
        try {
            if (all) {
                readActivity(q, points);
            } else {
                readSeries(q, points, true);
            }
            if (all && !q.breakdownBy().isEmpty()) readSeries(q, points, false);
        } catch (SQLException e) {
            throw new QueryException("query failed on " + dialect.name() + ": " + e.getMessage(), e);
        }

        List<TimeSeriesPoint> series = new ArrayList<>(points.size());
        Union users = Sketches.newUnion(job.sketchLgK());
        Union sessions = all ? Sketches.newUnion(job.sketchLgK()) : null;
        Map<String, Map<String, Long>> totals = emptyBreakdown(q.breakdownBy());
        long total = 0;
        for (Map.Entry<Long, PointAcc> e : points.entrySet()) {
            PointAcc p = e.getValue();
            total += p.count;
            if (p.users != null) users.update(p.users.getResult());
            if (all && p.sessions != null) sessions.update(p.sessions.getResult());
            Map<String, Map<String, Long>> bd = null;
            if (!q.breakdownBy().isEmpty()) {
                bd = emptyBreakdown(q.breakdownBy());
                for (Map.Entry<String, Map<String, Long>> k : p.breakdown.entrySet()) {
                    bd.get(k.getKey()).putAll(k.getValue());
                    k.getValue().forEach((v, c) -> totals.get(k.getKey()).merge(v, c, Long::sum));
                }
                bd.replaceAll((k, v) -> sortByCount(v));
            }
            series.add(new TimeSeriesPoint(Instant.ofEpochMilli(e.getKey()), p.count,
                    p.users == null ? 0 : Sketches.estimate(p.users), bd,
                    all ? (p.sessions == null ? 0L : Sketches.estimate(p.sessions)) : null));
        }
        totals.replaceAll((k, v) -> sortByCount(v));
        return new AggregationResult(series, total, Sketches.estimate(users), totals,
                all ? Sketches.estimate(sessions) : null, refreshing(r -> r.buckets(q.granularity()), q.from().toEpochMilli(), q.to().toEpochMilli()));
    }

    protected void validate(TimeSeriesQuery q) {
        if (q.granularity() == null) throw new QueryException("--granularity is required");
        if (!job.granularities().contains(q.granularity())) {
            throw new QueryException("granularity '" + q.granularity().id() + "' is not computed by job '" + job.name()
                    + "' (it has: " + job.granularities().stream().map(Granularity::id).collect(Collectors.joining(", ")) + ")");
        }
        if (q.from() == null || q.to() == null || !q.from().isBefore(q.to())) {
            throw new QueryException("--from must be before --to");
        }
        for (String b : q.breakdownBy()) {
            if (!job.breakdowns().contains(b)) {
                throw new QueryException("breakdown '" + b + "' is not configured in job '" + job.name() + "' (breakdowns: "
                        + String.join(", ", job.breakdowns()) + ")");
            }
        }
    }

    /** Starts of the buckets whose start lies in [from, to). */
    protected List<Long> buckets(Granularity g, Instant from, Instant to) {
        List<Long> out = new ArrayList<>();
        long b = calendar.start(g, from.toEpochMilli());
        if (b < from.toEpochMilli()) b = calendar.end(g, b);
        while (b < to.toEpochMilli()) {
            out.add(b);
            if (out.size() > MAX_BUCKETS) {
                throw new QueryException("the range holds more than " + MAX_BUCKETS + " " + g.id() + " buckets; use a coarser granularity");
            }
            b = calendar.end(g, b);
        }
        return out;
    }

    private void readActivity(TimeSeriesQuery q, Map<Long, PointAcc> points) throws SQLException {
        TableSpec t = Tables.ACTIVITY;
        String sql = "SELECT " + dialect.epochMillis("bucket_start") + ", event_count, users_sketch, sessions_sketch FROM "
                + dialect.current(t) + " WHERE job = ? AND granularity = ? AND bucket_start >= " + dialect.timestampParam()
                + " AND bucket_start < " + dialect.timestampParam() + (q.environment() == null ? "" : " AND environment = ?")
                // A fixed order: merging HLL sketches is order-sensitive in the last digits, and every database must answer alike.
                + " ORDER BY bucket_start, environment";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            int i = bindCommon(ps, q);
            if (q.environment() != null) ps.setString(i, q.environment());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    PointAcc p = points.get(rs.getLong(1));
                    if (p == null) continue;
                    p.count += rs.getLong(2);
                    p.addUsers(rs.getString(3), job.sketchLgK());
                    p.addSessions(rs.getString(4), job.sketchLgK());
                }
            }
        }
    }

    /**
     * @param withCounts false when only breakdowns are read (all-events queries take counts and
     *     uniques from the rollup)
     */
    private void readSeries(TimeSeriesQuery q, Map<Long, PointAcc> points, boolean withCounts) throws SQLException {
        TableSpec t = Tables.TIMESERIES;
        StringBuilder sql = new StringBuilder("SELECT " + dialect.epochMillis("bucket_start")
                + ", event_count, users_sketch, breakdowns FROM " + dialect.current(t) + " WHERE job = ? AND granularity = ? AND bucket_start >= "
                + dialect.timestampParam() + " AND bucket_start < " + dialect.timestampParam());
        if (q.environment() != null) sql.append(" AND environment = ?");
        if (!q.events().isEmpty()) {
            sql.append(" AND event IN (").append(String.join(", ", q.events().stream().map(e -> "?").toList())).append(')');
        }
        sql.append(" ORDER BY bucket_start, environment, event");
        try (PreparedStatement ps = connection.prepareStatement(sql.toString())) {
            int i = bindCommon(ps, q);
            if (q.environment() != null) ps.setString(i++, q.environment());
            for (String e : q.events()) ps.setString(i++, e);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    PointAcc p = points.get(rs.getLong(1));
                    if (p == null) continue;
                    if (withCounts) {
                        p.count += rs.getLong(2);
                        p.addUsers(rs.getString(3), job.sketchLgK());
                    }
                    if (!q.breakdownBy().isEmpty()) p.addBreakdowns(rs.getString(4), q.breakdownBy());
                }
            }
        }
    }

    private int bindCommon(PreparedStatement ps, TimeSeriesQuery q) throws SQLException {
        ps.setString(1, job.name());
        ps.setString(2, q.granularity().id());
        ps.setLong(3, q.from().toEpochMilli());
        ps.setLong(4, q.to().toEpochMilli());
        return 5;
    }

    private static Map<String, Map<String, Long>> emptyBreakdown(List<String> keys) {
        Map<String, Map<String, Long>> m = new LinkedHashMap<>();
        for (String k : keys) m.put(k, new TreeMap<>());
        return m;
    }

    /** Values by descending count, ties by value, {@code $other} last. */
    static Map<String, Long> sortByCount(Map<String, Long> m) {
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

    @Override
    public FunnelResult funnel(FunnelQuery q) {
        FunnelDefinition f = job.funnels().stream().filter(x -> x.name().equals(q.funnel())).findFirst()
                .orElseThrow(() -> new QueryException("funnel '" + q.funnel() + "' is not defined in job '" + job.name() + "' (funnels: "
                        + job.funnels().stream().map(FunnelDefinition::name).collect(Collectors.joining(", ")) + ")"));
        if (q.from() == null || q.to() == null || !q.from().isBefore(q.to())) throw new QueryException("--from must be before --to");
        int n = f.steps().size();
        Union[] users = new Union[n];
        DDSketch[] fromPrevious = new DDSketch[n];
        DDSketch[] fromStart = new DDSketch[n];
        long[] prevCount = new long[n], startCount = new long[n];
        long[] prevSumMs = new long[n], startSumMs = new long[n];
        for (int i = 0; i < n; i++) {
            users[i] = Sketches.newUnion(job.sketchLgK());
            fromPrevious[i] = Sketches.newQuantiles();
            fromStart[i] = Sketches.newQuantiles();
        }
        boolean anyOpen = false;
        String sql = "SELECT step, users_sketch, from_previous_count, from_previous_sum_seconds, from_previous_sketch, from_start_count,"
                + " from_start_sum_seconds, from_start_sketch, is_final FROM " + dialect.current(Tables.FUNNELS)
                + " WHERE job = ? AND funnel = ? AND entry_day >= " + dialect.timestampParam() + " AND entry_day < "
                + dialect.timestampParam() + (q.environment() == null ? "" : " AND environment = ?");
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, job.name());
            ps.setString(2, f.name());
            ps.setLong(3, q.from().toEpochMilli());
            ps.setLong(4, q.to().toEpochMilli());
            if (q.environment() != null) ps.setString(5, q.environment());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int i = rs.getInt(1) - 1;
                    if (i < 0 || i >= n) continue;
                    Sketches.merge(users[i], Sketches.fromBase64(rs.getString(2)));
                    prevCount[i] += rs.getLong(3);
                    prevSumMs[i] += Math.round(rs.getDouble(4) * 1000);
                    mergeQuantiles(fromPrevious[i], rs.getString(5));
                    startCount[i] += rs.getLong(6);
                    startSumMs[i] += Math.round(rs.getDouble(7) * 1000);
                    mergeQuantiles(fromStart[i], rs.getString(8));
                    anyOpen |= !rs.getBoolean(9);
                }
            }
            Long watermark = progress();
            boolean incomplete = anyOpen || watermark == null || watermark < q.to().toEpochMilli() + f.conversionWindowMillis();
            List<FunnelStepResult> steps = new ArrayList<>(n);
            long first = 0, previous = 0, last = 0;
            for (int i = 0; i < n; i++) {
                long u = Sketches.estimate(users[i]);
                if (i == 0) first = u;
                double conversion = i == 0 ? 1.0 : (previous == 0 ? 0.0 : (double) u / previous);
                steps.add(new FunnelStepResult(f.steps().get(i).name(), u, conversion, 1.0 - conversion,
                        i == 0 ? null : mean(prevSumMs[i], prevCount[i]), i == 0 ? null : Sketches.quantile(fromPrevious[i], 0.5),
                        i == 0 ? null : Sketches.quantile(fromPrevious[i], 0.9)));
                previous = u;
                last = u;
            }
            return new FunnelResult(steps, first == 0 ? 0.0 : (double) last / first, mean(startSumMs[n - 1], startCount[n - 1]),
                    Sketches.quantile(fromStart[n - 1], 0.5), Sketches.quantile(fromStart[n - 1], 0.9), incomplete,
                    refreshing(r -> r.entryDays(f.name()), q.from().toEpochMilli(), q.to().toEpochMilli()));
        } catch (SQLException e) {
            throw new QueryException("query failed on " + dialect.name() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public RetentionResult retention(RetentionQuery q) {
        RetentionDefinition d = job.retention().stream().filter(x -> x.name().equals(q.retention())).findFirst()
                .orElseThrow(() -> new QueryException("retention '" + q.retention() + "' is not defined in job '" + job.name()
                        + "' (retention: " + job.retention().stream().map(RetentionDefinition::name).collect(Collectors.joining(", ")) + ")"));
        if (q.from() == null || q.to() == null || !q.from().isBefore(q.to())) throw new QueryException("--from must be before --to");
        int periods = d.periods() + 1;
        Map<Long, long[]> cohorts = new TreeMap<>(); // cohort -> [size, users per period…]
        String env = q.environment() == null ? "" : " AND environment = ?";
        try {
            try (PreparedStatement ps = connection.prepareStatement("SELECT " + dialect.epochMillis("cohort_start") + ", cohort_size FROM "
                    + dialect.current(Tables.RETENTION_COHORTS) + " WHERE job = ? AND retention = ? AND cohort_start >= "
                    + dialect.timestampParam() + " AND cohort_start < " + dialect.timestampParam() + env)) {
                bindRetention(ps, q, d);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) cohorts.computeIfAbsent(rs.getLong(1), c -> new long[1 + periods])[0] += rs.getLong(2);
                }
            }
            String column = q.onOrAfter() ? "users_on_or_after" : "users_on";
            try (PreparedStatement ps = connection.prepareStatement("SELECT " + dialect.epochMillis("cohort_start") + ", period, " + column
                    + " FROM " + dialect.current(Tables.RETENTION_PERIODS) + " WHERE job = ? AND retention = ? AND cohort_start >= "
                    + dialect.timestampParam() + " AND cohort_start < " + dialect.timestampParam() + env)) {
                bindRetention(ps, q, d);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int k = rs.getInt(2);
                        if (k >= 0 && k < periods) cohorts.computeIfAbsent(rs.getLong(1), c -> new long[1 + periods])[1 + k] += rs.getLong(3);
                    }
                }
            }
            Long watermark = progress();
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
            for (int k = 0; k < periods; k++) overall.add(weightedSize[k] == 0 ? null : (double) weightedUsers[k] / weightedSize[k]);
            return new RetentionResult(out, overall, q.onOrAfter() ? "on_or_after" : "on", incomplete,
                    refreshing(r -> r.cohorts(d.name()), q.from().toEpochMilli(), q.to().toEpochMilli()));
        } catch (SQLException e) {
            throw new QueryException("query failed on " + dialect.name() + ": " + e.getMessage(), e);
        }
    }

    private void bindRetention(PreparedStatement ps, RetentionQuery q, RetentionDefinition d) throws SQLException {
        ps.setString(1, job.name());
        ps.setString(2, d.name());
        ps.setLong(3, q.from().toEpochMilli());
        ps.setLong(4, q.to().toEpochMilli());
        if (q.environment() != null) ps.setString(5, q.environment());
    }

    /**
     * TRUE while a refresh of this job is rewriting rows that this answer reads — the answer's keys
     * in [from, to) overlap what the refresh rewrites for that kind of result — else null (absent
     * from JSON).
     */
    protected Boolean refreshing(java.util.function.Function<RefreshRange, RefreshRange.Span> target, long from, long to) {
        try {
            for (long[] r : RefreshLog.running(connection, dialect, job.name())) {
                RefreshRange.Span s = target.apply(new RefreshRange(job, Instant.ofEpochMilli(r[0]), Instant.ofEpochMilli(r[1])));
                if (s != null && s.from() < to && s.to() > from) return Boolean.TRUE;
            }
            return null;
        } catch (SQLException e) {
            throw new QueryException("reading ea_refreshes failed: " + e.getMessage(), e);
        }
    }

    /** The job's event-time progress as written by the pipeline, or null when unknown. */
    protected Long progress() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT " + dialect.epochMillis("watermark") + " FROM "
                + dialect.current(Tables.PROGRESS) + " WHERE job = ?")) {
            ps.setString(1, job.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    private static void mergeQuantiles(DDSketch into, String base64) {
        byte[] b = Sketches.fromBase64(base64);
        if (b != null) into.mergeWith(Sketches.quantilesFromBytes(b));
    }

    /** Mean seconds from an exact sum of milliseconds. */
    private static Double mean(long sumMs, long count) {
        return count == 0 ? null : sumMs / 1000.0 / count;
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // nothing to release beyond the connection
        }
    }

    /** Accumulates one bucket across events and environments. */
    static final class PointAcc {
        long count;
        Union users;
        Union sessions;
        final Map<String, Map<String, Long>> breakdown = new LinkedHashMap<>();

        void addUsers(String base64, int lgK) {
            byte[] b = Sketches.fromBase64(base64);
            if (b == null) return;
            if (users == null) users = Sketches.newUnion(lgK);
            Sketches.merge(users, b);
        }

        void addSessions(String base64, int lgK) {
            byte[] b = Sketches.fromBase64(base64);
            if (b == null) return;
            if (sessions == null) sessions = Sketches.newUnion(lgK);
            Sketches.merge(sessions, b);
        }

        void addBreakdowns(String json, List<String> keys) {
            if (json == null || json.isEmpty()) return;
            JsonNode root;
            try {
                root = JSON.readTree(json);
            } catch (IOException e) {
                throw new QueryException("stored breakdowns are not valid JSON: " + e.getMessage(), e);
            }
            for (String k : keys) {
                JsonNode values = root.get(k);
                if (values == null) continue;
                Map<String, Long> m = breakdown.computeIfAbsent(k, x -> new TreeMap<>());
                Iterator<Map.Entry<String, JsonNode>> it = values.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> v = it.next();
                    m.merge(v.getKey(), v.getValue().asLong(), Long::sum);
                }
            }
        }
    }
}
