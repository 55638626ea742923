package io.eventagg.testing;

import io.eventagg.config.JobDefinition;
import io.eventagg.ingest.EventParser;
import io.eventagg.ingest.FileEventSource;
import io.eventagg.ingest.Ingested;
import io.eventagg.ingest.RunCounter;
import io.eventagg.pipeline.EventaggPipeline;
import io.eventagg.pipeline.FlinkSettings;
import io.eventagg.pipeline.Outputs;
import io.eventagg.config.RunOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Runs the eventagg pipeline over files on the test MiniCluster. */
public final class Pipelines {
    private Pipelines() {}

    /** Accumulated counters of a finished run, and its job id (to find its metrics). */
    public record Counts(long read, long aggregated, long dead, long late, long rows, long closedBucketEvents,
            org.apache.flink.api.common.JobID job) {
        static Counts of(JobExecutionResult r) {
            Map<String, Object> a = r.getAllAccumulatorResults();
            return new Counts(n(a, RunCounter.EVENTS_IN), n(a, RunCounter.EVENTS_AGGREGATED), n(a, RunCounter.EVENTS_DEAD_LETTERED),
                    n(a, RunCounter.EVENTS_LATE), n(a, RunCounter.ROWS_WRITTEN), n(a, RunCounter.CLOSED_BUCKET_EVENTS), r.getJobID());
        }

        private static long n(Map<String, Object> a, String k) {
            return a.get(k) instanceof Number x ? x.longValue() : 0;
        }
    }

    public static Counts run(JobDefinition job, List<Path> files, RunOptions options, WatermarkStrategy<Ingested> watermarks,
            Outputs outputs, int parallelism) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.configure(FlinkSettings.base(options.streaming()));
        env.setParallelism(parallelism);
        var source = FileEventSource.of(files.stream().map(Path::toString).toList(), EventParser.forJob(job));
        // Streaming: one source subtask per file. An extra subtask would have no split, and until
        // it finishes it holds the router's watermark (a minimum over all source subtasks) at its
        // start, so which events are late would depend on when it finishes. (Batch keeps the
        // source chained to the combiner: one combiner per file keeps sketch bytes, whose layout
        // follows merge order, the same from run to run.)
        var ingested = env.fromSource(source, watermarks, "events").uid("source")
                .setParallelism(options.streaming() ? Math.min(parallelism, files.size()) : parallelism);
        EventaggPipeline.define(ingested, job, options, outputs);
        return Counts.of(env.execute("test " + job.name()));
    }

    /** A streaming run's job id and its failure (null when it finished). */
    public record Attempt(org.apache.flink.api.common.JobID id, Throwable failure) {}

    /**
     * Runs the streaming pipeline over a file into JDBC outputs at parallelism 2 without restarts,
     * so a failure ends the job and is returned instead of retried.
     */
    public static Attempt runWithoutRestarts(JobDefinition job, Path input, io.eventagg.sink.SinkSettings sink,
            java.time.Duration timeout) throws Exception {
        org.apache.flink.configuration.Configuration conf = FlinkSettings.base(true);
        conf.set(org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        var source = FileEventSource.of(List.of(input.toString()), EventParser.forJob(job));
        EventaggPipeline.define(env.fromSource(source, io.eventagg.ingest.IngestWatermarks.strategy(job.watermark()), "events").uid("source"),
                job, RunOptions.streamingDefaults(), new io.eventagg.pipeline.JdbcOutputs(job.name(), sink));
        org.apache.flink.core.execution.JobClient client = env.executeAsync("test " + job.name());
        try {
            client.getJobExecutionResult().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return new Attempt(client.getJobID(), null);
        } catch (java.util.concurrent.ExecutionException e) {
            return new Attempt(client.getJobID(), e.getCause());
        }
    }
}
