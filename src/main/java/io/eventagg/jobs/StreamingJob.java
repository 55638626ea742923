package io.eventagg.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.eventagg.cli.KafkaOptions;
import io.eventagg.cli.SinkOptions;
import io.eventagg.config.ConfigException;
import io.eventagg.config.Durations;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.ingest.EventParser;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.ingest.Ingested;
import io.eventagg.ingest.KafkaEventSource;
import io.eventagg.ingest.KafkaSettings;
import io.eventagg.pipeline.EventaggPipeline;
import io.eventagg.pipeline.FlinkSettings;
import io.eventagg.pipeline.JdbcOutputs;
import io.eventagg.pipeline.Outputs;
import io.eventagg.config.RunOptions;
import io.eventagg.config.Redact;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
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
 * checkpointing or without a restart strategy gets the defaults below (a job that cannot reach
 * Kafka or the database must not restart forever).
 */
@Command(name = "eventagg-streaming", mixinStandardHelpOptions = true, version = "eventagg 0.1.0",
        description = "Submit eventagg's streaming job: Kafka -> time series (funnels, retention) -> ClickHouse or DuckDB.")
public final class StreamingJob implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(StreamingJob.class);

    /** Checkpoint interval when nothing configures one. */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(30);

    @Option(names = "--job", required = true, paramLabel = "FILE", description = "Job definition (jobs/*.yaml)")
    Path jobFile;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Mixin
    SinkOptions sink = new SinkOptions();

    @Option(names = "--flink-conf", paramLabel = "FILE",
            description = "Flink settings for this job (YAML, flat keys), e.g. conf/job/streaming.yaml: checkpointing, restart strategy")
    Path flinkConf;

    @Option(names = "--checkpoint-interval", paramLabel = "DURATION", description = "Checkpoint interval (e.g. 30s), over --flink-conf")
    String checkpointInterval;

    @Option(names = {"-D", "--flink-option"}, paramLabel = "KEY=VALUE",
            description = "Any Flink setting for this job (repeatable), e.g. -D restart-strategy.type=fixed-delay")
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
            throw new IllegalStateException("the eventagg streaming job was not started (exit status " + rc + ", see the error above)");
        }
    }

    /** Parses the arguments and submits the job; the exit status (0 ok, 2 configuration error). */
    public static int execute(String... args) {
        CommandLine cmd = new CommandLine(new StreamingJob());
        cmd.setExecutionExceptionHandler((e, line, parsed) -> {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ConfigException) {
                    line.getErr().println("error: " + t.getMessage());
                    return 2;
                }
            }
            line.getErr().println("error: " + e);
            LOG.error("eventagg streaming job failed to start", e);
            return 1;
        });
        return cmd.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        JobDefinition job = JobLoader.load(jobFile);
        SinkSettings sinkSettings = sink.resolve();
        KafkaSettings kafkaSettings = kafka.resolve(job.name());
        if (parallelism != null && parallelism < 1) throw new ConfigException("--parallelism", "must be at least 1, found " + parallelism);
        Configuration flink = flinkConfiguration();
        String jobName = name != null ? name : "eventagg streaming " + job.name();
        // The whole dataflow is built (which reads every Flink setting) before anything is written,
        // so a bad setting stops the program with nothing changed in the database.
        StreamExecutionEnvironment env;
        StreamGraph graph;
        try {
            env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
            applyDefaults(env);
            if (parallelism != null) env.setParallelism(parallelism);
            define(env, job, kafkaSettings, RunOptions.streamingDefaults(), new JdbcOutputs(job.name(), sinkSettings));
            graph = env.getStreamGraph();
        } catch (IllegalArgumentException e) {
            // Flink's messages name the key: "Could not parse value 'soon' for key 'execution.checkpointing.interval'."
            throw new ConfigException("Flink settings (--flink-conf, -D, --checkpoint-interval)", e.getMessage(), e);
        }
        graph.setJobName(jobName);
        System.out.printf("eventagg streaming job '%s'%n  kafka  %s%n  sink   %s%n", job.name(), kafkaSettings,
                Redact.url(sinkSettings.url()) + (sinkSettings.user() == null ? "" : " as " + sinkSettings.user()));
        LOG.info("eventagg streaming job '{}': {} -> {}", job.name(), kafkaSettings, sinkSettings);
        if (!skipSchema) {
            int n = SchemaManager.apply(sinkSettings);
            System.out.printf("  schema %d statements applied%n", n);
        }
        env.execute(graph);
        return 0;
    }

    /**
     * The whole dataflow: the Kafka source (uid {@code source}) with per-partition watermarks and
     * idleness, then {@link EventaggPipeline}. Used by {@link #main} and by tests on a MiniCluster.
     */
    public static void define(StreamExecutionEnvironment env, JobDefinition job, KafkaSettings kafka, RunOptions run, Outputs outputs) {
        DataStream<Ingested> ingested = env
                .fromSource(KafkaEventSource.of(kafka, EventParser.forJob(job)), IngestWatermarks.strategy(job.watermark()),
                        "kafka " + kafka.subscription())
                .uid("source");
        EventaggPipeline.define(ingested, job, run, outputs);
    }

    /** The base settings, then --flink-conf, then flags. */
    Configuration flinkConfiguration() {
        Configuration c = FlinkSettings.base(true);
        if (flinkConf != null) c.addAll(Configuration.fromMap(readFlat(flinkConf)));
        if (checkpointInterval != null) {
            c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Durations.parse("--checkpoint-interval", checkpointInterval));
        }
        if (!flinkOptions.isEmpty()) c.addAll(Configuration.fromMap(flinkOptions));
        return c;
    }

    /** Checkpointing and a bounded restart strategy when neither the cluster nor the flags set them. */
    static void applyDefaults(StreamExecutionEnvironment env) {
        Configuration extra = new Configuration();
        if (env.getConfiguration().getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL).isEmpty()) {
            LOG.warn("no checkpoint interval configured: checkpointing every {}", DEFAULT_CHECKPOINT_INTERVAL);
            extra.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, DEFAULT_CHECKPOINT_INTERVAL);
        }
        if (env.getConfiguration().getOptional(RestartStrategyOptions.RESTART_STRATEGY).isEmpty()) {
            LOG.warn("no restart strategy configured: exponential-delay, 1 s to 1 min, at most 20 attempts");
            extra.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
            extra.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofSeconds(1));
            extra.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofMinutes(1));
            extra.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, 20);
        }
        if (extra.keySet().size() > 0) env.configure(extra);
    }

    /** A YAML file of Flink settings as flat {@code key: value} pairs (nested maps are joined with dots). */
    static Map<String, String> readFlat(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new ConfigException("--flink-conf", "cannot read '" + file + "': " + e.getMessage());
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (root == null || root.isMissingNode() || root.isNull()) return out;
        if (!root.isObject()) throw new ConfigException("--flink-conf", "'" + file + "' must be a mapping of Flink settings");
        flatten("", root, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            JsonNode v = e.getValue();
            if (v.isObject()) {
                flatten(key, v, out);
            } else if (v.isArray()) {
                StringBuilder sb = new StringBuilder();
                for (JsonNode x : v) sb.append(sb.length() > 0 ? ";" : "").append(x.asText());
                out.put(key, sb.toString());
            } else if (!v.isNull()) {
                out.put(key, v.asText());
            }
        }
    }
}
