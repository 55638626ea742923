package io.eventagg.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.generate.EventGenerator;
import io.eventagg.testing.CollectingOutputs;
import io.eventagg.testing.FunnelTables;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.RefEvent;
import io.eventagg.testing.RefParser;
import io.eventagg.testing.RetentionTables;
import io.eventagg.testing.SeriesTables;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.TestJobs;
import io.eventagg.testing.Tiers;
import io.eventagg.testing.Watermarks;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole job in streaming on the two state backends besides the heap one that a cluster may
 * pick (conf/flink/state-rocksdb.yaml, state-forst.yaml): RocksDB and ForSt (experimental in
 * Flink 2.x; flink-statebackend-forst 2.2.0 on Flink 2.2.1). Results against the references, as
 * {@link PipelineFastTest}'s streaming run (its dataset); that the backend really held the
 * keyed state shows in its native metric (estimate-num-keys, switched on by the backend's own
 * option, so the heap backend or the other one would not report it). Tagged slow: two more full
 * streaming runs with native state (10-20 s each), for {@code make test}, not the fast tier.
 */
@Tag(Tiers.SLOW)
@ExtendWith(SharedCluster.class)
class StateBackendsTest {
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

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "forst"})
    void streamingEqualsTheReferencesOnTheBackend(String backend) throws Exception {
        Configuration conf = new Configuration();
        conf.setString("state.backend.type", backend);
        conf.setString("state.backend." + backend + ".metrics.estimate-num-keys", "true");
        conf.setString(
                backend.equals("rocksdb") ? "state.backend.rocksdb.localdir" : "state.backend.forst.local-dir",
                dir.resolve(backend).toString());
        JobDefinition job = TestJobs.full("backend_" + backend, "America/New_York");
        CollectingOutputs out = new CollectingOutputs();
        Pipelines.Counts c = Pipelines.run(
                job,
                List.of(input),
                RunOptions.streamingDefaults(),
                Watermarks.perEvent(job.watermark().outOfOrderness()),
                out,
                2,
                conf);
        List<RefEvent> onTime = Watermarks.onTimeUnderPerEvent(
                parsed.events(),
                job.watermark().outOfOrderness(),
                job.watermark().allowedLateness());
        assertThat(c.read()).isEqualTo(parsed.lines());
        assertThat(c.late()).isEqualTo(parsed.events().size() - onTime.size());
        SeriesTables.assertMatchReference(out.seriesRows(), out.activityRows(), job, GRANULARITIES, onTime, false);
        FunnelTables.assertMatchReference(out.funnelRows(), job.timezone(), onTime);
        RetentionTables.assertMatchReference(
                out.retentionCohortRows(), out.retentionPeriodRows(), job.timezone(), onTime);
        out.clear();
        assertThat(SharedCluster.metrics().findMetrics(c.job(), "rocksdb.estimate-num-keys"))
                .as("the " + backend + " backend's native metric estimate-num-keys")
                .isNotEmpty();
    }
}
