package io.eventagg.bench;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.RetentionDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.ingest.EventParser;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.ingest.Ingested;
import io.eventagg.ingest.JsonLinesFormat;
import io.eventagg.pipeline.EventaggPipeline;
import io.eventagg.runtime.FlinkJob;
import io.eventagg.runtime.FlinkSettings;
import io.eventagg.runtime.RunningJob;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.shaded.guava33.com.google.common.hash.Hashing;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * State size: the full job in streaming mode (heap state backend, as deployed) over the files,
 * read by a source that keeps watching them so the job does not end; once every event is in and
 * the open results have been emitted, a savepoint in the native format (what a checkpoint holds)
 * is taken and measured: its size on disk, the size per operator (from its metadata), and, read
 * back with Flink's State Processor API, the users with retention state (the active users) and
 * the serialized bytes per user and definition.
 */
public final class StateBench {
    private StateBench() {}

    public static Map<String, Object> run(JobDefinition job, List<String> files, int parallelism, Path workDir)
            throws Exception {
        Path dir = workDir.resolve("state-" + Integer.toHexString(files.hashCode()));
        deleteTree(dir);
        Files.createDirectories(dir);
        Configuration conf = FlinkSettings.local(true, parallelism);
        conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                dir.resolve("checkpoints").toUri().toString());
        conf.set(
                CheckpointingOptions.SAVEPOINT_DIRECTORY,
                dir.resolve("savepoints").toUri().toString());
        org.apache.flink.core.fs.Path[] paths = files.stream()
                .map(f -> org.apache.flink.core.fs.Path.fromLocalFile(
                        Path.of(f).toFile().getAbsoluteFile()))
                .toArray(org.apache.flink.core.fs.Path[]::new);
        // Continuous monitoring: the source reads the files and then waits for more, so the job
        // keeps its state (a bounded source would end and close every window).
        FileSource<Ingested> source = FileSource.forBulkFileFormat(new JsonLinesFormat(EventParser.forJob(job)), paths)
                .monitorContinuously(Duration.ofHours(1))
                .build();
        List<String> uids = new ArrayList<>();
        FlinkJob defined = FlinkJob.define(conf, "bench state " + job.name(), env -> {
            EventaggPipeline.define(
                    env.fromSource(source, IngestWatermarks.strategy(job.watermark()), "events")
                            .uid("source"),
                    job,
                    RunOptions.streamingDefaults(),
                    new DiscardingOutputs());
            uids.addAll(uids(env));
        });
        long expected = 0;
        for (String f : files) {
            try (Stream<String> lines = Files.lines(Path.of(f))) {
                expected += lines.filter(l -> !l.isBlank()).count();
            }
        }
        long t0 = System.nanoTime();
        RunningJob running = defined.start();
        JobClient client = running.client();
        Map<String, Object> out = new LinkedHashMap<>();
        String savepoint;
        try {
            while (true) {
                if (running.counters(Duration.ofSeconds(30)).read() >= expected) break;
                if (client.getJobStatus().get().isTerminalState()) throw new IllegalStateException("job ended early");
                Thread.sleep(500);
            }
            out.put("ingest_seconds", (System.nanoTime() - t0) / 1e9);
            // Let the combiners flush and the emit interval pass, so what is left is state.
            Thread.sleep(job.watermark().emitInterval().toMillis() + 3_000);
            out.putAll(PipelineBench.counters(running.counters(Duration.ofSeconds(30))));
            savepoint = client.triggerSavepoint(
                            dir.resolve("savepoints").toUri().toString(), SavepointFormatType.NATIVE)
                    .get(10, TimeUnit.MINUTES);
        } finally {
            client.cancel().get(1, TimeUnit.MINUTES);
        }
        Path sp = Path.of(URI.create(savepoint));
        out.put("checkpoint_bytes", size(sp));
        Map<String, Long> byUid = operatorSizes(sp, uids);
        out.put("operators", byUid);
        long ts = 0, funnels = 0;
        for (Map.Entry<String, Long> e : byUid.entrySet()) {
            if (e.getKey().startsWith("timeseries-")) ts += e.getValue();
            if (e.getKey().startsWith("funnel-")) funnels += e.getValue();
        }
        out.put("timeseries_bytes", ts);
        out.put("funnel_bytes", funnels);
        if (!job.retention().isEmpty()) retention(job, savepoint, byUid.getOrDefault("retention-users", 0L), out);
        out.put("peak_rss_bytes_pipeline", BenchTask.peakRss());
        if (!Boolean.getBoolean("bench.keepDb")) deleteTree(dir);
        return out;
    }

    /** Users with retention state, and bytes per user and definition (serialized). */
    private static void retention(JobDefinition job, String savepoint, long operatorBytes, Map<String, Object> out)
            throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(FlinkSettings.local(false, 1));
        SavepointReader reader = SavepointReader.read(env, savepoint, new HashMapStateBackend());
        List<String> names =
                job.retention().stream().map(RetentionDefinition::name).toList();
        int defs = names.size();
        long users = 0;
        long[] withState = new long[defs];
        long[] valueBytes = new long[defs];
        long keyBytes = 0;
        try (CloseableIterator<long[]> it = reader.readKeyedState(
                        OperatorIdentifier.forUid("retention-users"),
                        new RetentionReader(names),
                        Types.STRING,
                        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO)
                .executeAndCollect()) {
            while (it.hasNext()) {
                long[] r = it.next();
                users++;
                keyBytes += r[0];
                for (int d = 0; d < defs; d++) {
                    if (r[1 + d] >= 0) {
                        withState[d]++;
                        valueBytes[d] += r[1 + d];
                    }
                }
            }
        }
        out.put("active_users", users);
        out.put("retention_bytes", operatorBytes);
        out.put("retention_bytes_per_user_per_definition", users == 0 ? 0 : (double) operatorBytes / users / defs);
        List<String> parts = new ArrayList<>();
        Map<String, Object> per = new LinkedHashMap<>();
        for (int d = 0; d < defs; d++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("users_with_state", withState[d]);
            m.put("value_bytes_per_user", withState[d] == 0 ? 0 : (double) valueBytes[d] / withState[d]);
            per.put(names.get(d), m);
        }
        out.put("retention_definitions", per);
        parts.add(String.format(
                Locale.ROOT,
                "%,.1f MB for %,d users with state = %.0f bytes per user per definition (%d definitions;"
                        + " key %.0f bytes per user)",
                operatorBytes / 1e6,
                users,
                users == 0 ? 0.0 : (double) operatorBytes / users / defs,
                defs,
                users == 0 ? 0.0 : (double) keyBytes / users));
        out.put("retention_summary", String.join("; ", parts));
    }

    /** Per user key: {key bytes, then per definition the serialized value bytes or -1}. */
    static final class RetentionReader extends KeyedStateReaderFunction<String, long[]> {
        private static final long serialVersionUID = 1L;
        private final List<String> names;
        private transient List<ValueState<long[]>> states;

        RetentionReader(List<String> names) {
            this.names = names;
        }

        @Override
        public void open(OpenContext ctx) {
            states = new ArrayList<>();
            for (String n : names) {
                states.add(getRuntimeContext()
                        .getState(new ValueStateDescriptor<>(
                                "retention-" + n, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO)));
            }
        }

        @Override
        public void readKey(String key, Context ctx, Collector<long[]> out) throws Exception {
            long[] r = new long[1 + names.size()];
            r[0] = key.getBytes(StandardCharsets.UTF_8).length;
            for (int d = 0; d < names.size(); d++) {
                long[] v = states.get(d).value();
                r[1 + d] = v == null ? -1 : 4 + 8L * v.length;
            }
            out.collect(r);
        }
    }

    /** State bytes per operator uid (operators without a uid of the job are reported by id). */
    static Map<String, Long> operatorSizes(Path savepoint, List<String> known) throws IOException {
        Map<OperatorID, String> uids = new HashMap<>();
        for (String uid : known) uids.put(operatorId(uid), uid);
        CheckpointMetadata md;
        try (InputStream in = Files.newInputStream(savepoint.resolve("_metadata"))) {
            md = Checkpoints.loadCheckpointMetadata(
                    new DataInputStream(in), StateBench.class.getClassLoader(), savepoint.toString());
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (OperatorState s : md.getOperatorStates()) {
            if (s.getStateSize() == 0) continue;
            out.merge(
                    uids.getOrDefault(s.getOperatorID(), s.getOperatorID().toHexString()), s.getStateSize(), Long::sum);
        }
        return out;
    }

    /** Flink's operator id for a user-given uid (StreamGraphHasherV2: murmur3_128 of the uid). */
    static OperatorID operatorId(String uid) {
        return new OperatorID(Hashing.murmur3_128(0)
                .newHasher()
                .putString(uid, StandardCharsets.UTF_8)
                .hash()
                .asBytes());
    }

    /** The uids of every operator of the job defined in {@code env} (so a renamed uid is still found). */
    static List<String> uids(StreamExecutionEnvironment env) {
        Set<String> seen = new LinkedHashSet<>();
        ArrayDeque<Transformation<?>> todo = new ArrayDeque<>(env.getTransformations());
        Set<Integer> visited = new HashSet<>();
        while (!todo.isEmpty()) {
            var t = todo.pop();
            if (!visited.add(t.getId())) continue;
            if (t.getUid() != null) seen.add(t.getUid());
            todo.addAll(t.getInputs());
        }
        return new ArrayList<>(seen);
    }

    static long size(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile)
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        }
    }

    static TypeInformation<long[]> longs() {
        return PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO;
    }
}
