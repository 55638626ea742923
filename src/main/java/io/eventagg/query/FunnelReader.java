package io.eventagg.query;

import io.eventagg.config.FunnelDefinition;
import io.eventagg.config.JobDefinition;
import io.eventagg.sink.Tables;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Answers funnel questions ({@link AggregationStorage#funnel}) from {@code ea_funnel_steps}: per
 * step, the users of every entry day of the range and environment merged, the times to convert
 * pooled; the answer is incomplete while some entry day's conversion window can still fill.
 */
final class FunnelReader {
    private final JobDefinition job;
    private final QueryDatabase db;
    private final RefreshCheck refreshes;

    FunnelReader(JobDefinition job, QueryDatabase db, RefreshCheck refreshes) {
        this.job = job;
        this.db = db;
        this.refreshes = refreshes;
    }

    FunnelResult read(FunnelQuery q) {
        FunnelDefinition f = job.funnels().stream()
                .filter(x -> x.name().equals(q.funnel()))
                .findFirst()
                .orElseThrow(() -> new QueryException(
                        QueryException.Parameter.FUNNEL,
                        QueryException.Problem.NOT_IN_JOB,
                        "funnel '" + q.funnel() + "' is not defined in job '" + job.name() + "' (funnels: "
                                + job.funnels().stream()
                                        .map(FunnelDefinition::name)
                                        .collect(Collectors.joining(", ")) + ")"));
        QueryRange range = new QueryRange(q.from(), q.to());
        int n = f.steps().size();
        SketchUnion[] users = new SketchUnion[n];
        ConversionTimes[] fromPrevious = new ConversionTimes[n];
        ConversionTimes[] fromStart = new ConversionTimes[n];
        for (int i = 0; i < n; i++) {
            users[i] = new SketchUnion(job.sketchLgK());
            fromPrevious[i] = new ConversionTimes();
            fromStart[i] = new ConversionTimes();
        }
        boolean anyOpen = false;
        Long watermark;
        String sql =
                "SELECT step, users_sketch, from_previous_count, from_previous_sum_seconds, from_previous_sketch, from_start_count,"
                        + " from_start_sum_seconds, from_start_sketch, is_final FROM "
                        + db.dialect().current(Tables.FUNNELS)
                        + " WHERE job = ? AND funnel = ? AND " + db.inRange("entry_day")
                        + (q.environment() == null ? "" : " AND environment = ?");
        try (PreparedStatement ps = db.prepare(sql)) {
            ps.setString(1, job.name());
            ps.setString(2, f.name());
            ps.setLong(3, range.fromMillis());
            ps.setLong(4, range.toMillis());
            if (q.environment() != null) ps.setString(5, q.environment());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int i = rs.getInt(1) - 1;
                    if (i < 0 || i >= n) continue;
                    users[i].add(rs.getString(2));
                    fromPrevious[i].add(rs.getLong(3), rs.getDouble(4), rs.getString(5));
                    fromStart[i].add(rs.getLong(6), rs.getDouble(7), rs.getString(8));
                    anyOpen |= !rs.getBoolean(9);
                }
            }
            watermark = JobProgress.watermark(db, job.name());
        } catch (SQLException e) {
            throw db.failed(e);
        }
        boolean incomplete = anyOpen || watermark == null || watermark < range.toMillis() + f.conversionWindowMillis();
        List<FunnelStepResult> steps = new ArrayList<>(n);
        long first = 0, previous = 0;
        for (int i = 0; i < n; i++) {
            long u = users[i].estimate();
            if (i == 0) first = u;
            double conversion = i == 0 ? 1.0 : (previous == 0 ? 0.0 : (double) u / previous);
            steps.add(new FunnelStepResult(
                    f.steps().get(i).name(),
                    u,
                    conversion,
                    1.0 - conversion,
                    i == 0 ? null : fromPrevious[i].meanSeconds(),
                    i == 0 ? null : fromPrevious[i].quantileSeconds(0.5),
                    i == 0 ? null : fromPrevious[i].quantileSeconds(0.9)));
            previous = u;
        }
        long last = previous;
        ConversionTimes total = fromStart[n - 1];
        return new FunnelResult(
                steps,
                first == 0 ? 0.0 : (double) last / first,
                total.meanSeconds(),
                total.quantileSeconds(0.5),
                total.quantileSeconds(0.9),
                incomplete,
                refreshes.inProgress(range, r -> r.entryDays(f.name())));
    }
}
