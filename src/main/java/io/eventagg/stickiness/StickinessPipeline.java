package io.eventagg.stickiness;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.ingest.Event;
import io.eventagg.sketch.Sketches;
import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import java.util.List;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * Stickiness (PostHog's name; Mixpanel's "frequency"): for each week or month, how many users were
 * active on 1, 2, … of its days. Events ─ project to {@link ActiveDay}, dropping a user's further
 * events of a day this subtask has just seen ─ keyBy user ─ {@link StickinessTracker} (deltas as a
 * user's active days grow) ─ keyBy period ─ {@link StickinessCounter} (full-value rows).
 *
 * <p>Only a user's first event of a day can change anything, so the projection forgets the rest
 * before the exchange (a bounded set per subtask; when it is full it starts over, which only lets
 * some repeats through): most events never cross the network or reach the tracker's state.
 */
public final class StickinessPipeline {
    private StickinessPipeline() {}

    /** The projection: an event's user and time, once per user and day as far as this subtask remembers. */
    static final class FirstOfDay extends RichFlatMapFunction<Event, ActiveDay> {
        private static final long serialVersionUID = 1L;
        /** (user, day) pairs remembered before starting over: 8 MiB of hashes. */
        static final int REMEMBERED = 1 << 20;

        private final List<String> only;
        private final BucketCalendar calendar;
        private transient java.util.HashSet<Long> seen;

        FirstOfDay(List<String> only, BucketCalendar calendar) {
            this.only = List.copyOf(only);
            this.calendar = calendar;
        }

        @Override
        public void flatMap(Event e, Collector<ActiveDay> out) {
            if (!only.isEmpty() && !only.contains(e.event())) return;
            long user = Sketches.idHash(e.environment() + "\u001f" + e.distinctId());
            long day = calendar.start(Granularity.DAY, e.timestamp());
            if (seen == null) seen = new java.util.HashSet<>();
            if (!seen.add(user * 31 + day)) return;
            if (seen.size() >= REMEMBERED) seen.clear();
            out.collect(new ActiveDay(user, e.environment(), e.timestamp()));
        }
    }

    public static DataStream<StickinessRow> define(
            DataStream<Event> events, JobDefinition job, RunOptions run, long latenessMs, long emitMs) {
        List<String> only = job.stickiness().events();
        BucketCalendar calendar = job.calendar();
        return events.flatMap(new FirstOfDay(only, calendar))
                .returns(TypeInformation.of(ActiveDay.class))
                .name("stickiness active days")
                .uid("stickiness-active-days")
                .keyBy(ActiveDay::userKey)
                .process(
                        new StickinessTracker(job.stickiness().periods(), calendar, latenessMs, !run.streaming()),
                        TypeInformation.of(StickinessDelta.class))
                .name("stickiness users")
                .uid("stickiness-users")
                .keyBy(StickinessDelta::periodKey)
                .process(
                        new StickinessCounter(
                                job.stickiness().periods(), calendar, latenessMs, emitMs, run.generation()),
                        TypeInformation.of(StickinessRow.class))
                .name("stickiness periods")
                .uid("stickiness-periods");
    }
}
