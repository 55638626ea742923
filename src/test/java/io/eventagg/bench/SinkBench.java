package io.eventagg.bench;

import io.eventagg.sink.ConnectionFactory;
import io.eventagg.sink.JdbcTableSink;
import io.eventagg.sink.RowMapper;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import io.eventagg.sink.TableSpec;
import io.eventagg.sink.Tables;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * The DuckDB write path alone, without Flink's runtime: synthetic {@code ea_timeseries} rows shaped
 * like the benchmark job's (a minute bucket's short sketch and breakdown JSON, a few long ones)
 * through the table's sink writer ({@link JdbcTableSink}'s, what each sink subtask runs: rows held,
 * one batch per flush or full batch) and the DuckDB table writer behind it, into a fresh DuckDB file.
 *
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat .bench/classpath.txt) io.eventagg.bench.SinkBench \
 *     scenario=insert|upsert|stream rows=350000 keys=5000 new=1000 preload=0 batch=0 repeat=3 work=.bench/work
 * </pre>
 *
 * <p>{@code insert}: every row a new key, the table empty at the start (a batch run). {@code upsert}:
 * {@code keys} keys written round after round with growing versions (a stream re-emitting its open
 * buckets). {@code stream}: rounds of {@code keys} rows, {@code new} of them new keys and the rest
 * updates of the newest keys; {@code preload=N} first fills the table with N older rows. In both, a
 * flush after every round of {@code keys} rows as well as whenever a batch is full.
 * {@code batch=0} takes the dialect's default batch size. Prints wall time and CPU time per row: of
 * the writing thread (the Java side, and DuckDB's work on that thread) and of the whole process
 * (DuckDB's worker threads and GC included), and checks that the table holds what it must.
 */
public final class SinkBench {
    private SinkBench() {}

    private static final String[] EVENTS = {
        "pageview",
        "login",
        "signup",
        "purchase",
        "search",
        "cancel",
        "created_project",
        "invited_teammate",
        "clicked_button",
        "exported_report",
        "viewed_dashboard"
    };
    private static final String[] PLANS = {"free", "pro", "enterprise"};
    private static final String[] COUNTRIES = {"US", "DE", "JP", "GB", "IN", "KR", "FR", "BR"};

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        String scenario = a.getOrDefault("scenario", "insert");
        int rows = Integer.parseInt(a.getOrDefault("rows", "350000"));
        int keys = Integer.parseInt(a.getOrDefault("keys", "5000"));
        int batch = Integer.parseInt(a.getOrDefault("batch", "0"));
        int repeat = Integer.parseInt(a.getOrDefault("repeat", "3"));
        Path work = Path.of(a.getOrDefault("work", ".bench/work"));
        Files.createDirectories(work);
        int fresh = Integer.parseInt(a.getOrDefault("new", "1000"));
        long preload = Long.parseLong(a.getOrDefault("preload", "0"));
        List<Object[]> data = switch (scenario) {
            case "upsert" -> upserts(rows, keys);
            case "stream" -> stream(rows, keys, fresh);
            default -> inserts(rows);
        };
        int round = scenario.equals("insert") ? Integer.MAX_VALUE : keys;
        long expected = data.stream()
                        .map(r -> Arrays.asList(r).subList(0, 5))
                        .distinct()
                        .count()
                + preload;
        for (int i = 0; i < repeat; i++) {
            Path db = work.resolve("sinkbench.duckdb");
            PipelineBench.deleteDuckDb(db);
            SinkSettings settings = SinkSettings.of("jdbc:duckdb:" + db);
            if (batch > 0) settings = settings.withBatch(batch, settings.batchIntervalMs());
            SchemaManager.apply(settings);
            if (preload > 0) preload(settings, preload);
            // Settings (e.g. sql="SET checkpoint_threshold='1GB'") hold while a connection keeps the database open.
            try (Connection holder = ConnectionFactory.open(settings);
                    Statement s = holder.createStatement()) {
                for (String sql : a.getOrDefault("sql", "").split(";")) {
                    if (!sql.isBlank()) s.execute(sql);
                }
                Map<String, Object> r = run(settings, Tables.TIMESERIES, data, round);
                r.put("expected_rows", expected);
                System.out.println(scenario + " " + r);
            }
            PipelineBench.deleteDuckDb(db);
        }
    }

    /** Writes the rows through the table's sink writer; measurements and what the table holds. */
    static Map<String, Object> run(SinkSettings settings, TableSpec table, List<Object[]> data, int flushEvery)
            throws Exception {
        // No batch interval (no timers: flushes per round and full batches only), no retries.
        SinkSettings options = settings.withBatch(settings.batchSize(), 0).withMaxRetries(0);
        // The records are the rows themselves: the mapping from the pipeline's records is not part of this.
        SinkWriter<Object[]> writer = new JdbcTableSink<>(options, table, (RowMapper<Object[]>) row -> row)
                .createWriter(new WallClock(), new UnregisteredMetricsGroup());
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long wall0 = System.nanoTime(), thread0 = threads.getCurrentThreadCpuTime(), process0 = os.getProcessCpuTime();
        int n = 0;
        for (Object[] row : data) {
            writer.write(row, null);
            if (++n % flushEvery == 0) writer.flush(false);
        }
        writer.flush(true);
        long wall = System.nanoTime() - wall0,
                thread = threads.getCurrentThreadCpuTime() - thread0,
                process = os.getProcessCpuTime() - process0;
        writer.close();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("batch", settings.batchSize());
        r.put("rows", data.size());
        r.put("wall_s", round(wall / 1e9));
        r.put("wall_us_per_row", round(wall / 1e3 / data.size()));
        r.put("thread_cpu_us_per_row", round(thread / 1e3 / data.size()));
        r.put("process_cpu_us_per_row", round(process / 1e3 / data.size()));
        try (Connection c = ConnectionFactory.open(settings);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*), sum(version), sum(event_count) FROM " + table.name())) {
            rs.next();
            r.put("table_rows", rs.getLong(1));
            r.put("sum_version", rs.getLong(2));
            r.put("sum_count", rs.getLong(3));
        }
        return r;
    }

    /** The task's clock as Flink's processing-time service gives it; no timers (no batch interval). */
    private static final class WallClock implements ProcessingTimeService {
        @Override
        public long getCurrentProcessingTime() {
            return System.currentTimeMillis();
        }

        @Override
        public ScheduledFuture<?> registerTimer(long timestamp, ProcessingTimeCallback target) {
            throw new UnsupportedOperationException("the benchmark's writer has no batch interval");
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /**
     * History written before the measurement, by SQL: rows of earlier buckets than the synthetic
     * ones, so that the table is large when the measured writes begin (as in a long-running job).
     */
    static void preload(SinkSettings settings, long rows) throws Exception {
        try (Connection c = ConnectionFactory.open(settings);
                Statement s = c.createStatement()) {
            s.execute(
                    "INSERT INTO ea_timeseries SELECT 'bench_ts', CASE WHEN i % 2 = 0 THEN 'production' ELSE 'staging' END,"
                            + " 'event' || ((i // 2) % 11), 'minute', epoch_ms(1704067200000 - (" + rows
                            + " - i) // 22 * 60000 - 60000),"
                            + " 1, 1, 'AgEHDgMIAQgg+qoS', '{\"plan\":{\"free\":1}}', true, 1,"
                            + " '{\"plan\":{\"free\":\"AgEHDgMIAQgg+qoS\"}}' FROM range(" + rows
                            + ") r(i)");
        }
    }

    /**
     * A live stream: per round of {@code keys} rows, {@code fresh} new keys (the newest buckets) and
     * updates, one version newer, of the {@code keys - fresh} newest existing keys (the open buckets).
     */
    static List<Object[]> stream(int rows, int keys, int fresh) {
        Random random = new Random(1);
        List<Object[]> out = new ArrayList<>(rows);
        int next = 0;
        for (long round = 1; out.size() < rows; round++) {
            for (int k = Math.max(0, next - (keys - fresh)); k < next && out.size() < rows; k++)
                out.add(row(random, k, round));
            for (int k = next; k < next + fresh && out.size() < rows; k++) out.add(row(random, k, round));
            next += fresh;
        }
        return out;
    }

    /** Distinct keys: minute buckets of 2 environments × 11 events, 1 in 50 rows a longer (hour) bucket. */
    static List<Object[]> inserts(int rows) {
        Random random = new Random(1);
        List<Object[]> out = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) out.add(row(random, i, 1));
        return out;
    }

    /** {@code keys} keys, written round by round, each round's rows one version newer. */
    static List<Object[]> upserts(int rows, int keys) {
        Random random = new Random(1);
        List<Object[]> out = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) out.add(row(random, i % keys, 1 + i / keys));
        return out;
    }

    static Object[] row(Random random, int key, long version) {
        int series = key % (2 * EVENTS.length);
        boolean long_ = key % 50 == 0;
        long bucket = 1_704_067_200_000L + (long) (key / (2 * EVENTS.length)) * 60_000L;
        long count = 1 + random.nextInt(long_ ? 500 : 3);
        StringBuilder bd = new StringBuilder("{\"plan\":{\"")
                .append(PLANS[random.nextInt(3)])
                .append("\":")
                .append(count)
                .append("},\"country\":{");
        int countries = long_ ? COUNTRIES.length : 1 + random.nextInt(2);
        for (int c = 0; c < countries; c++) {
            if (c > 0) bd.append(',');
            bd.append('"').append(COUNTRIES[c]).append("\":").append(1 + random.nextInt(9));
        }
        bd.append("},\"path\":{\"/pricing\":").append(count).append("}}");
        byte[] sketch = new byte[long_ ? 600 : 8 + 8 * random.nextInt(3)];
        random.nextBytes(sketch);
        return new Object[] {
            "bench_ts",
            series % 2 == 0 ? "production" : "staging",
            EVENTS[series / 2],
            long_ ? "hour" : "minute",
            bucket,
            count,
            Math.max(1, count - 1),
            Base64.getEncoder().encodeToString(sketch),
            bd.toString(),
            version % 3 == 0,
            version,
            // Each value's users: a one- or two-user sketch, as most values of a minute have.
            bd.toString().replaceAll(":(\\d+)", ":\"AgEHDgMIAQgg+qoS\"")
        };
    }
}
