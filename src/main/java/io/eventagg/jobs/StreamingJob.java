package io.eventagg.jobs;

import io.eventagg.config.ConfigException;
import io.eventagg.config.Durations;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.config.Redact;
import io.eventagg.config.RunOptions;
import io.eventagg.ingest.EventParser;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.ingest.Ingested;
import io.eventagg.ingest.KafkaEventSource;
import io.eventagg.ingest.KafkaOptions;
import io.eventagg.ingest.KafkaSettings;
import io.eventagg.pipeline.EventaggPipeline;
import io.eventagg.pipeline.JdbcOutputs;
import io.eventagg.pipeline.Outputs;
import io.eventagg.runtime.ExitCodes;
import io.eventagg.runtime.FlinkJob;
import io.eventagg.runtime.FlinkSettings;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkOptions;
import io.eventagg.sink.SinkSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The long-running streaming job for a Flink cluster: Kafka in, the eventagg pipeline, JDBC
 * (ClickHouse or DuckDB) out. The main class of {@code target/eventagg-job.jar}:
 *
 * <pre>
 * flink run -d target/eventagg-job.jar --job jobs/example.yaml \
 *     --kafka-bootstrap broker:9092 --topic events \
 *     --profile conf/profiles/local-clickhouse.yaml --flink-conf conf/job/streaming.yaml
 * </pre>
 *
 * {@code main} only reads configuration, applies the schema (idempotent) and builds the dataflow;
 * the cluster runs it. Flink settings: the cluster's configuration, then {@code --flink-conf},
 * then {@code --checkpoint-interval} and {@code -D key=value}; a job that ends up without
 * checkpointing or without a restart strategy gets {@link FlinkSettings#applyStreamingDefaults}'s.
 */
@Command(
        name = "eventagg-streaming",
        mixinStandardHelpOptions = true,
        version = "eventagg 0.1.0",
        description =
                "Submit eventagg's streaming job: Kafka -> time series (funnels, retention) -> ClickHouse or DuckDB.")
public final class StreamingJob implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(StreamingJob.class);

    @Option(names = "--job", required = true, paramLabel = "FILE", description = "Job definition (jobs/*.yaml)")
    Path jobFile;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Mixin
    SinkOptions sink = new SinkOptions();

    @Option(
            names = "--flink-conf",
            paramLabel = "FILE",
            description =
                    "Flink settings for this job (YAML, flat keys), e.g. conf/job/streaming.yaml: checkpointing, restart strategy"
                            + " (default: none: the cluster's, then checkpoints every 30 s and bounded restarts)")
    Path flinkConf;

    @Option(
            names = "--checkpoint-interval",
            paramLabel = "DURATION",
            description =
                    "Checkpoint interval (e.g. 30s), over --flink-conf (default: --flink-conf's, else the cluster's, else 30s)")
    String checkpointInterval;

    @Option(
            names = {"-D", "--flink-option"},
            paramLabel = "KEY=VALUE",
            description =
                    "Any Flink setting for this job (repeatable), e.g. -D restart-strategy.type=fixed-delay (default: none)")
    Map<String, String> flinkOptions = new LinkedHashMap<>();

    @Option(names = "--parallelism", description = "Parallelism (default: the cluster's parallelism.default)")
    Integer parallelism;

    @Option(names = "--skip-schema", description = "Do not apply the schema at start-up (the tables must exist)")
    boolean skipSchema;

    @Option(names = "--name", description = "Flink job name (default: eventagg streaming <job name>)")
    String name;

    public static void main(String[] args) throws Exception {
        int rc = execute(args);
        if (rc != 0) {
            // Inside `flink run` an exception (not System.exit) is how a program reports failure.
            throw new IllegalStateException(
                    "the eventagg streaming job was not started (exit status " + rc + ", see the error above)");
        }
    }

    /** Parses the arguments and submits the job; the exit status ({@link ExitCodes}). */
    public static int execute(String... args) {
        return ExitCodes.execute(new StreamingJob(), args, LOG);
    }

    @Override
    public Integer call() throws Exception {
        JobDefinition job = JobLoader.load(jobFile);
        SinkSettings sinkSettings = sink.resolve();
        KafkaSettings kafkaSettings = kafka.resolve(job.name());
        if (parallelism != null && parallelism < 1)
            throw new ConfigException("--parallelism", "must be at least 1, found " + parallelism);
        Configuration flink = flinkConfiguration();
        String jobName = name != null ? name : "eventagg streaming " + job.name();
        // The whole dataflow is built (which reads every Flink setting) before anything is written,
        // so a bad setting stops the program with nothing changed in the database.
        FlinkJob flinkJob;
        try {
            flinkJob = FlinkJob.define(flink, jobName, env -> {
                FlinkSettings.applyStreamingDefaults(env);
                define(
                        env,
                        job,
                        kafkaSettings,
                        RunOptions.streamingDefaults(),
                        new JdbcOutputs(job.name(), sinkSettings));
            });
        } catch (IllegalArgumentException e) {
            // Flink's messages name the key: "Could not parse value 'soon' for key 'execution.checkpointing.interval'."
            throw new ConfigException("Flink settings (--flink-conf, -D, --checkpoint-interval)", e.getMessage(), e);
        }
        System.out.printf(
                "eventagg streaming job '%s'%n  kafka  %s%n  sink   %s%n",
                job.name(),
                kafkaSettings,
                Redact.url(sinkSettings.url()) + (sinkSettings.user() == null ? "" : " as " + sinkSettings.user()));
        LOG.info("eventagg streaming job '{}': {} -> {}", job.name(), kafkaSettings, sinkSettings);
        if (!skipSchema) {
            int n = SchemaManager.apply(sinkSettings);
            System.out.printf("  schema %d statements applied%n", n);
        }
        flinkJob.submit();
        return 0;
    }

    /**
     * The whole dataflow: the Kafka source (uid {@code source}) with per-partition watermarks and
     * idleness, then {@link EventaggPipeline}. Used by {@link #main} and by tests on a MiniCluster.
     */
    public static void define(
            StreamExecutionEnvironment env, JobDefinition job, KafkaSettings kafka, RunOptions run, Outputs outputs) {
        DataStream<Ingested> ingested = env.fromSource(
                        KafkaEventSource.of(kafka, EventParser.forJob(job)),
                        IngestWatermarks.strategy(job.watermark()),
                        "kafka " + kafka.subscription())
                .uid("source");
        EventaggPipeline.define(ingested, job, run, outputs);
    }

    /** The cluster's settings, then --flink-conf, then flags (see {@link FlinkSettings#cluster}). */
    Configuration flinkConfiguration() {
        return FlinkSettings.cluster(
                true,
                flinkConf,
                checkpointInterval == null ? null : Durations.parse("--checkpoint-interval", checkpointInterval),
                flinkOptions,
                parallelism);
    }
}
