package io.eventagg.query;

import com.datadoghq.sketch.ddsketch.DDSketch;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.MeasureDefinition;
import io.eventagg.sink.Tables;
import io.eventagg.sketch.Sketches;
import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Answers numeric measures ({@link AggregationStorage#measure}) from {@code ea_measures}: per
 * bucket and over the range, counts and sums added, min and max of the rows', distributions merged
 * (never averaged).
 */
final class MeasureReader {
    private final JobDefinition job;
    private final BucketCalendar calendar;
    private final QueryDatabase db;
    private final RefreshCheck refreshes;

    MeasureReader(JobDefinition job, QueryDatabase db, RefreshCheck refreshes) {
        this.job = job;
        this.calendar = job.calendar();
        this.db = db;
        this.refreshes = refreshes;
    }

    MeasureResult read(MeasureQuery q) {
        MeasureDefinition m = job.measure(q.measure());
        if (m == null)
            throw new QueryException(
                    QueryException.Parameter.MEASURE,
                    QueryException.Problem.NOT_IN_JOB,
                    "measure '" + q.measure() + "' is not defined in job '" + job.name() + "' (measures: "
                            + job.measures().stream()
                                    .map(MeasureDefinition::name)
                                    .collect(Collectors.joining(", "))
                            + ")");
        Granularity g = q.granularity();
        if (g == null)
            throw new QueryException(
                    QueryException.Parameter.GRANULARITY, QueryException.Problem.MISSING, "the granularity is missing");
        if (!job.granularities().contains(g))
            throw new QueryException(
                    QueryException.Parameter.GRANULARITY,
                    QueryException.Problem.NOT_IN_JOB,
                    "granularity '" + g.id() + "' is not computed by job '" + job.name() + "'");
        QueryRange range = new QueryRange(q.from(), q.to());
        Map<Long, Acc> buckets = new LinkedHashMap<>();
        for (long start : range.bucketStarts(calendar, g)) buckets.put(start, new Acc());
        String sql = "SELECT " + db.dialect().epochMillis("bucket_start")
                + ", event_count, value_count, value_sum, value_min, value_max, non_numeric, quantiles_sketch FROM "
                + db.dialect().current(Tables.MEASURES) + " WHERE job = ? AND measure = ? AND granularity = ? AND "
                + db.inRange("bucket_start") + (q.environment() == null ? "" : " AND environment = ?")
                + " ORDER BY bucket_start, environment";
        try (PreparedStatement ps = db.prepare(sql)) {
            ps.setString(1, job.name());
            ps.setString(2, m.name());
            ps.setString(3, g.id());
            ps.setLong(4, range.fromMillis());
            ps.setLong(5, range.toMillis());
            if (q.environment() != null) ps.setString(6, q.environment());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Acc a = buckets.get(rs.getLong(1));
                    if (a == null) continue;
                    double min = rs.getDouble(5);
                    boolean hasMin = !rs.wasNull();
                    double max = rs.getDouble(6);
                    a.add(
                            rs.getLong(2),
                            rs.getLong(3),
                            rs.getDouble(4),
                            hasMin ? min : Double.POSITIVE_INFINITY,
                            hasMin ? max : Double.NEGATIVE_INFINITY,
                            rs.getLong(7),
                            Sketches.fromBase64(rs.getString(8)));
                }
            }
        } catch (SQLException e) {
            throw db.failed(e);
        }
        List<MeasureResult.Point> series = new ArrayList<>();
        Acc total = new Acc();
        for (Map.Entry<Long, Acc> e : buckets.entrySet()) {
            series.add(new MeasureResult.Point(
                    Instant.ofEpochMilli(e.getKey()), e.getValue().stats()));
            total.add(e.getValue());
        }
        return new MeasureResult(
                m.name(), m.property(), series, total.stats(), refreshes.inProgress(range, r -> r.buckets(g)));
    }

    /** Numbers of one bucket (or of the range) while rows are read. */
    private static final class Acc {
        long events, values, nonNumeric;
        double sum, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        DDSketch quantiles;

        void add(long events, long values, double sum, double min, double max, long nonNumeric, byte[] sketch) {
            this.events += events;
            this.values += values;
            this.sum += sum;
            this.min = Math.min(this.min, min);
            this.max = Math.max(this.max, max);
            this.nonNumeric += nonNumeric;
            if (sketch != null) merge(Sketches.quantilesFromBytes(sketch));
        }

        void add(Acc o) {
            events += o.events;
            values += o.values;
            sum += o.sum;
            min = Math.min(min, o.min);
            max = Math.max(max, o.max);
            nonNumeric += o.nonNumeric;
            if (o.quantiles != null) merge(o.quantiles);
        }

        private void merge(DDSketch s) {
            if (quantiles == null) quantiles = Sketches.newQuantiles();
            quantiles.mergeWith(s);
        }

        MeasureResult.Stats stats() {
            boolean any = values > 0;
            return new MeasureResult.Stats(
                    events,
                    values,
                    nonNumeric,
                    sum,
                    any ? sum / values : null,
                    any ? min : null,
                    any ? max : null,
                    any && quantiles != null ? Sketches.quantile(quantiles, 0.5) : null,
                    any && quantiles != null ? Sketches.quantile(quantiles, 0.9) : null,
                    any && quantiles != null ? Sketches.quantile(quantiles, 0.99) : null);
        }
    }
}
