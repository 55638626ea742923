package io.eventagg.stickiness;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.ingest.Event;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Stickiness (PostHog's name; Mixpanel's "frequency"): for each week or month, how many users were
 * active on 1, 2, … of its days. Events ─ keyBy user ─ {@link StickinessTracker} (deltas as a user's
 * active days grow) ─ keyBy period ─ {@link StickinessCounter} (full-value rows).
 */
public final class StickinessPipeline {
    private StickinessPipeline() {}

    public static DataStream<StickinessRow> define(
            DataStream<Event> events, JobDefinition job, RunOptions run, long latenessMs, long emitMs) {
        DataStream<Event> counted = job.stickiness().events().isEmpty()
                ? events
                : events.filter(e -> job.stickiness().events().contains(e.event()))
                        .name("stickiness events")
                        .uid("stickiness-events");
        return counted.keyBy(e -> e.environment() + "\u001f" + e.distinctId())
                .process(
                        new StickinessTracker(job.stickiness().periods(), job.calendar(), latenessMs, !run.streaming()),
                        TypeInformation.of(StickinessDelta.class))
                .name("stickiness users")
                .uid("stickiness-users")
                .keyBy(StickinessDelta::periodKey)
                .process(
                        new StickinessCounter(
                                job.stickiness().periods(), job.calendar(), latenessMs, emitMs, run.generation()),
                        TypeInformation.of(StickinessRow.class))
                .name("stickiness periods")
                .uid("stickiness-periods");
    }
}
