package io.eventagg.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.bench.DiscardingOutputs;
import io.eventagg.config.ConfigException;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.ingest.EventParser;
import io.eventagg.ingest.FileEventSource;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.pipeline.EventaggPipeline;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.TestJobs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;

/**
 * The runtime seam on a MiniCluster: a small bounded pipeline run through {@link FlinkJob} reports
 * exactly its input in its counters, and a program's failures end with {@link ExitCodes}' status.
 */
@ExtendWith(SharedCluster.class)
class FlinkJobTest {

    @TempDir
    Path dir;

    @Test
    void theSummaryCountsTheInput() throws Exception {
        Path input = dir.resolve("events.jsonl");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            lines.append("{\"event\":\"e")
                    .append(i % 3)
                    .append("\",\"distinct_id\":\"u")
                    .append(i % 7)
                    .append("\",\"timestamp\":\"2024-01-0")
                    .append(1 + i % 5)
                    .append("T10:00:00Z\"}\n");
        }
        lines.append("not json\n").append("{\"event\":\"no user\",\"timestamp\":\"2024-01-01T00:00:00Z\"}\n");
        Files.writeString(input, lines);
        JobDefinition job = TestJobs.timeSeries("seam", "UTC");

        RunSummary s = FlinkJob.define(
                        FlinkSettings.base(false),
                        "seam " + job.name(),
                        env -> EventaggPipeline.define(
                                env.fromSource(
                                                FileEventSource.of(List.of(input.toString()), EventParser.forJob(job)),
                                                IngestWatermarks.strategy(job.watermark()),
                                                "events")
                                        .uid("source"),
                                job,
                                RunOptions.batchDefaults(),
                                new DiscardingOutputs()))
                .run();

        assertThat(s.counters().read()).isEqualTo(42);
        assertThat(s.counters().aggregated()).isEqualTo(40);
        assertThat(s.counters().deadLettered()).isEqualTo(2);
        assertThat(s.counters().late()).isZero();
        assertThat(s.counters().rowsWritten())
                .as("rows counted on their way out")
                .isPositive();
        assertThat(s.jobId()).isNotNull();
        assertThat(s.seconds()).isPositive().isGreaterThanOrEqualTo(s.netRuntimeSeconds());
        assertThat(s.netRuntimeSeconds()).isPositive();
    }

    @Test
    void progressIsReportedWhileTheJobRuns() throws Exception {
        List<Double> reports = new CopyOnWriteArrayList<>();
        FlinkJob.define(
                        FlinkSettings.base(true),
                        "slow",
                        env -> env.fromSequence(1, 20).map(new Slow()).sinkTo(new DiscardingSink<>()))
                .run(Duration.ofMillis(100), (soFar, seconds) -> reports.add(seconds));
        assertThat(reports)
                .as("reports every 100 ms of a job that takes at least a second")
                .hasSizeGreaterThan(2)
                .isSorted();
    }

    @Test
    void aFailingJobExitsWith1AndItsMessage() {
        Result r = execute(() -> {
            Configuration conf = FlinkSettings.base(false);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            FlinkJob.define(
                            conf,
                            "failing",
                            env -> env.fromSequence(1, 10).map(new Failing()).sinkTo(new DiscardingSink<>()))
                    .run();
            return ExitCodes.OK;
        });
        assertThat(r.status()).isEqualTo(ExitCodes.FAILURE);
        assertThat(r.err())
                .startsWith("error: ")
                .contains("cannot write to jdbc:clickhouse://eventagg:****@127.0.0.1/db")
                .doesNotContain("pw-123")
                .doesNotContain("\tat ");
    }

    @Test
    void aConfigurationProblemExitsWith2AndNamesTheField() {
        Result r = execute(() -> {
            throw new IllegalStateException(
                    "wrapped", new ConfigException("watermark.allowed_lateness", "'soon' is not a duration"));
        });
        assertThat(r.status()).isEqualTo(ExitCodes.CONFIGURATION);
        assertThat(r.err().strip()).isEqualTo("error: watermark.allowed_lateness: 'soon' is not a duration");
    }

    @Test
    void aProgramsOwnUsageErrorsExitWith2() {
        Result r = execute(
                () -> {
                    throw new UnsupportedOperationException("--distinct-id needs --raw-events-table");
                },
                UnsupportedOperationException.class);
        assertThat(r.status()).isEqualTo(ExitCodes.CONFIGURATION);
        assertThat(r.err()).contains("--distinct-id needs --raw-events-table");
        assertThat(execute(() -> ExitCodes.OK).status()).isEqualTo(ExitCodes.OK);
    }

    record Result(int status, String err) {}

    @SafeVarargs
    private static Result execute(Callable<Integer> body, Class<? extends Exception>... usageErrors) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = ExitCodes.execute(new Program(body), new String[0], null, usageErrors);
            return new Result(status, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    @Command(name = "program")
    record Program(Callable<Integer> body) implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            return body.call();
        }
    }

    static final class Slow implements MapFunction<Long, Long> {
        @Override
        public Long map(Long v) throws Exception {
            Thread.sleep(50);
            return v;
        }
    }

    static final class Failing implements MapFunction<Long, Long> {
        @Override
        public Long map(Long v) {
            throw new IllegalStateException("cannot write to jdbc:clickhouse://eventagg:pw-123@127.0.0.1/db");
        }
    }
}
