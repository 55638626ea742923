package io.eventagg.retention;

import io.eventagg.config.JobDefinition;
import io.eventagg.ingest.Event;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The retention dataflow: events relevant to any definition ─ keyBy user ─ {@link RetentionTracker}
 * (deltas as users join cohorts and return) ─ keyBy cohort ─ {@link CohortCounter} (full-value rows).
 */
public final class RetentionPipeline {
    private RetentionPipeline() {}

    public static DataStream<RetentionRow> define(DataStream<Event> events, JobDefinition job, long generation, long latenessMs, long emitMs) {
        CompiledRetention compiled = new CompiledRetention(job.retention(), job.propertySelection());
        return events
                .flatMap((Event e, org.apache.flink.util.Collector<RetentionEvent> out) -> {
                    RetentionEvent r = compiled.project(e);
                    if (r != null) out.collect(r);
                })
                .returns(TypeInformation.of(RetentionEvent.class))
                .name("retention project")
                .uid("retention-project")
                .keyBy(RetentionEvent::userKey)
                .process(new RetentionTracker(job.retention(), job.calendar(), latenessMs), TypeInformation.of(RetentionDelta.class))
                .name("retention users")
                .uid("retention-users")
                .keyBy(RetentionDelta::cohortKey)
                .process(new CohortCounter(job.retention(), job.calendar(), latenessMs, emitMs, generation), TypeInformation.of(RetentionRow.class))
                .name("retention cohorts")
                .uid("retention-cohorts");
    }
}
