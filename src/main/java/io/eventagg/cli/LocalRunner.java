package io.eventagg.cli;

import io.eventagg.config.JobDefinition;
import io.eventagg.ingest.Ingested;
import io.eventagg.ingest.RunCounter;
import io.eventagg.pipeline.EventaggPipeline;
import io.eventagg.pipeline.FlinkSettings;
import io.eventagg.pipeline.Outputs;
import io.eventagg.config.RunOptions;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.NettyShuffleEnvironmentOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Runs a pipeline on an embedded Flink MiniCluster, printing progress and a summary. */
public final class LocalRunner {
    private LocalRunner() {}

    /** Counters of a finished run. */
    public record Summary(long read, long aggregated, long deadLettered, long late, long rowsWritten, double seconds) {
        public double eventsPerSecond() {
            return seconds <= 0 ? 0 : read / seconds;
        }
    }

    public static Configuration localConfig(boolean streaming, int parallelism) {
        Configuration c = FlinkSettings.base(streaming);
        c.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        // Managed memory is what batch execution sorts keyed inputs in; with 256 MB a 5M-event run
        // spilled its sort to disk (about a tenth of its CPU). Streaming keeps state on the heap.
        c.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(streaming ? 256 : 1024));
        c.set(TaskManagerOptions.NUM_TASK_SLOTS, Math.max(parallelism, 1));
        // Batch runs exchange data through sort-based blocking shuffles with buffers per partition;
        // the dataflow has many exchanges (see conf/flink/config.yaml).
        c.setString("taskmanager.network.sort-shuffle.min-buffers", "64");
        // One process on one machine: compressing the blocking shuffle's data only costs CPU
        // (LZ4 took about a tenth of the batch bucket operator's time).
        c.set(NettyShuffleEnvironmentOptions.SHUFFLE_COMPRESSION_CODEC, NettyShuffleEnvironmentOptions.CompressionCodec.NONE);
        return c;
    }

    public static Summary run(String jobName, JobDefinition job, Source<Ingested, ?, ?> source,
            WatermarkStrategy<Ingested> watermarks, RunOptions options, Outputs outputs, int parallelism, PrintStream progress)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(localConfig(options.streaming(), parallelism));
        var ingested = env.fromSource(source, watermarks, "events").uid("source");
        EventaggPipeline.define(ingested, job, options, outputs);
        long start = System.nanoTime();
        JobClient client = env.executeAsync(jobName);
        CompletableFuture<JobExecutionResult> result = client.getJobExecutionResult();
        while (!result.isDone()) {
            try {
                result.get(2, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                if (progress != null) {
                    try {
                        Map<String, Object> acc = client.getAccumulators().get(2, TimeUnit.SECONDS);
                        long read = number(acc, RunCounter.EVENTS_IN);
                        double secs = (System.nanoTime() - start) / 1e9;
                        progress.printf("  … %,d records read (%,.0f/s), %,d rows written%n", read, read / secs, number(acc, RunCounter.ROWS_WRITTEN));
                    } catch (Exception ignored) {
                        // progress is best effort; the job result decides success
                    }
                }
            }
        }
        JobExecutionResult r = result.get();
        double seconds = Duration.ofNanos(System.nanoTime() - start).toMillis() / 1000.0;
        Map<String, Object> acc = r.getAllAccumulatorResults();
        return new Summary(number(acc, RunCounter.EVENTS_IN), number(acc, RunCounter.EVENTS_AGGREGATED),
                number(acc, RunCounter.EVENTS_DEAD_LETTERED), number(acc, RunCounter.EVENTS_LATE),
                number(acc, RunCounter.ROWS_WRITTEN), seconds);
    }

    static long number(Map<String, Object> acc, String name) {
        Object v = acc.get(name);
        return v instanceof Number n ? n.longValue() : 0L;
    }
}
