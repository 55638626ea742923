package io.eventagg.testing;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.ingest.EventParser;
import io.eventagg.ingest.FileEventSource;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.ingest.Ingested;
import io.eventagg.ingest.RunCounter;
import io.eventagg.pipeline.EventaggPipeline;
import io.eventagg.pipeline.JdbcOutputs;
import io.eventagg.pipeline.Outputs;
import io.eventagg.refresh.Backfill;
import io.eventagg.refresh.FilesBackfillSource;
import io.eventagg.refresh.RefreshRange;
import io.eventagg.runtime.Counters;
import io.eventagg.runtime.FlinkJob;
import io.eventagg.runtime.FlinkSettings;
import io.eventagg.runtime.RunSummary;
import io.eventagg.runtime.RunningJob;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;

/** Runs the eventagg pipeline over files on the test MiniCluster. */
public final class Pipelines {
    private Pipelines() {}

    /** Accumulated counters of a finished run, and its job id (to find its metrics). */
    public record Counts(
            long read, long aggregated, long dead, long late, long rows, long closedBucketEvents, JobID job) {
        static Counts of(RunSummary s) {
            Counters c = s.counters();
            return new Counts(
                    c.read(),
                    c.aggregated(),
                    c.deadLettered(),
                    c.late(),
                    c.rowsWritten(),
                    c.get(RunCounter.CLOSED_BUCKET_EVENTS),
                    s.jobId());
        }
    }

    /**
     * The state backend of the tests' streaming runs: {@code $STATE_BACKEND} (hashmap, rocksdb or
     * forst), else the heap.
     */
    public static FlinkSettings.StateBackend stateBackend() {
        String name = System.getenv("STATE_BACKEND");
        return name == null || name.isBlank()
                ? FlinkSettings.StateBackend.hashmap
                : FlinkSettings.StateBackend.valueOf(name.trim());
    }

    /** Sets the state backend of {@link #stateBackend} on a job's settings. */
    public static Configuration withStateBackend(Configuration conf) {
        return withStateBackend(conf, stateBackend());
    }

    static Configuration withStateBackend(Configuration conf, FlinkSettings.StateBackend backend) {
        FlinkSettings.withStateBackend(conf, backend);
        // The native backends' key-count metric, which shows that they held the keyed state.
        if (backend != FlinkSettings.StateBackend.hashmap)
            conf.setString("state.backend." + backend + ".metrics.estimate-num-keys", "true");
        return conf;
    }

    public static Counts run(
            JobDefinition job,
            List<Path> files,
            RunOptions options,
            WatermarkStrategy<Ingested> watermarks,
            Outputs outputs,
            int parallelism)
            throws Exception {
        return run(job, files, options, watermarks, outputs, parallelism, stateBackend());
    }

    /**
     * The tables made, then a batch run of the job over the files at parallelism 2 into them: the
     * results a read-side test asks about.
     */
    public static Counts batchInto(JobDefinition job, List<Path> files, SinkSettings sink) throws Exception {
        SchemaManager.apply(sink);
        return run(
                job,
                files,
                RunOptions.batchDefaults(),
                IngestWatermarks.strategy(job.watermark()),
                new JdbcOutputs(job.name(), sink),
                2);
    }

    /**
     * The three ways a job's results are made, each into a DuckDB file of its own in {@code dir}:
     * a batch run, a streaming run and a backfill of {@code [from, to)} over the same file; returns
     * the JDBC URL of each ({@code batch}, {@code streaming}, {@code backfill}), for tests that hold
     * all three to the same reference.
     */
    public static Map<String, String> threeWays(JobDefinition job, Path file, Path dir, Instant from, Instant to)
            throws Exception {
        Map<String, String> urls = new LinkedHashMap<>();
        for (String how : List.of("batch", "streaming", "backfill")) {
            String url = "jdbc:duckdb:" + dir.resolve(job.name() + "-" + how + ".duckdb");
            SinkSettings sink = SinkSettings.of(url);
            switch (how) {
                case "batch" -> batchInto(job, List.of(file), sink);
                case "streaming" -> {
                    SchemaManager.apply(sink);
                    run(
                            job,
                            List.of(file),
                            RunOptions.streamingDefaults(),
                            IngestWatermarks.strategy(job.watermark()),
                            new JdbcOutputs(job.name(), sink),
                            2);
                }
                default ->
                    Backfill.run(
                            FlinkSettings.base(false),
                            job,
                            new RefreshRange(job, from, to),
                            new FilesBackfillSource(List.of(file.toString())),
                            sink,
                            new PrintStream(OutputStream.nullOutputStream()));
            }
            urls.put(how, url);
        }
        return urls;
    }

    /** {@link #run} on the given state backend (streaming). */
    public static Counts run(
            JobDefinition job,
            List<Path> files,
            RunOptions options,
            WatermarkStrategy<Ingested> watermarks,
            Outputs outputs,
            int parallelism,
            FlinkSettings.StateBackend backend)
            throws Exception {
        Configuration conf = withStateBackend(FlinkSettings.base(options.streaming()), backend);
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        var source = FileEventSource.of(files.stream().map(Path::toString).toList(), EventParser.forJob(job));
        return Counts.of(FlinkJob.define(conf, "test " + job.name(), env -> {
                    // Streaming: one source subtask per file. An extra subtask would have no split, and until
                    // it finishes it holds the router's watermark (a minimum over all source subtasks) at its
                    // start, so which events are late would depend on when it finishes. (Batch keeps the
                    // source chained to the combiner: one combiner per file keeps sketch bytes, whose layout
                    // follows merge order, the same from run to run.)
                    var ingested = env.fromSource(source, watermarks, "events")
                            .uid("source")
                            .setParallelism(options.streaming() ? Math.min(parallelism, files.size()) : parallelism);
                    EventaggPipeline.define(ingested, job, options, outputs);
                })
                .run());
    }

    /** A streaming run's job id and its failure (null when it finished). */
    public record Attempt(JobID id, Throwable failure) {}

    /**
     * Runs the streaming pipeline over a file into JDBC outputs at parallelism 2 without restarts,
     * so a failure ends the job and is returned instead of retried.
     */
    public static Attempt runWithoutRestarts(JobDefinition job, Path input, SinkSettings sink, Duration timeout)
            throws Exception {
        Configuration conf = withStateBackend(FlinkSettings.base(true));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 2);
        var source = FileEventSource.of(List.of(input.toString()), EventParser.forJob(job));
        RunningJob running = FlinkJob.define(
                        conf,
                        "test " + job.name(),
                        env -> EventaggPipeline.define(
                                env.fromSource(source, IngestWatermarks.strategy(job.watermark()), "events")
                                        .uid("source"),
                                job,
                                RunOptions.streamingDefaults(),
                                new JdbcOutputs(job.name(), sink)))
                .start();
        try {
            running.client().getJobExecutionResult().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Attempt(running.id(), null);
        } catch (ExecutionException e) {
            return new Attempt(running.id(), e.getCause());
        }
    }
}
