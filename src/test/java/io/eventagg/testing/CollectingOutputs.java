package io.eventagg.testing;

import io.eventagg.funnel.FunnelRow;
import io.eventagg.ingest.DeadLetter;
import io.eventagg.ingest.LateEvent;
import io.eventagg.measure.MeasureRow;
import io.eventagg.pipeline.Outputs;
import io.eventagg.pipeline.ProgressRow;
import io.eventagg.retention.RetentionRow;
import io.eventagg.sketch.Sketches;
import io.eventagg.stickiness.StickinessRow;
import io.eventagg.timeseries.SeriesRow;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Outputs for tests without a database: every result row is collected in this JVM (the test's
 * MiniCluster runs here), and {@link #table} reads them as a database holding the newest version
 * of each natural key would, the way the pipeline's upserts leave DuckDB and ClickHouse. The
 * {@code *Rows} methods give the rows in the columns of the tables ({@code ea_funnel_steps} …), so
 * that the same assertions read collected rows and rows read back from a database.
 */
public final class CollectingOutputs implements Outputs {
    private static final long serialVersionUID = 1L;
    private static final Map<String, Queue<Object>> COLLECTED = new ConcurrentHashMap<>();

    private final String id = UUID.randomUUID().toString();

    @Override
    public void series(DataStream<SeriesRow> rows) {
        collect(rows, "series");
    }

    @Override
    public void deadLetters(DataStream<DeadLetter> deadLetters) {
        collect(deadLetters, "dead-letters");
    }

    @Override
    public void lateEvents(DataStream<LateEvent> lateEvents) {
        collect(lateEvents, "late-events");
    }

    @Override
    public void progress(DataStream<ProgressRow> progress) {
        collect(progress, "progress");
    }

    @Override
    public void funnels(DataStream<FunnelRow> rows) {
        collect(rows, "funnels");
    }

    @Override
    public void retention(DataStream<RetentionRow> rows) {
        collect(rows, "retention");
    }

    @Override
    public void measures(DataStream<MeasureRow> rows) {
        collect(rows, "measures");
    }

    @Override
    public void stickiness(DataStream<StickinessRow> rows) {
        collect(rows, "stickiness");
    }

    private <T> void collect(DataStream<T> stream, String name) {
        stream.sinkTo(new CollectSink<>(id + "/" + name))
                .setParallelism(stream.getParallelism())
                .name("collect " + name)
                .uid("collect-" + name);
    }

    /** Every row emitted to one output, in no particular order. */
    @SuppressWarnings("unchecked")
    public <T> List<T> all(String name) {
        List<T> out = new ArrayList<>();
        Queue<Object> q = COLLECTED.get(id + "/" + name);
        if (q != null) for (Object o : q) out.add((T) o);
        return out;
    }

    /**
     * The newest version of each natural key among rows of one output (a final row beats an open
     * one of the same key through its version, as in the tables).
     */
    public static <T> Map<Object, T> table(List<T> rows, Function<T, Object> key, Function<T, Long> version) {
        Map<Object, T> out = new LinkedHashMap<>();
        for (T r : rows) out.merge(key.apply(r), r, (a, b) -> version.apply(b) >= version.apply(a) ? b : a);
        return out;
    }

    /** {@code ea_funnel_steps} as the upserts leave it, in its columns. */
    public List<Map<String, Object>> funnelRows() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (FunnelRow r : table(
                        this.<FunnelRow>all("funnels"),
                        r -> List.of(r.funnel(), r.environment(), r.entryDay(), r.step()),
                        FunnelRow::version)
                .values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("funnel", r.funnel());
            m.put("environment", r.environment());
            m.put("entry_day", r.entryDay());
            m.put("step", r.step());
            m.put("step_name", r.stepName());
            m.put("users", r.users());
            m.put("users_sketch", Sketches.base64(r.usersSketch()));
            m.put("from_previous_count", r.fromPreviousCount());
            m.put("from_previous_sum_seconds", r.fromPreviousSum());
            m.put("from_previous_sketch", Sketches.base64(r.fromPreviousSketch()));
            m.put("from_start_count", r.fromStartCount());
            m.put("from_start_sum_seconds", r.fromStartSum());
            m.put("from_start_sketch", Sketches.base64(r.fromStartSketch()));
            m.put("is_final", r.isFinal());
            m.put("version", r.version());
            out.add(m);
        }
        return out;
    }

    /** {@code ea_retention_cohorts} as the upserts leave it, in its columns. */
    public List<Map<String, Object>> retentionCohortRows() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (RetentionRow r : retentionTable().values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("retention", r.retention());
            m.put("environment", r.environment());
            m.put("cohort_start", r.cohortStart());
            m.put("cohort_size", r.cohortSize());
            m.put("is_final", r.isFinal());
            m.put("version", r.version());
            out.add(m);
        }
        return out;
    }

    /** {@code ea_retention_periods} as the upserts leave it, in its columns (the cohort's row carries its periods). */
    public List<Map<String, Object>> retentionPeriodRows() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (RetentionRow r : retentionTable().values()) {
            for (int k = 0; k < r.on().length; k++) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("retention", r.retention());
                m.put("environment", r.environment());
                m.put("cohort_start", r.cohortStart());
                m.put("period", k);
                m.put("users_on", r.on()[k]);
                m.put("users_on_or_after", r.onOrAfter()[k]);
                m.put("is_final", r.isFinal());
                m.put("version", r.version());
                out.add(m);
            }
        }
        return out;
    }

    private Map<Object, RetentionRow> retentionTable() {
        return table(
                this.<RetentionRow>all("retention"),
                r -> List.of(r.retention(), r.environment(), r.cohortStart()),
                RetentionRow::version);
    }

    /** {@code ea_timeseries} (or, with {@code rollup}, {@code ea_activity}) as the upserts leave it. */
    public Map<Object, SeriesRow> seriesTable(boolean rollup) {
        List<SeriesRow> rows = new ArrayList<>();
        for (SeriesRow r : this.<SeriesRow>all("series")) if (r.rollup() == rollup) rows.add(r);
        return table(
                rows,
                r -> List.of(r.environment(), String.valueOf(r.event()), r.granularity(), r.bucketStart()),
                SeriesRow::version);
    }

    /** {@code ea_timeseries} as the upserts leave it, in its columns. */
    public List<Map<String, Object>> seriesRows() {
        return seriesColumns(seriesTable(false));
    }

    /** {@code ea_activity} (the all-events rollup) as the upserts leave it, in its columns. */
    public List<Map<String, Object>> activityRows() {
        return seriesColumns(seriesTable(true));
    }

    private static List<Map<String, Object>> seriesColumns(Map<Object, SeriesRow> table) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (SeriesRow r : table.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("environment", r.environment());
            if (!r.rollup()) m.put("event", r.event());
            m.put("granularity", r.granularity());
            m.put("bucket_start", r.bucketStart());
            m.put("event_count", r.count());
            m.put("unique_users", r.uniqueUsers());
            m.put("users_sketch", Sketches.base64(r.usersSketch()));
            if (r.rollup()) {
                m.put("unique_sessions", r.uniqueSessions());
                m.put("sessions_sketch", Sketches.base64(r.sessionsSketch()));
            } else {
                m.put("breakdowns", r.breakdowns());
                m.put("breakdown_users", r.breakdownUsers());
            }
            m.put("is_final", r.isFinal());
            m.put("version", r.version());
            out.add(m);
        }
        return out;
    }

    /** Forgets what this run collected. */
    public void clear() {
        COLLECTED.keySet().removeIf(k -> k.startsWith(id + "/"));
    }

    /** A sink that adds every record to a queue of this JVM. */
    static final class CollectSink<T> implements Sink<T>, Serializable {
        private static final long serialVersionUID = 1L;
        private final String name;

        CollectSink(String name) {
            this.name = name;
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            Queue<Object> q = COLLECTED.computeIfAbsent(name, k -> new ConcurrentLinkedQueue<>());
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context ctx) {
                    q.add(element);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
