package io.eventagg.refresh;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.ingest.Ingested;
import io.eventagg.ingest.RunCounter;
import io.eventagg.pipeline.EventaggPipeline;
import io.eventagg.pipeline.JdbcOutputs;
import io.eventagg.runtime.Counters;
import io.eventagg.runtime.FlinkJob;
import io.eventagg.runtime.FlinkSettings;
import io.eventagg.runtime.RunSummary;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFilterFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The spec's {@code refresh(start, end)}: recomputes everything that depends on the events of a
 * range, in Flink's batch execution mode, so the pre-aggregates become exactly what they would have
 * been. Rows inside the (widened) range are replaced by a new generation, rows of older generations
 * there are then deleted, rows outside it are untouched. While it runs, {@code ea_refreshes} has a
 * running entry for the range and queries over it say {@code refresh_in_progress}.
 */
public final class Backfill {
    public static final String EVENTS_OUTSIDE_RANGE = "eventsOutsideRange";

    private Backfill() {}

    /**
     * What a refresh did.
     *
     * @param seconds the whole refresh, as its caller waited for it
     * @param workSeconds the same without the cluster's own overhead around the job (starting and
     *     stopping a local MiniCluster, submission): the job's net run time plus the refresh's
     *     schema, refresh-log and stale-row statements
     */
    public record Summary(
            long generation,
            long read,
            long aggregated,
            long deadLettered,
            long outsideRange,
            long lateEventsTable,
            long rowsWritten,
            double seconds,
            double workSeconds) {}

    /**
     * Builds and runs the refresh with the Flink settings {@code flink} (a local MiniCluster's or a
     * cluster job's, see {@link FlinkSettings}), always in batch execution, blocking until it is
     * done; prints what it reads and writes every few seconds to {@code log}.
     */
    public static Summary run(
            Configuration flink,
            JobDefinition job,
            RefreshRange range,
            BackfillSource source,
            SinkSettings sink,
            PrintStream log)
            throws Exception {
        return run(flink, job, range, source, sink, 0, log);
    }

    /** @param nowMs the fixed time the job's horizons are measured from; 0: the wall clock */
    public static Summary run(
            Configuration flink,
            JobDefinition job,
            RefreshRange range,
            BackfillSource source,
            SinkSettings sink,
            long nowMs,
            PrintStream log)
            throws Exception {
        long started = System.nanoTime();
        SchemaManager.apply(sink);
        List<LateEventsTable.Late> late = LateEventsTable.read(sink, job, range);
        long generation = RefreshLog.begin(sink, job.name(), range);
        log.printf("refresh generation %d of job '%s' from %s%n%s%n", generation, job.name(), source.describe(), range);
        if (!late.isEmpty()) log.printf("  + %,d events from the late-events table%n", late.size());
        try {
            RunSummary run = FlinkJob.define(
                            flink,
                            "eventagg refresh " + job.name() + " " + range.from() + " .. " + range.to(),
                            env -> define(env, job, range, source, sink, late, generation, nowMs))
                    .run(
                            Duration.ofSeconds(5),
                            (soFar, secs) -> log.printf(
                                    "  … %,d records read, %,d rows written (%.0f s)%n",
                                    soFar.read() + soFar.get(EVENTS_OUTSIDE_RANGE), soFar.rowsWritten(), secs));
            double overhead = Math.max(0, run.seconds() - run.netRuntimeSeconds());
            log.println("  replacing done; deleting rows of older generations in the range");
            StaleRows.delete(sink, job, range, generation);
            RefreshLog.finish(sink, generation, job.name(), range, "done");
            Counters c = run.counters();
            double seconds = (System.nanoTime() - started) / 1e9;
            return new Summary(
                    generation,
                    c.read(),
                    c.aggregated(),
                    c.deadLettered(),
                    c.get(EVENTS_OUTSIDE_RANGE),
                    late.size(),
                    c.rowsWritten(),
                    seconds,
                    seconds - overhead);
        } catch (Exception e) {
            try {
                RefreshLog.finish(sink, generation, job.name(), range, "failed");
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * The refresh's dataflow: the source's read span (minus records the late-events table has) and
     * those, into the pipeline. Public for the tests that inspect the graph (uids, serializers).
     */
    public static void define(
            StreamExecutionEnvironment env,
            JobDefinition job,
            RefreshRange range,
            BackfillSource source,
            SinkSettings sink,
            List<LateEventsTable.Late> late,
            long generation) {
        define(env, job, range, source, sink, late, generation, 0);
    }

    static void define(
            StreamExecutionEnvironment env,
            JobDefinition job,
            RefreshRange range,
            BackfillSource source,
            SinkSettings sink,
            List<LateEventsTable.Late> late,
            long generation,
            long nowMs) {
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        DataStream<Ingested> input = source.create(env, job, range)
                .filter(new InRange(range.read(), origins(late)))
                .name("refresh read range")
                .uid("refresh-read-range");
        if (!late.isEmpty()) {
            input = input.union(env.fromData(
                            late.stream().map(LateEventsTable.Late::record).toList(),
                            TypeInformation.of(Ingested.class))
                    .name("late events table")
                    .uid("late-events-table")
                    .setParallelism(1)
                    .rebalance());
        }
        // Batch execution ignores watermarks, but every record needs its event timestamp: keyed
        // stages get their input sorted by it, and CEP matches in its order.
        input = input.assignTimestampsAndWatermarks(IngestWatermarks.strategy(job.watermark()))
                .name("event timestamps")
                .uid("refresh-timestamps");
        EventaggPipeline.define(
                input,
                job,
                RunOptions.batchDefaults().withGeneration(generation).withNowMs(nowMs),
                new RefreshOutputs(new JdbcOutputs(job.name(), sink), range));
    }

    private static Set<String> origins(List<LateEventsTable.Late> late) {
        Set<String> s = new HashSet<>();
        for (LateEventsTable.Late l : late) s.add(l.origin());
        return s;
    }

    /**
     * Keeps dead letters and the events of the read span, except records the late-events table
     * provides (same origin).
     */
    static final class InRange extends RichFilterFunction<Ingested> {
        private static final long serialVersionUID = 1L;
        private final RefreshRange.Span span;
        private final Set<String> lateOrigins;
        private transient Counter outside;

        InRange(RefreshRange.Span span, Set<String> lateOrigins) {
            this.span = span;
            this.lateOrigins = lateOrigins;
        }

        @Override
        public void open(OpenContext openContext) {
            outside = new RunCounter(getRuntimeContext(), getRuntimeContext().getMetricGroup(), EVENTS_OUTSIDE_RANGE);
        }

        @Override
        public boolean filter(Ingested r) {
            if (r.event() == null) return true;
            if (!span.contains(r.event().timestamp())) {
                outside.inc();
                return false;
            }
            return lateOrigins.isEmpty()
                    || !lateOrigins.contains(LateEventsTable.origin(
                            r.event().source(), r.event().partition(), r.event().offset()));
        }
    }
}
