package io.eventagg.pipeline;

import io.eventagg.funnel.FunnelRow;
import io.eventagg.ingest.DeadLetter;
import io.eventagg.ingest.Event;
import io.eventagg.ingest.LateEvent;
import io.eventagg.ingest.RunCounter;
import io.eventagg.measure.MeasureRow;
import io.eventagg.retention.RetentionPeriodRow;
import io.eventagg.retention.RetentionRow;
import io.eventagg.sink.JdbcTableSink;
import io.eventagg.sink.RowMapper;
import io.eventagg.sink.RowVersion;
import io.eventagg.sink.SinkSettings;
import io.eventagg.sink.TableSpec;
import io.eventagg.sink.Tables;
import io.eventagg.sketch.Sketches;
import io.eventagg.stickiness.StickinessDaysRow;
import io.eventagg.stickiness.StickinessRow;
import io.eventagg.timeseries.SeriesRow;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * Results written into their tables, one {@link JdbcTableSink} per table (at-least-once: every
 * checkpoint flushes; together with full-value versioned upserts, replays leave the tables as they
 * were). Metrics per table: {@code rowsWritten} (the counting map before each sink), and the sink
 * writer's {@code sinkWriteFailures} / {@code sinkConnectFailures} (operator {@code jdbc <table>: Writer}).
 */
public class JdbcOutputs implements Outputs {
    private static final long serialVersionUID = 1L;

    protected final String job;
    protected final SinkSettings settings;

    public JdbcOutputs(String job, SinkSettings settings) {
        this.job = job;
        this.settings = settings;
    }

    @Override
    public void series(DataStream<SeriesRow> rows) {
        write(
                rows.filter(r -> !r.rollup()).name("timeseries rows").uid("timeseries-rows"),
                Tables.TIMESERIES,
                (RowMapper<SeriesRow>) r -> new Object[] {
                    job,
                    r.environment(),
                    r.event(),
                    r.granularity(),
                    r.bucketStart(),
                    r.count(),
                    r.uniqueUsers(),
                    Sketches.base64(r.usersSketch()),
                    r.breakdowns(),
                    r.isFinal(),
                    r.version(),
                    r.breakdownUsers()
                });
        write(rows.filter(SeriesRow::rollup).name("activity rows").uid("activity-rows"), Tables.ACTIVITY, (RowMapper<
                        SeriesRow>)
                r -> new Object[] {
                    job,
                    r.environment(),
                    r.granularity(),
                    r.bucketStart(),
                    r.count(),
                    r.uniqueUsers(),
                    Sketches.base64(r.usersSketch()),
                    r.uniqueSessions(),
                    Sketches.base64(r.sessionsSketch()),
                    r.isFinal(),
                    r.version()
                });
    }

    @Override
    public void deadLetters(DataStream<DeadLetter> deadLetters) {
        write(deadLetters, Tables.DEAD_LETTERS, (RowMapper<DeadLetter>)
                d -> new Object[] {job, d.source(), d.partition(), d.offset(), d.reason(), d.raw(), d.rawBytes()});
    }

    @Override
    public void lateEvents(DataStream<LateEvent> lateEvents) {
        write(lateEvents, Tables.LATE_EVENTS, (RowMapper<LateEvent>) l -> {
            Event e = l.event();
            return new Object[] {
                job,
                e.source(),
                e.partition(),
                e.offset(),
                e.uuid(),
                e.event(),
                e.distinctId(),
                e.timestamp(),
                e.timestamp(),
                e.environment(),
                e.sessionId(),
                e.properties(),
                l.watermark()
            };
        });
    }

    @Override
    public void progress(DataStream<ProgressRow> progress) {
        write(progress, Tables.PROGRESS, (RowMapper<ProgressRow>) p ->
                new Object[] {job, p.watermark(), RowVersion.of(0, Math.max(0, p.watermark() / 1000), false)});
    }

    @Override
    public void funnels(DataStream<FunnelRow> rows) {
        write(rows, Tables.FUNNELS, (RowMapper<FunnelRow>) r -> new Object[] {
            job,
            r.funnel(),
            r.environment(),
            r.entryDay(),
            r.step(),
            r.stepName(),
            r.users(),
            Sketches.base64(r.usersSketch()),
            r.fromPreviousCount(),
            r.fromPreviousSum(),
            Sketches.base64(r.fromPreviousSketch()),
            r.fromStartCount(),
            r.fromStartSum(),
            Sketches.base64(r.fromStartSketch()),
            r.isFinal(),
            r.version()
        });
    }

    @Override
    public void measures(DataStream<MeasureRow> rows) {
        write(rows, Tables.MEASURES, (RowMapper<MeasureRow>) r -> new Object[] {
            job,
            r.environment(),
            r.measure(),
            r.granularity(),
            r.bucketStart(),
            r.events(),
            r.values(),
            r.sum(),
            r.min(),
            r.max(),
            r.nonNumeric(),
            Sketches.base64(r.quantiles()),
            r.isFinal(),
            r.version()
        });
    }

    @Override
    public void stickiness(DataStream<StickinessRow> rows) {
        DataStream<StickinessDaysRow> byDays = rows.flatMap((StickinessRow r, Collector<StickinessDaysRow> out) -> {
                    for (int k = 0; k < r.users().length; k++)
                        out.collect(new StickinessDaysRow(
                                r.environment(),
                                r.period(),
                                r.periodStart(),
                                k + 1,
                                r.users()[k],
                                r.isFinal(),
                                r.version()));
                })
                .returns(TypeInformation.of(StickinessDaysRow.class))
                .setParallelism(rows.getParallelism())
                .name("stickiness rows")
                .uid("stickiness-rows");
        write(byDays, Tables.STICKINESS, (RowMapper<StickinessDaysRow>) r -> new Object[] {
            job, r.environment(), r.period(), r.periodStart(), r.daysActive(), r.users(), r.isFinal(), r.version()
        });
    }

    @Override
    public void retention(DataStream<RetentionRow> rows) {
        write(rows, Tables.RETENTION_COHORTS, (RowMapper<RetentionRow>) r -> new Object[] {
            job, r.retention(), r.environment(), r.cohortStart(), r.cohortSize(), r.isFinal(), r.version()
        });
        DataStream<RetentionPeriodRow> periods = rows.flatMap((RetentionRow r, Collector<RetentionPeriodRow> out) -> {
                    for (int k = 0; k < r.on().length; k++) {
                        out.collect(new RetentionPeriodRow(
                                r.retention(),
                                r.environment(),
                                r.cohortStart(),
                                k,
                                r.on()[k],
                                r.onOrAfter()[k],
                                r.isFinal(),
                                r.version()));
                    }
                })
                .returns(TypeInformation.of(RetentionPeriodRow.class))
                .setParallelism(rows.getParallelism())
                .name("retention periods")
                .uid("retention-period-rows");
        write(periods, Tables.RETENTION_PERIODS, (RowMapper<RetentionPeriodRow>) r -> new Object[] {
            job,
            r.retention(),
            r.environment(),
            r.cohortStart(),
            r.period(),
            r.usersOn(),
            r.usersOnOrAfter(),
            r.isFinal(),
            r.version()
        });
    }

    /**
     * Counts records and attaches the table's sink, which writes each as one row. Its name and uid
     * ({@code jdbc <table>}, {@code sink-<table>}) are what metrics, dashboards and savepoints know it by.
     */
    protected <T> void write(DataStream<T> stream, TableSpec table, RowMapper<T> mapper) {
        // Same parallelism as the producer: rows of one key then always reach the same writer, so
        // two writers never race on a row (DuckDB would report a conflict, ClickHouse keep both).
        int parallelism = stream.getParallelism();
        stream.map(new CountRows<T>())
                .returns(stream.getType())
                .setParallelism(parallelism)
                .name("count " + table.name())
                .uid("count-" + table.name())
                .sinkTo(new JdbcTableSink<>(settings, table, mapper))
                .setParallelism(parallelism)
                .name("jdbc " + table.name())
                .uid("sink-" + table.name());
    }

    /** Passes records through, counting them as {@code rowsWritten} (also used by the benchmark's discarding outputs). */
    public static final class CountRows<T> extends RichMapFunction<T, T> {
        private static final long serialVersionUID = 1L;
        private transient Counter rows;

        @Override
        public void open(OpenContext openContext) {
            rows = new RunCounter(getRuntimeContext(), getRuntimeContext().getMetricGroup(), RunCounter.ROWS_WRITTEN);
        }

        @Override
        public T map(T value) {
            rows.inc();
            return value;
        }
    }
}
