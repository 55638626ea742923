package io.eventagg.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.eventagg.config.ConfigException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.NettyShuffleEnvironmentOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Flink settings every eventagg job runs with, in one place: the {@link #base} of every
 * deployment, a {@link #local} MiniCluster in this process (the CLI, tests, benchmarks) and a
 * {@link #cluster} job with the user's settings on top.
 */
public final class FlinkSettings {
    private static final Logger LOG = LoggerFactory.getLogger(FlinkSettings.class);

    /** Checkpoint interval of a streaming cluster job when nothing configures one. */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(30);

    private FlinkSettings() {}

    /**
     * No Kryo anywhere (every type is a POJO, a record or has its own serializer), and object reuse
     * between chained operators (no operator keeps references to its inputs).
     */
    public static Configuration base(boolean streaming) {
        Configuration c = new Configuration();
        c.set(PipelineOptions.GENERIC_TYPES, false);
        c.set(PipelineOptions.OBJECT_REUSE, true);
        c.set(ExecutionOptions.RUNTIME_MODE, streaming ? RuntimeExecutionMode.STREAMING : RuntimeExecutionMode.BATCH);
        return c;
    }

    /** A MiniCluster in this process with {@code parallelism} slots, tuned for one machine. */
    public static Configuration local(boolean streaming, int parallelism) {
        Configuration c = base(streaming);
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
        c.set(
                NettyShuffleEnvironmentOptions.SHUFFLE_COMPRESSION_CODEC,
                NettyShuffleEnvironmentOptions.CompressionCodec.NONE);
        return c;
    }

    /** The state backends a local run can use (a cluster's come from its configuration). */
    public enum StateBackend {
        /** Objects on the JVM heap: the fastest while state fits in memory. */
        hashmap,
        /** RocksDB on local disk with incremental checkpoints: state larger than memory. */
        rocksdb,
        /** ForSt, Flink 2's disaggregated state (local disk here; object storage on a cluster). */
        forst
    }

    /** {@link #local} with the given state backend (streaming; batch execution keeps no state backend). */
    public static Configuration local(boolean streaming, int parallelism, StateBackend backend) {
        return withStateBackend(local(streaming, parallelism), backend);
    }

    /** Sets a state backend on {@code c} (returned): RocksDB and ForSt with incremental checkpoints. */
    public static Configuration withStateBackend(Configuration c, StateBackend backend) {
        c.set(StateBackendOptions.STATE_BACKEND, backend.name());
        // Only the state changed since the last checkpoint is uploaded (RocksDB and ForSt).
        if (backend != StateBackend.hashmap) c.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        return c;
    }

    /**
     * A job for a Flink cluster, whose own configuration comes first (it is merged in when the
     * environment is created); then these settings: the base; for a batch job (a refresh) a small
     * restart budget, since a refresh that fails should say so rather than retry for a streaming
     * job's budget; then {@code settingsFile} (YAML, nested keys joined with dots), the checkpoint
     * interval, {@code options} ({@code -D}) and the parallelism, each null or empty when not given.
     */
    public static Configuration cluster(
            boolean streaming,
            Path settingsFile,
            Duration checkpointInterval,
            Map<String, String> options,
            Integer parallelism) {
        Configuration c = base(streaming);
        if (!streaming) {
            c.setString("restart-strategy.type", "fixed-delay");
            c.setString("restart-strategy.fixed-delay.attempts", "2");
            c.setString("restart-strategy.fixed-delay.delay", "5 s");
        }
        if (settingsFile != null) c.addAll(Configuration.fromMap(readFlat(settingsFile)));
        if (checkpointInterval != null) c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        if (options != null && !options.isEmpty()) c.addAll(Configuration.fromMap(options));
        if (parallelism != null) c.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        return c;
    }

    /**
     * For a streaming job on a cluster: checkpointing and a bounded restart strategy when neither the
     * cluster nor the job's settings set them (a job that cannot reach Kafka or the database must not
     * restart forever). Needs the environment, which knows the cluster's configuration.
     */
    public static void applyStreamingDefaults(StreamExecutionEnvironment env) {
        // getConfiguration() is @Internal, but nothing public tells whether the cluster sets a restart
        // strategy (ExecutionConfig no longer exposes it in Flink 2). The checkpoint interval is read
        // the same way, so that any configured value (also one that disables checkpoints) counts.
        Configuration extra = new Configuration();
        if (env.getConfiguration()
                .getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL)
                .isEmpty()) {
            LOG.warn("no checkpoint interval configured: checkpointing every {}", DEFAULT_CHECKPOINT_INTERVAL);
            extra.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, DEFAULT_CHECKPOINT_INTERVAL);
        }
        if (env.getConfiguration()
                .getOptional(RestartStrategyOptions.RESTART_STRATEGY)
                .isEmpty()) {
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
        if (!root.isObject())
            throw new ConfigException("--flink-conf", "'" + file + "' must be a mapping of Flink settings");
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
