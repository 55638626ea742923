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
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.nfa.NFAStateSerializer;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.util.MiniClusterPipelineExecutorServiceLoader;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * Large state, measured: the full job in streaming mode on a MiniCluster of its own, with periodic
 * checkpoints to a local directory, on one state backend ({@code rocksdb}, incremental, or
 * {@code hashmap}). Month 1 ({@code users} users) is read from a watched directory; once every event
 * is in and the results are emitted, an incremental (as configured) and a full checkpoint and a
 * native savepoint are taken; then month 2's files (as many new users, month 1's silent) are linked
 * into the directory and the same is done again. Reported per month: ingest time and CPU, the
 * checkpoints (full size, checkpointed size, duration), the savepoint's size per operator, RSS and
 * (hashmap) the heap after a full collection; every checkpoint of the run; and, read back from the
 * savepoints with the State Processor API after the job, the users with state per retention
 * definition and funnel stage, split by month, so month 1's users still held after month 2 show
 * which state is not cleaned up.
 */
public final class BigStateBench {
    private BigStateBench() {}

    /** Makes {@link StreamExecutionEnvironment#getExecutionEnvironment} submit to a given MiniCluster. */
    static final class Context extends StreamExecutionEnvironment {
        static void use(MiniCluster mini) {
            initializeContextEnvironment(conf -> new StreamExecutionEnvironment(
                    new MiniClusterPipelineExecutorServiceLoader(mini),
                    MiniClusterPipelineExecutorServiceLoader.updateConfigurationForMiniCluster(
                            conf, List.of(), List.of()),
                    BigStateBench.class.getClassLoader()));
        }

        static void reset() {
            resetContextEnvironment();
        }
    }

    public static Map<String, Object> run(
            JobDefinition job,
            List<String> month1,
            List<String> month2,
            String backend,
            int parallelism,
            Path workDir,
            long users,
            Duration interval,
            MemorySize managed,
            boolean analyse)
            throws Exception {
        Path dir = workDir.resolve("bigstate-" + backend).toAbsolutePath();
        StateBench.deleteTree(dir);
        Path in = dir.resolve("in");
        Files.createDirectories(in);
        Configuration conf = FlinkSettings.local(true, parallelism);
        FlinkSettings.withStateBackend(conf, FlinkSettings.StateBackend.valueOf(backend));
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                dir.resolve("checkpoints").toUri().toString());
        conf.set(
                CheckpointingOptions.SAVEPOINT_DIRECTORY,
                dir.resolve("savepoints").toUri().toString());
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, interval);
        conf.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, Duration.ofMinutes(20));
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, managed);
        conf.set(RestOptions.BIND_PORT, "0");
        conf.setString("web.checkpoints.history", "1000");
        // The counters (accumulators) of a running job reach the client with the TaskManager's
        // heartbeat: every second rather than every 10 s, so that a month's ingest time is exact to
        // about a second (it is measured by polling them).
        conf.setString("heartbeat.interval", "1000");
        long events1 = lines(month1);
        long events2 = lines(month2);

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("backend", backend);
        out.put("managed_memory_bytes", managed.getBytes());
        out.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        out.put("checkpoint_interval_s", interval.toSeconds());
        out.put("users_per_month", users);
        out.put("events_month1", events1);
        out.put("events_month2", events2);
        List<String> uids = new ArrayList<>();
        Map<Long, String> manual = new LinkedHashMap<>();
        // When each month was being read (ms since the epoch): periodic checkpoints inside are "while ingesting".
        long[][] ingesting = new long[3][2];
        List<String> savepoints = new ArrayList<>();
        MiniCluster mini = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(parallelism)
                .build());
        mini.start();
        Context.use(mini);
        long t0 = System.nanoTime();
        try {
            // Continuous monitoring of a directory: month 2's files are linked in later.
            FileSource<Ingested> source = FileSource.forBulkFileFormat(
                            new JsonLinesFormat(EventParser.forJob(job)),
                            org.apache.flink.core.fs.Path.fromLocalFile(in.toFile()))
                    .monitorContinuously(Duration.ofSeconds(1))
                    .build();
            FlinkJob defined = FlinkJob.define(conf, "bench bigstate " + backend + " " + job.name(), env -> {
                EventaggPipeline.define(
                        env.fromSource(source, IngestWatermarks.strategy(job.watermark()), "events")
                                .uid("source"),
                        job,
                        RunOptions.streamingDefaults(),
                        new DiscardingOutputs());
                uids.addAll(StateBench.uids(env));
            });
            RunningJob running = defined.start();
            JobClient client = running.client();
            JobID id = client.getJobID();
            try {
                for (int month = 1; month <= 2; month++) {
                    List<String> files = month == 1 ? month1 : month2;
                    for (String f : files) {
                        Path src = Path.of(f).toAbsolutePath();
                        Path link = in.resolve(src.getFileName());
                        try {
                            Files.createLink(link, src);
                        } catch (UnsupportedOperationException | java.io.IOException e) {
                            Files.copy(src, link);
                        }
                    }
                    long expected = events1 + (month == 2 ? events2 : 0);
                    double cpu0 = BenchTask.cpuSeconds();
                    long m0 = System.nanoTime();
                    ingesting[month][0] = System.currentTimeMillis();
                    while (running.counters(Duration.ofSeconds(30)).read() < expected) {
                        if (client.getJobStatus().get().isTerminalState())
                            throw new IllegalStateException("job ended early");
                        Thread.sleep(200);
                    }
                    ingesting[month][1] = System.currentTimeMillis();
                    String p = "month" + month + "_";
                    out.put(p + "ingest_seconds", (System.nanoTime() - m0) / 1e9);
                    out.put(p + "cpu_seconds", BenchTask.cpuSeconds() - cpu0);
                    out.put(p + "events_per_s", (month == 1 ? events1 : events2) / ((System.nanoTime() - m0) / 1e9));
                    // Let the combiners flush and the emit interval pass, so what is left is state.
                    Thread.sleep(job.watermark().emitInterval().toMillis() + 3_000);
                    out.put(p + "rss_bytes", rss());
                    // As configured (incremental on RocksDB), then full, then a native savepoint.
                    long c = System.nanoTime();
                    long incremental = mini.triggerCheckpoint(id, CheckpointType.CONFIGURED)
                            .get(20, TimeUnit.MINUTES);
                    out.put(p + "checkpoint_wall_s", (System.nanoTime() - c) / 1e9);
                    manual.put(incremental, "month " + month + " end, as configured");
                    c = System.nanoTime();
                    long full = mini.triggerCheckpoint(id, CheckpointType.FULL).get(20, TimeUnit.MINUTES);
                    out.put(p + "full_checkpoint_wall_s", (System.nanoTime() - c) / 1e9);
                    manual.put(full, "month " + month + " end, full");
                    c = System.nanoTime();
                    String sp = client.triggerSavepoint(
                                    dir.resolve("savepoints").toUri().toString(), SavepointFormatType.NATIVE)
                            .get(20, TimeUnit.MINUTES);
                    out.put(p + "savepoint_wall_s", (System.nanoTime() - c) / 1e9);
                    savepoints.add(sp);
                    Path spDir = Path.of(URI.create(sp));
                    out.put(p + "savepoint_bytes", StateBench.size(spDir));
                    out.put(p + "operators", StateBench.operatorSizes(spDir, uids));
                    CheckpointStatsSnapshot stats =
                            mini.getExecutionGraph(id).get().getCheckpointStatsSnapshot();
                    AbstractCheckpointStats inc = stats.getHistory().getCheckpointById(incremental);
                    AbstractCheckpointStats fs = stats.getHistory().getCheckpointById(full);
                    if (inc != null) {
                        out.put(p + "checkpoint_state_bytes", inc.getStateSize());
                        out.put(p + "checkpoint_checkpointed_bytes", inc.getCheckpointedSize());
                        out.put(p + "checkpoint_ms", inc.getEndToEndDuration());
                    }
                    if (fs != null) {
                        out.put(p + "full_checkpoint_state_bytes", fs.getStateSize());
                        out.put(p + "full_checkpoint_checkpointed_bytes", fs.getCheckpointedSize());
                        out.put(p + "full_checkpoint_ms", fs.getEndToEndDuration());
                    }
                    out.put(p + "heap_after_gc_bytes", heapAfterGc());
                }
                out.put(
                        "job_seconds",
                        (double) out.get("month1_ingest_seconds") + (double) out.get("month2_ingest_seconds"));
                out.put("read", running.counters(Duration.ofSeconds(30)).read());
                out.put(
                        "checkpoints",
                        checkpoints(
                                mini.getExecutionGraph(id).get().getCheckpointStatsSnapshot(), manual, ingesting, t0));
            } finally {
                client.cancel().get(1, TimeUnit.MINUTES);
            }
        } finally {
            Context.reset();
            mini.close();
        }
        out.put("peak_rss_bytes_pipeline", BenchTask.peakRss());
        if (analyse) {
            for (int month = 1; month <= 2; month++)
                out.put("month" + month + "_users", users(job, savepoints.get(month - 1), backend, users));
        }
        if (!Boolean.getBoolean("bench.keepDb")) StateBench.deleteTree(dir);
        return out;
    }

    /**
     * Every completed checkpoint: id, seconds after the job's start, state size, checkpointed size,
     * duration, kind (periodic while a month was read, periodic between, the ones triggered here, savepoint).
     */
    static List<Map<String, Object>> checkpoints(
            CheckpointStatsSnapshot stats, Map<Long, String> manual, long[][] ingesting, long t0) {
        List<Map<String, Object>> out = new ArrayList<>();
        long start = System.currentTimeMillis() - (System.nanoTime() - t0) / 1_000_000;
        List<AbstractCheckpointStats> all = new ArrayList<>(stats.getHistory().getCheckpoints());
        all.sort(java.util.Comparator.comparingLong(AbstractCheckpointStats::getCheckpointId));
        for (AbstractCheckpointStats s : all) {
            if (s.getStatus() != CheckpointStatsStatus.COMPLETED) continue;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", s.getCheckpointId());
            m.put("at_s", (s.getTriggerTimestamp() - start) / 1e3);
            m.put("state_bytes", s.getStateSize());
            m.put("checkpointed_bytes", s.getCheckpointedSize());
            m.put("ms", s.getEndToEndDuration());
            m.put(
                    "kind",
                    s.getProperties().isSavepoint()
                            ? "savepoint"
                            : manual.getOrDefault(s.getCheckpointId(), periodic(s.getTriggerTimestamp(), ingesting)));
            out.add(m);
        }
        return out;
    }

    private static String periodic(long at, long[][] ingesting) {
        for (int m = 1; m < ingesting.length; m++) if (at >= ingesting[m][0] && at < ingesting[m][1]) return "periodic";
        return "periodic, idle";
    }

    /**
     * Users with state, by month of the user (month 2's users have numbers from {@code users} on):
     * per retention definition (with value bytes), and per funnel in the gate (kept attempts) and
     * in CEP (a partial match open).
     */
    static Map<String, Object> users(JobDefinition job, String savepoint, String backend, long users) throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(FlinkSettings.local(false, 1));
        StateBackend sb = backend.equals("rocksdb") ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend();
        SavepointReader reader = SavepointReader.read(env, savepoint, sb);
        Map<String, Object> out = new LinkedHashMap<>();
        if (!job.retention().isEmpty()) {
            List<String> names =
                    job.retention().stream().map(RetentionDefinition::name).toList();
            long[][] withState = new long[names.size()][3];
            long[] valueBytes = new long[names.size()];
            long[] any = new long[3];
            try (CloseableIterator<long[]> it = reader.readKeyedState(
                            OperatorIdentifier.forUid("retention-users"),
                            new RetentionMonths(names, users),
                            Types.STRING,
                            PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO)
                    .executeAndCollect()) {
                while (it.hasNext()) {
                    long[] r = it.next();
                    int m = (int) r[0];
                    any[m]++;
                    for (int d = 0; d < names.size(); d++) {
                        if (r[1 + d] >= 0) {
                            withState[d][m]++;
                            valueBytes[d] += r[1 + d];
                        }
                    }
                }
            }
            out.put("retention", months(any));
            for (int d = 0; d < names.size(); d++) {
                Map<String, Object> m = months(withState[d]);
                long n = withState[d][1] + withState[d][2];
                m.put("value_bytes_per_user", n == 0 ? 0 : (double) valueBytes[d] / n);
                out.put("retention-" + names.get(d), m);
            }
        }
        for (var f : job.funnels()) {
            String id = "funnel-" + f.name();
            out.put(
                    id + "-gate",
                    months(count(
                            reader,
                            id + "-gate",
                            new ValueStateDescriptor<>(
                                    "funnel-attempts", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO),
                            users)));
            out.put(
                    id + "-cep",
                    months(count(
                            reader,
                            id + "-cep",
                            new ValueStateDescriptor<>("nfaStateName", new NFAStateSerializer()),
                            users)));
        }
        return out;
    }

    private static Map<String, Object> months(long[] byMonth) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("month1", byMonth[1]);
        m.put("month2", byMonth[2]);
        return m;
    }

    private static long[] count(SavepointReader reader, String uid, StateDescriptor<?, ?> state, long users)
            throws Exception {
        long[] n = new long[3];
        try (CloseableIterator<Integer> it = reader.readKeyedState(
                        OperatorIdentifier.forUid(uid), new KeyMonths(state, users), Types.STRING, Types.INT)
                .executeAndCollect()) {
            while (it.hasNext()) n[it.next()]++;
        }
        return n;
    }

    /** 1 for a user of month 1, 2 for one of month 2 (user number {@code >= users}); the key is environment, unit separator, distinct id. */
    static int month(String key, long users) {
        String id = key.substring(key.indexOf('\u001f') + 1);
        long n = id.startsWith("u") ? Long.parseLong(id.substring(1)) : Long.parseLong(id) - 1_000_000;
        return n >= users ? 2 : 1;
    }

    /** Per user key with the state: its month. */
    static final class KeyMonths extends KeyedStateReaderFunction<String, Integer> {
        private static final long serialVersionUID = 1L;
        private final StateDescriptor<?, ?> descriptor;
        private final long users;
        private transient State state;

        KeyMonths(StateDescriptor<?, ?> descriptor, long users) {
            this.descriptor = descriptor;
            this.users = users;
        }

        @Override
        public void open(OpenContext ctx) {
            if (descriptor instanceof ValueStateDescriptor<?> v)
                state = getRuntimeContext().getState(v);
            else throw new IllegalArgumentException("value state only: " + descriptor.getName());
        }

        @Override
        public void readKey(String key, Context ctx, Collector<Integer> out) throws Exception {
            if (((ValueState<?>) state).value() != null) out.collect(month(key, users));
        }
    }

    /** Per user key: {month, then per definition the serialized value bytes or -1}. */
    static final class RetentionMonths extends KeyedStateReaderFunction<String, long[]> {
        private static final long serialVersionUID = 1L;
        private final List<String> names;
        private final long users;
        private transient List<ValueState<long[]>> states;

        RetentionMonths(List<String> names, long users) {
            this.names = names;
            this.users = users;
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
            r[0] = month(key, users);
            for (int d = 0; d < names.size(); d++) {
                long[] v = states.get(d).value();
                r[1 + d] = v == null ? -1 : 4 + 8L * v.length;
            }
            out.collect(r);
        }
    }

    static long lines(List<String> files) throws java.io.IOException {
        long n = 0;
        for (String f : files) {
            try (var lines = Files.lines(Path.of(f), StandardCharsets.UTF_8)) {
                n += lines.filter(l -> !l.isBlank()).count();
            }
        }
        return n;
    }

    /** The resident set size of this process now (Linux VmRSS), or -1. */
    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return -1;
    }

    /** Heap in use after a full collection: on the hashmap backend, mostly the state's objects. */
    static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
