package io.eventagg.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobDefinition;
import io.eventagg.generate.EventGenerator;
import io.eventagg.testing.ClickHouseServer;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.TestJobs;
import io.eventagg.testing.Tiers;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database that rejects the writes fails the job's task, and only the task: the TaskManager stays
 * up, so the restart strategy (or the next job) has slots to run on. Before the fix, the JDBC
 * writer rethrew the failed flush from {@code close()}, which Flink 2.2 runs inside the task's
 * failure handler, where any exception is fatal for the whole TaskManager.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
@ExtendWith(ClickHouseServer.class)
@Timeout(300)
class SinkFailureTest {

    @TempDir
    Path dir;

    /** Runs the pipeline over a file without restarts; the failure, or null. */
    static Throwable run(JobDefinition job, Path input, SinkSettings sink, Duration timeout) throws Exception {
        return Pipelines.runWithoutRestarts(job, input, sink, timeout).failure();
    }

    @Test
    void aRejectedWriteFailsTheTaskNotTheTaskManager() throws Exception {
        Path input = dir.resolve("events.jsonl");
        new EventGenerator(100, 2, 9, Instant.parse("2024-03-01T00:00:00Z"), 0.05).write(input);
        try (ClickHouseServer.Database db = ClickHouseServer.createDatabase("test_sink_failure")) {
            // The dead-letter "table" is a view: ClickHouse rejects every insert into it.
            db.execute("CREATE VIEW ea_dead_letters AS SELECT '' AS job, '' AS source, toInt32(0) AS src_partition,"
                    + " toInt64(0) AS src_offset, '' AS reason, '' AS raw, toInt64(0) AS raw_bytes");
            SinkSettings sink = db.settings().withBatch(1000, 200).withMaxRetries(1);
            SchemaManager.apply(sink);
            Throwable failure = run(TestJobs.timeSeries("sink_failure", "UTC"), input, sink, Duration.ofMinutes(2));
            assertThat(failure).as("the job fails once the sink gave up").isNotNull();
            assertThat(ExceptionUtils.stringifyException(failure)).contains("ea_dead_letters");
        }
        // The same cluster runs the next job: its TaskManager survived.
        SinkSettings duck = SinkSettings.of("jdbc:duckdb:" + dir.resolve("after.duckdb"));
        SchemaManager.apply(duck);
        Throwable next = run(TestJobs.timeSeries("sink_after", "UTC"), input, duck, Duration.ofSeconds(90));
        assertThat(next)
                .as(() -> "the job after the sink failure: " + ExceptionUtils.stringifyException(next))
                .isNull();
    }
}
