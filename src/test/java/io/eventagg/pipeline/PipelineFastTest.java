package io.eventagg.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.generate.EventGenerator;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.testing.CollectingOutputs;
import io.eventagg.testing.FunnelTables;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.RefEvent;
import io.eventagg.testing.RefParser;
import io.eventagg.testing.RetentionTables;
import io.eventagg.testing.SeriesTables;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.TestJobs;
import io.eventagg.testing.Watermarks;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job (time series with breakdowns, three funnels, three retention definitions) on a
 * MiniCluster at parallelism 2, results collected in this JVM instead of a database, against the
 * references: a small generated dataset with a bot and malformed lines, across the US DST change
 * (seed 4: the smallest seed whose users also convert in the strict funnel),
 * in batch and in streaming (with late events). The fast tier's end-to-end check; the database
 * round trips are the services tier's.
 */
@ExtendWith(SharedCluster.class)
class PipelineFastTest {
    static final List<String> GRANULARITIES = List.of("minute", "hour", "day", "week", "month");

    @TempDir
    static Path dir;

    static Path input;
    static RefParser.Parsed parsed;

    @BeforeAll
    static void generate() throws Exception {
        input = dir.resolve("events.jsonl");
        new EventGenerator(
                        600,
                        12,
                        4,
                        Instant.parse("2024-03-04T00:00:00Z"),
                        0.01,
                        1.0,
                        EventGenerator.Options.NONE.withBots(1, 400))
                .write(input);
        parsed = RefParser.read(input, "production");
    }

    @Test
    void batchEqualsTheReferences() throws Exception {
        JobDefinition job = TestJobs.full("fast_batch", "America/New_York");
        CollectingOutputs out = new CollectingOutputs();
        Pipelines.Counts c = Pipelines.run(
                job, List.of(input), RunOptions.batchDefaults(), IngestWatermarks.strategy(job.watermark()), out, 2);
        assertThat(c.read()).isEqualTo(parsed.lines());
        assertThat(c.dead()).isEqualTo(parsed.bad()).isPositive();
        assertThat(c.aggregated()).isEqualTo(parsed.events().size());
        assertThat(out.<Object>all("dead-letters")).hasSize(parsed.bad());
        assertMatches(out, job, parsed.events());
        out.clear();
    }

    @Test
    void streamingEqualsTheReferencesOfOnTimeEvents() throws Exception {
        JobDefinition job = TestJobs.full("fast_stream", "America/New_York");
        CollectingOutputs out = new CollectingOutputs();
        Pipelines.Counts c = Pipelines.run(
                job,
                List.of(input),
                RunOptions.streamingDefaults(),
                Watermarks.perEvent(job.watermark().outOfOrderness()),
                out,
                2);
        List<RefEvent> onTime = Watermarks.onTimeUnderPerEvent(
                parsed.events(),
                job.watermark().outOfOrderness(),
                job.watermark().allowedLateness());
        assertThat(c.late()).isEqualTo(parsed.events().size() - onTime.size()).isPositive();
        assertThat(out.<Object>all("late-events")).hasSize((int) c.late());
        assertMatches(out, job, onTime);
        out.clear();
    }

    private static void assertMatches(CollectingOutputs out, JobDefinition job, List<RefEvent> events)
            throws Exception {
        SeriesTables.assertMatchReference(out.seriesRows(), out.activityRows(), job, GRANULARITIES, events, false);
        FunnelTables.assertMatchReference(out.funnelRows(), job.timezone(), events);
        RetentionTables.assertMatchReference(
                out.retentionCohortRows(), out.retentionPeriodRows(), job.timezone(), events);
    }
}
