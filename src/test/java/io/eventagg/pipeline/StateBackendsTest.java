package io.eventagg.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.generate.EventGenerator;
import io.eventagg.runtime.FlinkSettings;
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
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole job in streaming (time series, funnels, retention; late events) on every state backend
 * a user can pick, each against the references: the heap, RocksDB and ForSt. The operators use
 * public state APIs only, so nothing may differ; this is where a backend that hands out copies
 * (RocksDB, ForSt) would show an operator relying on the heap's objects.
 */
@ExtendWith(SharedCluster.class)
class StateBackendsTest {
    @TempDir
    static Path dir;

    static Path input;
    static RefParser.Parsed parsed;

    @BeforeAll
    static void generate() throws Exception {
        input = dir.resolve("events.jsonl");
        new EventGenerator(
                        300,
                        10,
                        7,
                        Instant.parse("2024-03-05T00:00:00Z"),
                        0.01,
                        1.0,
                        EventGenerator.Options.NONE.withBots(1, 300))
                .write(input);
        parsed = RefParser.read(input, "production");
    }

    @ParameterizedTest
    @EnumSource(FlinkSettings.StateBackend.class)
    void streamingEqualsTheReferencesOnEveryBackend(FlinkSettings.StateBackend backend) throws Exception {
        JobDefinition job = TestJobs.full("backend_" + backend, "America/New_York");
        CollectingOutputs out = new CollectingOutputs();
        Pipelines.Counts c = Pipelines.run(
                job,
                List.of(input),
                RunOptions.streamingDefaults(),
                Watermarks.perEvent(job.watermark().outOfOrderness()),
                out,
                2,
                backend);
        List<RefEvent> onTime = Watermarks.onTimeUnderPerEvent(
                parsed.events(),
                job.watermark().outOfOrderness(),
                job.watermark().allowedLateness());
        assertThat(c.read()).isEqualTo(parsed.lines());
        assertThat(c.late()).isEqualTo(parsed.events().size() - onTime.size());
        SeriesTables.assertMatchReference(
                out.seriesRows(), out.activityRows(), job, PipelineFastTest.GRANULARITIES, onTime, false);
        FunnelTables.assertMatchReference(out.funnelRows(), job.timezone(), onTime);
        RetentionTables.assertMatchReference(
                out.retentionCohortRows(), out.retentionPeriodRows(), job.timezone(), onTime);
        out.clear();
        // RocksDB and ForSt report their native key estimate (under the "rocksdb" prefix, both);
        // the heap has no such metric.
        var keys = SharedCluster.metrics().findMetrics(c.job(), "rocksdb.estimate-num-keys");
        if (backend == FlinkSettings.StateBackend.hashmap) {
            assertThat(keys).isEmpty();
        } else {
            assertThat(keys)
                    .as("the %s backend's native metric estimate-num-keys", backend)
                    .isNotEmpty();
        }
    }
}
