package io.eventagg.pipeline;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.funnel.FunnelPipeline;
import io.eventagg.ingest.Event;
import io.eventagg.ingest.IngestRouter;
import io.eventagg.ingest.Ingested;
import io.eventagg.measure.MeasurePipeline;
import io.eventagg.retention.RetentionPipeline;
import io.eventagg.stickiness.StickinessPipeline;
import io.eventagg.timeseries.SeriesBucketOperator;
import io.eventagg.timeseries.SeriesCombiner;
import io.eventagg.timeseries.SeriesPartial;
import io.eventagg.timeseries.SeriesRow;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The eventagg dataflow, independent of where events come from and where results go:
 *
 * <pre>
 * source ═ route ─┬─ dead letters, late events ──────────────────────────────► outputs
 *                 ├─ combine (per-minute pre-aggregation) ─ keyBy series+granularity+day ─ calendar buckets ─► outputs
 *                 ├─ per funnel: keyBy user ─ gate ─ CEP ─ first reach (chained) ─ entry-day window ─► outputs
 *                 ├─ retention: cohorts per user ─ counts per cohort ─► outputs
 *                 ├─ stickiness: active days per user ─ users by days per period ─► outputs
 *                 ├─ measures: a property's values ─ keyBy bucket ─ sum, min, max, distribution ─► outputs
 *                 └─ max timestamp ─ progress (parallelism 1) ──────────────────► outputs
 * </pre>
 * (═: in streaming, an all-to-all exchange, see {@link #acrossSubtasks}.)
 *
 * Operators have stable uids so savepoints survive upgrades.
 */
public final class EventaggPipeline {
    private EventaggPipeline() {}

    /**
     * Adds the dataflow for {@code job} to the stream of ingested records (which must carry event
     * timestamps and watermarks, see {@link io.eventagg.ingest.IngestWatermarks}).
     */
    public static void define(DataStream<Ingested> ingested, JobDefinition job, RunOptions run, Outputs outputs) {
        long lateness = run.streaming() ? job.watermark().allowedLateness().toMillis() : 0L;
        long emitMs = run.streaming() ? job.watermark().emitInterval().toMillis() : 0L;

        SingleOutputStreamOperator<Event> events = acrossSubtasks(ingested, run)
                .transform("route", TypeInformation.of(Event.class), new IngestRouter(lateness))
                .uid("route");
        outputs.deadLetters(events.getSideOutput(IngestRouter.DEAD_LETTERS));
        outputs.lateEvents(events.getSideOutput(IngestRouter.LATE_EVENTS));

        DataStream<SeriesRow> rows = timeSeries(events, job, run, lateness, emitMs);
        outputs.series(rows);
        if (!job.funnels().isEmpty()) {
            outputs.funnels(FunnelPipeline.define(events, job, run, lateness, emitMs));
        }
        if (!job.measures().isEmpty()) {
            outputs.measures(MeasurePipeline.define(events, job, run, lateness, emitMs));
        }
        if (job.stickiness().enabled()) {
            outputs.stickiness(StickinessPipeline.define(events, job, run, lateness, emitMs));
        }
        if (!job.retention().isEmpty()) {
            outputs.retention(RetentionPipeline.define(events, job, run, lateness, emitMs));
        }

        DataStream<Long> maxima = events.transform(
                        "max timestamp", TypeInformation.of(Long.class), new MaxTimestamp(run.streaming() ? 1000 : 0))
                .uid("max-timestamp");
        outputs.progress(
                maxima.transform("progress", TypeInformation.of(ProgressRow.class), new ProgressTracker(emitMs))
                        .setParallelism(1)
                        .setMaxParallelism(1)
                        .uid("progress"));
    }

    /**
     * In streaming, the router must not be chained to a source subtask. Chained, it would judge
     * lateness by that subtask's own watermark, while every operator after a shuffle runs on the
     * minimum over the <em>active</em> subtasks: a subtask that was idle (a broker outage during a
     * catch-up) resumes behind the others, its events pass its own check and then reach buckets,
     * funnel windows and cohorts that are already closed, where they would vanish. Behind an
     * all-to-all exchange the router sees the same combined watermark as everything after it, so
     * an event it accepts is on time everywhere, and one it rejects is kept as a late event.
     * Batch runs have no lateness, and a single source subtask has nothing to disagree with.
     */
    public static DataStream<Ingested> acrossSubtasks(DataStream<Ingested> ingested, RunOptions run) {
        return run.streaming() && ingested.getParallelism() != 1 ? ingested.rebalance() : ingested;
    }

    /**
     * The combiner's lead before each emission tick, given the job's network buffer timeout: its
     * partials can wait that long in an output buffer before they travel, so the lead is at least
     * two of them and 50 ms (a partial that misses a tick waits a whole emit interval for the next).
     * Without a timeout (-1, buffers sent only when full) nothing bounds the wait; the lead stays.
     */
    static long combinerLead(long leadMs, long bufferTimeoutMs) {
        return bufferTimeoutMs > 0 ? Math.max(leadMs, 2 * bufferTimeoutMs + 50) : leadMs;
    }

    static DataStream<SeriesRow> timeSeries(
            DataStream<Event> events, JobDefinition job, RunOptions run, long lateness, long emitMs) {
        DataStream<SeriesPartial> partials = events.transform(
                        "combine time series",
                        TypeInformation.of(SeriesPartial.class),
                        new SeriesCombiner(
                                job,
                                emitMs,
                                combinerLead(
                                        run.combinerLeadMs(),
                                        events.getExecutionEnvironment().getBufferTimeout()),
                                run.combinerMaxBuckets(),
                                run.nowMs()))
                .uid("timeseries-combine");
        return partials.keyBy(SeriesPartial::key)
                .transform(
                        "timeseries buckets",
                        TypeInformation.of(SeriesRow.class),
                        new SeriesBucketOperator(job, lateness, emitMs, run.generation()))
                .uid("timeseries-buckets-2");
    }
}
