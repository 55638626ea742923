package io.eventagg.bench;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.ingest.EventParser;
import io.eventagg.ingest.FileEventSource;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.ingest.Ingested;
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
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Whole-pipeline runs on a local MiniCluster, configured exactly as the CLI's {@code run} does
 * ({@link FlinkSettings#local}), over the dataset's part files.
 */
public final class PipelineBench {
    private PipelineBench() {}

    /** Where the results go: a fresh DuckDB file, or nowhere (counted and dropped). */
    public enum Sink {
        duckdb,
        discard
    }

    /**
     * Runs {@code job} over {@code inputs} and returns the measurements: {@code seconds} from
     * submission to the job's end (MiniCluster start included), {@code job_seconds} (Flink's net
     * runtime of the job: scheduling, reading, processing, writing every row), counters.
     */
    public static Map<String, Object> run(
            JobDefinition job, List<String> inputs, boolean streaming, Sink sink, int parallelism, Path workDir)
            throws Exception {
        Outputs outputs;
        Path db = null;
        if (sink == Sink.duckdb) {
            Files.createDirectories(workDir);
            db = workDir.resolve(job.name() + "-" + (streaming ? "streaming" : "batch") + ".duckdb");
            deleteDuckDb(db);
            SinkSettings settings = SinkSettings.of("jdbc:duckdb:" + db + System.getProperty("bench.duckdbParams", ""));
            // -Dbench.sinkBatch=ROWS/MS: the sink's batch size and interval instead of the dialect's defaults
            String batch = System.getProperty("bench.sinkBatch");
            if (batch != null) {
                String[] b = batch.split("/");
                settings = settings.withBatch(Integer.parseInt(b[0]), Long.parseLong(b[1]));
            }
            // -Dbench.duckdbProps=key=value,...: DuckDB settings as driver properties (e.g. checkpoint_threshold=1GB)
            String props = System.getProperty("bench.duckdbProps");
            if (props != null) {
                Map<String, String> p = new LinkedHashMap<>();
                for (String kv : props.split(","))
                    p.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                settings = settings.withProperties(p);
            }
            SchemaManager.apply(settings);
            outputs = new JdbcOutputs(job.name(), settings);
        } else {
            outputs = new DiscardingOutputs();
        }
        RunSummary r = FlinkJob.define(
                        streaming
                                ? withCheckpoints(FlinkSettings.local(true, parallelism), workDir)
                                : FlinkSettings.local(false, parallelism),
                        "bench " + job.name(),
                        env -> EventaggPipeline.define(events(env, job, inputs), job, runOptions(streaming), outputs))
                .run();
        Map<String, Object> out = counters(r.counters());
        out.put("seconds", r.seconds());
        out.put("job_seconds", r.netRuntimeSeconds());
        if (db != null) {
            out.put("db_bytes", Files.size(db));
            out.put(
                    "db_rows",
                    DuckDbPeer.count(
                            "jdbc:duckdb:" + db,
                            "SELECT (SELECT count(*) FROM ea_timeseries) + (SELECT count(*) FROM ea_activity)"));
            if (!Boolean.getBoolean("bench.keepDb")) deleteDuckDb(db);
            else out.put("db", db.toString());
        }
        return out;
    }

    /**
     * Streaming rows checkpoint as the cluster job does (the combiner flushes at every barrier, the
     * bucket operator snapshots its open buckets), to a directory under the work dir; every
     * {@code -Dbench.checkpointSeconds} (10 s by default: the production interval is 30 s, longer
     * than a 5M-event run, which would then take none).
     */
    static Configuration withCheckpoints(Configuration c, Path workDir) throws IOException {
        Path dir = workDir.resolve("checkpoints").toAbsolutePath();
        Files.createDirectories(dir);
        c.set(
                CheckpointingOptions.CHECKPOINTING_INTERVAL,
                Duration.ofSeconds(Long.getLong("bench.checkpointSeconds", 10)));
        c.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.toUri().toString());
        return c;
    }

    /**
     * Flink's own floor for this dataflow: the pipeline's file source (reading and parsing in the
     * source's fetcher), the exchange the router sits behind in streaming
     * ({@link EventaggPipeline#acrossSubtasks}; none in batch), and a counting, discarding sink. No
     * aggregation: what every job pays before it computes anything.
     */
    public static Map<String, Object> floor(JobDefinition job, List<String> inputs, boolean streaming, int parallelism)
            throws Exception {
        RunSummary r = FlinkJob.define(
                        FlinkSettings.local(streaming, parallelism), "bench floor " + job.name(), env -> {
                            DataStream<Ingested> ingested = events(env, job, inputs);
                            EventaggPipeline.acrossSubtasks(ingested, runOptions(streaming))
                                    .map(new JdbcOutputs.CountRows<Ingested>())
                                    .returns(ingested.getType())
                                    .name("count")
                                    .uid("count")
                                    .sinkTo(new DiscardingSink<>())
                                    .name("discard")
                                    .uid("discard");
                        })
                .run();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("read", r.counters().rowsWritten());
        out.put("seconds", r.seconds());
        out.put("job_seconds", r.netRuntimeSeconds());
        return out;
    }

    /** The pipeline's file source over the dataset's part files. */
    private static DataStream<Ingested> events(StreamExecutionEnvironment env, JobDefinition job, List<String> inputs) {
        return env.fromSource(
                        FileEventSource.of(inputs, EventParser.forJob(job)),
                        IngestWatermarks.strategy(job.watermark()),
                        "events")
                .uid("source");
    }

    private static RunOptions runOptions(boolean streaming) {
        return streaming ? RunOptions.streamingDefaults() : RunOptions.batchDefaults();
    }

    /** The CLI's {@code backfill} of the whole dataset: batch execution, the given job, into a fresh DuckDB file. */
    public static Map<String, Object> backfill(
            JobDefinition job,
            List<String> inputs,
            Instant from,
            Instant to,
            long nowMs,
            int parallelism,
            Path workDir,
            PrintStream log)
            throws Exception {
        Files.createDirectories(workDir);
        Path db = workDir.resolve(job.name() + "-backfill.duckdb");
        deleteDuckDb(db);
        SinkSettings settings = SinkSettings.of("jdbc:duckdb:" + db);
        SchemaManager.apply(settings);
        long t0 = System.nanoTime();
        Backfill.Summary s = Backfill.run(
                FlinkSettings.local(false, parallelism),
                job,
                new RefreshRange(job, from, to),
                new FilesBackfillSource(inputs),
                settings,
                nowMs,
                log);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("read", s.read());
        out.put("aggregated", s.aggregated());
        out.put("rows", s.rowsWritten());
        out.put("seconds", seconds);
        // Like the pipeline rows' job time: without the MiniCluster's start and stop around the job.
        out.put("job_seconds", s.workSeconds());
        out.put("db_bytes", Files.size(db));
        if (!Boolean.getBoolean("bench.keepDb")) deleteDuckDb(db);
        return out;
    }

    static Map<String, Object> counters(Counters c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("read", c.read());
        out.put("aggregated", c.aggregated());
        out.put("dead", c.deadLettered());
        out.put("late", c.late());
        out.put("rows", c.rowsWritten());
        return out;
    }

    static void deleteDuckDb(Path db) throws IOException {
        Files.deleteIfExists(db);
        Files.deleteIfExists(Path.of(db + ".wal"));
    }
}
