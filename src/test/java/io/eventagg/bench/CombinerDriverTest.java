package io.eventagg.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.generate.EventGenerator;
import io.eventagg.ingest.Event;
import io.eventagg.time.Granularity;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The combiner's driver counts what the combiner hands on, the same on every pass. */
class CombinerDriverTest {
    private static final JobDefinition JOB = JobLoader.parse("""
            name: t
            timezone: UTC
            granularities: [minute, hour, day, week, month]
            breakdowns: [plan]
            watermark: {out_of_orderness: 30s, allowed_lateness: 1h, emit_interval: 10s}
            """);

    @TempDir
    Path dir;

    @Test
    void countsEveryEventAndEveryMinuteOnceWhateverTheFlushes() throws Exception {
        Path file = dir.resolve("events.jsonl");
        new EventGenerator(300, 10, 3, Instant.parse("2024-01-01T00:00:00Z"), 0.0).write(file);
        List<Event> events = Ceiling.events(JOB, List.of(file.toString()));
        assertThat(events).hasSizeGreaterThan(1000);
        Set<Long> minutes = new HashSet<>();
        Set<String> seriesMinutes = new HashSet<>();
        for (Event e : events) {
            long m = Math.floorDiv(e.timestamp(), 60_000L);
            minutes.add(m);
            seriesMinutes.add(e.environment() + "/" + m);
            seriesMinutes.add(e.environment() + "/" + e.event() + "/" + m);
        }

        CombinerDriver.Pass batch = CombinerDriver.run(JOB, events, 0, 20_000);
        CombinerDriver.Pass small = CombinerDriver.run(JOB, events, 0, 50);
        CombinerDriver.Pass replay = CombinerDriver.run(JOB, events, 500, 20_000);
        int minute = Granularity.MINUTE.ordinal();
        for (CombinerDriver.Pass p : List.of(batch, small, replay)) {
            assertThat(p.events()).isEqualTo(events.size());
            assertThat(p.rollupMinuteCount())
                    .as("every event in one rollup minute")
                    .isEqualTo(events.size());
            assertThat(p.partials()[minute])
                    .as("at least one partial per rollup minute")
                    .isGreaterThanOrEqualTo(minutes.size());
        }
        // Below its limit the combiner holds everything: one partial per series (the rollup and each
        // event, per environment) and minute.
        assertThat(batch.partials()[minute]).isEqualTo(seriesMinutes.size());
        assertThat(batch.partials()[Granularity.MONTH.ordinal()]).isPositive();
        // A small limit flushes often and splits coarse buckets into more partials.
        assertThat(small.totalPartials()).isGreaterThan(batch.totalPartials());
        assertThat(CombinerDriver.run(JOB, events, 500, 20_000).partials())
                .as("deterministic")
                .containsExactly(replay.partials());
    }
}
