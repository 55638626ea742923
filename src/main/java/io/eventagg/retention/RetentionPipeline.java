package io.eventagg.retention;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.ingest.Event;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;

/**
 * The retention dataflow: events relevant to any definition ─ keyBy user ─ {@link RetentionTracker}
 * (deltas as users join cohorts and return) ─ keyBy cohort ─ {@link CohortCounter} (full-value rows).
 *
 * <p>The user key is the text {@link RetentionEvent#userKey()} in streaming (the key its savepoints
 * hold) and the 64-bit {@link RetentionEvent#userHash()} in batch execution. Batch sorts every keyed
 * input by the key's serialized bytes, and compares records by a 16-byte prefix of them first: a
 * text key starts with the environment, so that prefix rarely decides and Flink compares the rest
 * byte by byte through its paged buffers (a fifth of a backfill's CPU). A fixed-length key and the
 * record's timestamp fit the prefix, which then decides every comparison. Batch also sums the
 * deltas per cohort before the cohort shuffle ({@link CohortDeltaCombiner}).
 */
public final class RetentionPipeline {
    /** Sums a batch run's delta combiner holds at most (a few MB). */
    static final int COMBINER_MAX_ENTRIES = 50_000;

    private RetentionPipeline() {}

    public static DataStream<RetentionRow> define(
            DataStream<Event> events, JobDefinition job, RunOptions run, long latenessMs, long emitMs) {
        CompiledRetention compiled = new CompiledRetention(job.retention(), job.propertySelection());
        DataStream<RetentionEvent> projected = events.flatMap((Event e, Collector<RetentionEvent> out) -> {
                    RetentionEvent r = compiled.project(e);
                    if (r != null) out.collect(r);
                })
                .returns(TypeInformation.of(RetentionEvent.class))
                .name("retention project")
                .uid("retention-project");
        TypeInformation<RetentionDelta> deltaType = TypeInformation.of(RetentionDelta.class);
        SingleOutputStreamOperator<RetentionDelta> deltas = run.streaming()
                ? projected
                        .keyBy(RetentionEvent::userKey)
                        .process(new RetentionTracker<>(job.retention(), job.calendar(), latenessMs, false), deltaType)
                : projected
                        .keyBy(RetentionEvent::userHash)
                        .process(new RetentionTracker<>(job.retention(), job.calendar(), latenessMs, true), deltaType);
        deltas.name("retention users").uid("retention-users");
        DataStream<RetentionDelta> toCohorts = run.streaming()
                ? deltas
                : deltas.transform("retention sum deltas", deltaType, new CohortDeltaCombiner(COMBINER_MAX_ENTRIES))
                        .uid("retention-sum-deltas");
        return toCohorts
                .keyBy(RetentionDelta::cohortKey)
                .process(
                        new CohortCounter(job.retention(), job.calendar(), latenessMs, emitMs, run.generation()),
                        TypeInformation.of(RetentionRow.class))
                .name("retention cohorts")
                .uid("retention-cohorts");
    }
}
