package io.eventagg.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.config.RunOptions;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import io.eventagg.testing.DuckTables;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.Tiers;
import io.eventagg.testing.Watermarks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The case behind a broker outage during a catch-up, made deterministic: one source subtask is
 * idle (it reads garbage) while the other runs days ahead and finishes, so every operator after a
 * shuffle moves on without the idle one. When the idle subtask's on-time-for-itself events then
 * come, they must be classified late (counted and kept whole) rather than pass the router and
 * vanish in closed buckets: nothing is lost, and read = aggregated + dead-lettered + late still
 * holds against the tables.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
class IdleSubtaskTest {

    private static final int GARBAGE_LINES = 100_000;
    private static final int LAGGING_EVENTS = 50;

    @TempDir
    Path dir;

    private static String event(String user, Instant ts) {
        return "{\"event\":\"pageview\",\"distinct_id\":\"" + user + "\",\"timestamp\":\"" + ts + "\"}";
    }

    @Test
    void eventsOfASubtaskThatWasIdleWhileTheOthersMovedOnAreLateNotLost() throws Exception {
        Instant start = Instant.parse("2024-01-01T00:00:00Z");
        List<String> ahead = new ArrayList<>();
        for (int h = 0; h < 120; h++) ahead.add(event("a" + h, start.plusSeconds(3600L * h)));
        List<String> lagging = new ArrayList<>();
        for (int i = 0; i < GARBAGE_LINES; i++) lagging.add("garbage " + i);
        for (int i = 0; i < LAGGING_EVENTS; i++) lagging.add(event("l" + i, start.plusSeconds(36_000 + 60L * i)));
        Path aheadFile = Files.write(dir.resolve("ahead.jsonl"), ahead);
        Path laggingFile = Files.write(dir.resolve("lagging.jsonl"), lagging);

        JobDefinition job = JobLoader.parse("""
                name: idle
                granularities: [hour, day]
                limits: {dead_letter_raw_bytes: 16}
                watermark: {out_of_orderness: 0s, allowed_lateness: 1h, emit_interval: 1s}
                """);
        String url = "jdbc:duckdb:" + dir.resolve("idle.duckdb");
        SchemaManager.apply(SinkSettings.of(url));
        Pipelines.Counts counts = Pipelines.run(
                job,
                List.of(aheadFile, laggingFile),
                RunOptions.streamingDefaults(),
                Watermarks.perEventIdleOnDeadLetters(job.watermark().outOfOrderness()),
                new JdbcOutputs(job.name(), SinkSettings.of(url)),
                2);

        assertThat(counts.read()).isEqualTo(ahead.size() + lagging.size());
        assertThat(counts.dead()).isEqualTo(GARBAGE_LINES);
        assertThat(counts.closedBucketEvents())
                .as("events that passed the router but found their bucket closed")
                .isZero();
        assertThat(counts.late())
                .as("the idle subtask's events are behind everyone else's watermark")
                .isEqualTo(LAGGING_EVENTS);
        assertThat(counts.aggregated()).isEqualTo(ahead.size());
        assertThat(counts.read()).isEqualTo(counts.aggregated() + counts.dead() + counts.late());
        for (String g : List.of("hour", "day")) {
            assertThat(DuckTables.count(
                            url, "SELECT sum(event_count) FROM ea_activity WHERE granularity = '" + g + "'"))
                    .as(g)
                    .isEqualTo(counts.aggregated());
        }
        assertThat(DuckTables.count(url, "SELECT count(*) FROM ea_late_events WHERE distinct_id LIKE 'l%'"))
                .isEqualTo(LAGGING_EVENTS);
        assertThat(DuckTables.count(url, "SELECT count(*) FROM ea_dead_letters"))
                .isEqualTo(GARBAGE_LINES);
    }
}
