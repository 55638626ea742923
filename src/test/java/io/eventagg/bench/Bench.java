package io.eventagg.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventagg.config.Durations;
import io.eventagg.generate.EventGenerator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code make bench}: every measurement of the benchmark on one dataset, each in a JVM of its own,
 * then a table printed and appended to BENCHMARKS.md. See BENCHMARKS.md for what each row means.
 *
 * <pre>
 * Bench [--events N] [--users N] [--days N] [--seed N] [--parts N] [--parallelism N]
 *       [--only ceiling,floor,ts,full,heavy,backfill,horizon,trends,duckdb,chdb,writefloor,clickhouse,latency,state,serve,bigstate]
 *       [--repeat 3] [--warm-repeat 1] [--datasets dense,sparse] [--cold true] [--cli jar|classpath]
 *       [--sparse-users 60000] [--sparse-days 60] [--sparse-seed 5] [--sparse-activity 1.0] [--horizon-minute 7d]
 *       [--serve-requests 50] [--serve-clients 50] [--serve-seconds 30]
 *       [--data DIR] [--work DIR] [--heap 6g] [--young 1g] [--ceiling-young 256m] [--gc parallel|g1] [--runs 2] [--out BENCHMARKS.md|-] [--command TEXT]
 *       [--rate 50000] [--latency-seconds 90] [--latency-warmup 20] [--latency-capacity-events 2000000]
 *       [--heavy-users 1545] [--heavy-days 90] [--heavy-seed 36] [--heavy-alpha 1.3] [--heavy-bot-events 574] [--heavy-bot-share 0.19]
 *       [--heavy-repeat 3] [--hotkey-events 1000000]
 *       [--bigstate-users 100000] [--bigstate-days 30] [--bigstate-activity 1.0] [--bigstate-repeat 1]
 *       [--bigstate-heap 6g] [--bigstate-rocksdb-heap 3g] [--bigstate-managed 1g] [--bigstate-interval 30]
 * </pre>
 */
public final class Bench {
    /** What {@code make bench} measures unless told otherwise. */
    static final List<String> DEFAULT = List.of(
            "ceiling",
            "floor",
            "ts",
            "full",
            "heavy",
            "backfill",
            "horizon",
            "trends",
            "duckdb",
            "chdb",
            "writefloor",
            "clickhouse",
            "latency",
            "state",
            "serve");
    /** The datasets the comparison rows can run on (see {@link #comparisons}). */
    static final List<String> DATASETS = List.of("dense", "sparse");
    /** The key suffix of an eventagg row's cold whole-process (CLI) measurement. */
    static final String COLD = "@cold";
    /** The key prefix of the sparse dataset's rows (the dense dataset's have none). */
    static final String SPARSE = "sparse:";
    /** The job files the CLI runs (the bench's classpath jobs, as files). */
    static final Path JOBS = Path.of("src/test/resources/bench");
    /** Everything: the default and the large-state run ({@code bigstate}, tens of minutes; {@code make bench-state}). */
    static final List<String> ALL = java.util.stream.Stream.concat(DEFAULT.stream(), Stream.of("bigstate"))
            .toList();

    private static final ObjectMapper JSON = new ObjectMapper();

    final Map<String, String> opt = new LinkedHashMap<>();
    final PrintStream log;
    /** Results by row name. */
    final Map<String, Map<String, Object>> results = new LinkedHashMap<>();

    Bench(String[] args, PrintStream log) {
        this.log = log;
        opt.put("events", "5000000");
        opt.put("users", "200000");
        opt.put("days", "60");
        opt.put("seed", "1");
        opt.put("parts", "2");
        opt.put("parallelism", "2");
        opt.put("only", String.join(",", DEFAULT));
        // The comparison rows (the cold whole-process runs, the DuckDB and chDB peers): this many
        // rounds, interleaved across the rows (round 1: A, B, C…; round 2: A, B, C…), the median
        // reported with the range, so that a slow spell of the shared machine hits every row alike.
        opt.put("repeat", "3");
        // Every other measurement: this many JVMs, the fastest counts (the yardsticks at least three).
        opt.put("warm-repeat", "1");
        // The datasets the comparison rows run on: the dense default (--events over --users) and a
        // sparse one (--sparse-users at the generator's own activity: more result rows per event).
        opt.put("datasets", "dense,sparse");
        opt.put("sparse-users", "60000");
        opt.put("sparse-days", "60");
        opt.put("sparse-seed", "5");
        opt.put("sparse-activity", "1.0");
        // The horizon rows (--only horizon): the time-series job keeping minute buckets for this long,
        // as of each dataset's end, against chDB computing its minute rollups over the same span.
        opt.put("horizon-minute", "7d");
        // The read path (--only serve): the full job's results served by `eventagg serve` from DuckDB
        // and from ClickHouse; per endpoint this many requests (cache off, then on), then a load run
        // of this many concurrent clients for this many seconds.
        opt.put("serve-requests", "50");
        opt.put("serve-clients", "50");
        opt.put("serve-seconds", "30");
        // The cold whole-process rows: the CLI as a user runs it, beside the in-JVM rows.
        opt.put("cold", "true");
        // jar: target/eventagg-cli.jar (scripts/bench.sh builds it); classpath: the CLI's main class
        // on this JVM's class path (the smoke test, which runs before the jar is packaged).
        opt.put("cli", "jar");
        opt.put("data", ".bench/data");
        opt.put("work", ".bench/work");
        opt.put("heap", "6g");
        // The young generation of the measured pipeline JVMs. G1 otherwise grows it towards 60 % of
        // the heap, so a run keeps allocating into pages it never touched before; on this machine's
        // VM a first touch costs ~20 µs per 4 KiB page, which made a 5M-event parse 26 s instead of
        // 4 s (docs/benchmark-journal.md, fourth round). 1g, not the 256m of earlier rounds: with 256m the full job
        // spent a quarter of its wall time in young pauses (each copying the keyed state's recent
        // objects, promoted soon after), and the backfill ran 53 s instead of 42 s warm (BENCHMARKS.md,
        // fifth round). "auto" leaves the collector's own sizing.
        opt.put("young", "1g");
        // The ceiling's: it parses for a few seconds, so a larger young generation is mostly pages
        // touched for the first time inside the measurement (3.7 s with 256m, 6.6 s with 1g); the
        // ceiling is measured at its fastest, so the ratios to it are not flattered.
        opt.put("ceiling-young", "256m");
        // Parallel (throughput) collection: no concurrent marking threads and cheaper write
        // barriers than G1; what a batch-like run on two cores wants (about a sixth less CPU).
        opt.put("gc", "parallel");
        // Pipeline runs per JVM: the first is cold (class loading, JIT), the last is measured warm.
        opt.put("runs", "2");
        opt.put("out", "BENCHMARKS.md");
        opt.put("command", "make bench");
        opt.put("rate", "50000");
        opt.put("latency-seconds", "90");
        opt.put("latency-warmup", "20");
        // Events produced before the job starts for the maximum-sustainable-rate measurement (0: skip it).
        opt.put("latency-capacity-events", "2000000");
        // The heavy-users rows: the shape of a real heavy-tailed dataset (per-user activity Pareto
        // with alpha 1.3, 1,545 users, 90 days) plus a bot whose 51,660 events (9,792 pricing views)
        // match the heaviest user of that dataset; beside it, as many events spread evenly.
        opt.put("heavy-users", "1545");
        opt.put("heavy-days", "90");
        opt.put("heavy-seed", "36");
        opt.put("heavy-alpha", "1.3");
        opt.put("heavy-bot-events", "574");
        opt.put("heavy-bot-share", "0.19");
        opt.put("heavy-repeat", "3");
        // The hot-key rows: one bot sending this many events within one day (one key), among 1,000
        // ordinary users, in streaming, beside as many events spread over ordinary users.
        opt.put("hotkey-events", "1000000");
        // The large-state rows (--only bigstate): two months of this many users each (month 2's are
        // new, month 1's silent), the full job streaming with checkpoints, RocksDB against heap.
        // 100k: what the measured runs used; RocksDB needs 10-20 min for it on this machine (BENCHMARKS.md).
        opt.put("bigstate-users", "100000");
        opt.put("bigstate-days", "30");
        opt.put("bigstate-activity", "1.0");
        opt.put("bigstate-repeat", "1");
        // The heap backend keeps every user's state as objects: its JVM gets a large heap. RocksDB
        // keeps it off the heap, in managed memory (block cache and write buffers) and files.
        opt.put("bigstate-heap", "6g");
        opt.put("bigstate-rocksdb-heap", "3g");
        opt.put("bigstate-managed", "1g");
        opt.put("bigstate-interval", "30");
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) throw new IllegalArgumentException("unexpected " + args[i]);
            String k = args[i].substring(2);
            if (!opt.containsKey(k)) throw new IllegalArgumentException("unknown option --" + k);
            opt.put(k, args[++i]);
        }
    }

    public static void main(String[] args) throws Exception {
        Bench b = new Bench(args, System.out);
        b.runAll();
        System.exit(0);
    }

    void runAll() throws Exception {
        Set<String> only = new LinkedHashSet<>(Arrays.asList(opt.get("only").split(",")));
        for (String o : only)
            if (!ALL.contains(o)) throw new IllegalArgumentException("--only: unknown measurement " + o);
        List<String> datasets = Arrays.asList(opt.get("datasets").split(","));
        for (String d : datasets)
            if (!DATASETS.contains(d)) throw new IllegalArgumentException("--datasets: dense or sparse, not " + d);
        String load0 = loadAverage();
        long started = System.nanoTime();
        boolean onlyBig = only.equals(Set.of("bigstate"));
        BenchData.Dataset data = onlyBig
                ? null
                : BenchData.prepare(
                        Path.of(opt.get("data")),
                        Long.parseLong(opt.get("events")),
                        Integer.parseInt(opt.get("users")),
                        Integer.parseInt(opt.get("days")),
                        Long.parseLong(opt.get("seed")),
                        Integer.parseInt(opt.get("parts")),
                        log);
        String files = onlyBig ? "" : String.join(",", data.partNames());
        String p = opt.get("parallelism");
        String ts = "job=classpath:bench/timeseries.yaml";
        String full = "job=classpath:bench/full.yaml";
        String work = "work=" + opt.get("work");
        String runs = "runs=" + opt.get("runs");
        if (only.contains("ceiling")) measureYardstick("ceiling", "ceiling", ts, "files=" + files, "warmup=1000000");
        if (only.contains("floor")) {
            measureYardstick(
                    "floor-streaming", "floor", runs, ts, "files=" + files, "mode=streaming", "parallelism=" + p);
            measureYardstick("floor-batch", "floor", runs, ts, "files=" + files, "mode=batch", "parallelism=" + p);
        }
        if (only.contains("ts")) {
            measure(
                    "ts-duckdb-streaming",
                    "pipeline",
                    runs,
                    ts,
                    "files=" + files,
                    "mode=streaming",
                    "sink=duckdb",
                    "parallelism=" + p,
                    work);
            measure(
                    "ts-discard-streaming",
                    "pipeline",
                    runs,
                    ts,
                    "files=" + files,
                    "mode=streaming",
                    "sink=discard",
                    "parallelism=" + p,
                    work);
            measure(
                    "ts-duckdb-batch",
                    "pipeline",
                    runs,
                    ts,
                    "files=" + files,
                    "mode=batch",
                    "sink=duckdb",
                    "parallelism=" + p,
                    work);
            measure(
                    "ts-discard-batch",
                    "pipeline",
                    runs,
                    ts,
                    "files=" + files,
                    "mode=batch",
                    "sink=discard",
                    "parallelism=" + p,
                    work);
        }
        if (only.contains("full")) {
            measure(
                    "full-duckdb-streaming",
                    "pipeline",
                    runs,
                    full,
                    "files=" + files,
                    "mode=streaming",
                    "sink=duckdb",
                    "parallelism=" + p,
                    work);
            measure(
                    "full-discard-streaming",
                    "pipeline",
                    runs,
                    full,
                    "files=" + files,
                    "mode=streaming",
                    "sink=discard",
                    "parallelism=" + p,
                    work);
        }
        if (only.contains("heavy")) heavy(full, runs, p, work);
        if (only.contains("trends")) trends(data, runs, p, work);
        if (only.contains("backfill")) {
            measure(
                    "backfill",
                    "backfill",
                    runs,
                    full,
                    "files=" + files,
                    "from=" + data.start(),
                    "to=" + data.end(),
                    "parallelism=" + p,
                    work);
            // The time-series job alone: the rollups of the GROUP BY peers and of ClickHouse's views
            // of the same rollups, no funnels or retention.
            measure(
                    "backfill-ts",
                    "backfill",
                    runs,
                    ts,
                    "files=" + files,
                    "from=" + data.start(),
                    "to=" + data.end(),
                    "parallelism=" + p,
                    work);
            // A job computing what the spec's three materialized views compute (hourly events and
            // users per event, daily active users and sessions): the like-for-like row for them.
            measure(
                    "backfill-views",
                    "backfill",
                    runs,
                    "job=classpath:bench/views.yaml",
                    "files=" + files,
                    "from=" + data.start(),
                    "to=" + data.end(),
                    "parallelism=" + p,
                    work);
        }
        boolean cold = Boolean.parseBoolean(opt.get("cold"));
        if (datasets.contains("sparse")
                && Stream.of("duckdb", "chdb", "ts", "backfill").anyMatch(only::contains))
            sparse = BenchData.prepareAtActivity(
                    Path.of(opt.get("data")),
                    Integer.parseInt(opt.get("sparse-users")),
                    Integer.parseInt(opt.get("sparse-days")),
                    Long.parseLong(opt.get("sparse-seed")),
                    Double.parseDouble(opt.get("sparse-activity")),
                    Integer.parseInt(opt.get("parts")),
                    log);
        if (datasets.contains("sparse") && sparse == null && only.contains("horizon"))
            sparse = BenchData.prepareAtActivity(
                    Path.of(opt.get("data")),
                    Integer.parseInt(opt.get("sparse-users")),
                    Integer.parseInt(opt.get("sparse-days")),
                    Long.parseLong(opt.get("sparse-seed")),
                    Double.parseDouble(opt.get("sparse-activity")),
                    Integer.parseInt(opt.get("parts")),
                    log);
        if (only.contains("horizon")) {
            for (BenchData.Dataset d : sparse == null ? List.of(data) : List.of(data, sparse))
                measure(
                        (d == sparse ? SPARSE : "") + "backfill-ts-horizon",
                        "backfill",
                        runs,
                        "job=" + horizonJob(),
                        "files=" + String.join(",", d.partNames()),
                        "from=" + d.start(),
                        "to=" + d.end(),
                        "now=" + d.end(),
                        "parallelism=" + p,
                        work);
        }
        if (sparse != null) warmSparse(only, ts, runs, p, work);
        if (!onlyBig) interleaved(comparisons(only, datasets, data, Integer.parseInt(p)));
        if (only.contains("writefloor")) {
            measure(
                    "writefloor",
                    "writefloor",
                    ts,
                    "files=" + files,
                    "from=" + data.start(),
                    "to=" + data.end(),
                    "parallelism=" + p,
                    work);
        }
        if (only.contains("clickhouse")) measure("peer-clickhouse", "clickhouse", ts, "files=" + files, "loaders=" + p);
        if (only.contains("latency")) {
            measure(
                    "latency",
                    "latency",
                    full,
                    "files=" + files,
                    "rate=" + opt.get("rate"),
                    "seconds=" + opt.get("latency-seconds"),
                    "warmup=" + opt.get("latency-warmup"),
                    "parallelism=" + p,
                    work);
            // The maximum sustainable rate (a backlog drained by the job alone), then the same
            // latency run at 0.8 times it.
            long capacityEvents = Long.parseLong(opt.get("latency-capacity-events"));
            if (capacityEvents > 0) {
                measure(
                        "capacity",
                        "capacity",
                        full,
                        "files=" + files,
                        "events=" + capacityEvents,
                        "parallelism=" + p,
                        work);
                long rate = Math.round(0.8 * Bench.number(results.get("capacity"), "events_per_s"));
                measure(
                        "latency-capacity",
                        "latency",
                        full,
                        "files=" + files,
                        "rate=" + rate,
                        "seconds=" + opt.get("latency-seconds"),
                        "warmup=" + opt.get("latency-warmup"),
                        "parallelism=" + p,
                        work);
            }
        }
        if (only.contains("serve")) {
            for (String database : List.of("duckdb", "clickhouse"))
                measure(
                        "serve-" + database,
                        "serve",
                        full,
                        "files=" + files,
                        "from=" + data.start(),
                        "to=" + data.end(),
                        "database=" + database,
                        "requests=" + opt.get("serve-requests"),
                        "clients=" + opt.get("serve-clients"),
                        "seconds=" + opt.get("serve-seconds"),
                        "parallelism=" + p,
                        work);
        }
        if (only.contains("state")) {
            measure(
                    "state-quarter",
                    "state",
                    full,
                    "files=" + String.join(",", data.quarterNames()),
                    "parallelism=" + p,
                    work);
            measure("state", "state", full, "files=" + files, "parallelism=" + p, work);
        }
        if (only.contains("bigstate")) bigState(full, p, work);
        double minutes = (System.nanoTime() - started) / 60e9;
        String table = BenchReport.table(this, data);
        log.println();
        log.println(table);
        String out = opt.get("out");
        if (!out.equals("-")) {
            String section = BenchReport.section(this, data, table, load0, loadAverage(), minutes);
            Path md = Path.of(out);
            if (!Files.exists(md))
                Files.writeString(md, "# Benchmarks\n\nSee the top of this file for what each measurement means.\n");
            Files.writeString(md, section, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            log.println("appended to " + md.toAbsolutePath());
        }
    }

    /**
     * The time-series job's warm rows on the sparse dataset (its job time in a JVM that ran it once
     * before), beside the cold processes of the same rows: the time-series job into DuckDB, batch
     * and streaming, and its backfill.
     */
    void warmSparse(Set<String> only, String ts, String runs, String p, String work) throws Exception {
        String files = "files=" + String.join(",", sparse.partNames());
        if (only.contains("ts")) {
            for (String mode : List.of("streaming", "batch"))
                measure(
                        SPARSE + "ts-duckdb-" + mode,
                        "pipeline",
                        runs,
                        ts,
                        files,
                        "mode=" + mode,
                        "sink=duckdb",
                        "parallelism=" + p,
                        work);
        }
        if (only.contains("backfill"))
            measure(
                    SPARSE + "backfill-ts",
                    "backfill",
                    runs,
                    ts,
                    files,
                    "from=" + sparse.start(),
                    "to=" + sparse.end(),
                    "parallelism=" + p,
                    work);
    }

    /**
     * What the trends cost: the time-series backfill without any (the bench jobs' setting, like for
     * like with the peers), with unique users per breakdown value as job files keep them by default
     * (days, weeks, months) and in every granularity ({@code breakdown_users: true}), and with the
     * default users plus two actions, a numeric measure and weekly and monthly stickiness;
     * alternating in fresh JVMs, {@code --repeat} times each; the medians are the rows.
     */
    void trends(BenchData.Dataset d, String runs, String parallelism, String work) throws Exception {
        String base = Files.readString(JOBS.resolve("timeseries.yaml"));
        if (!base.contains("breakdown_users: false\n"))
            throw new IllegalStateException("timeseries.yaml: no 'breakdown_users: false'");
        Map<String, String> jobs = new LinkedHashMap<>();
        jobs.put("backfill-ts-breakdown-users", "job=" + variant(base, "bench_ts_bu_default", ""));
        jobs.put(
                "backfill-ts-breakdown-users-all",
                "job=" + variant(base, "bench_ts_bu_all", "breakdown_users: true\n"));
        jobs.put("backfill-ts-no-breakdown-users", "job=classpath:bench/timeseries.yaml");
        jobs.put("backfill-ts-trends", "job=" + variant(base, "bench_ts_trends", """
                        actions:
                          pricing_views: {event: pageview, filters: [{property: path, operator: eq, value: /pricing}]}
                          activated: {events: [signup, created_project]}
                        measures:
                          revenue: {event: purchase, property: amount}
                        stickiness: {periods: [week, month]}
                        """));
        Map<String, List<Map<String, Object>>> all = new LinkedHashMap<>();
        int repeat = Integer.parseInt(opt.get("repeat"));
        for (int i = 0; i < repeat; i++) {
            for (Map.Entry<String, String> j : jobs.entrySet()) {
                log.printf("%n[%s] run %d of %d (load average %s)%n", j.getKey(), i + 1, repeat, loadAverage());
                Map<String, Object> r = child(
                        "backfill",
                        runs,
                        j.getValue(),
                        "files=" + String.join(",", d.partNames()),
                        "from=" + d.start(),
                        "to=" + d.end(),
                        "parallelism=" + parallelism,
                        work);
                log.printf("[%s] %s%n", j.getKey(), JSON.writeValueAsString(r));
                all.computeIfAbsent(j.getKey(), k -> new ArrayList<>()).add(r);
            }
        }
        for (Map.Entry<String, List<Map<String, Object>>> e : all.entrySet())
            results.put(e.getKey(), median(e.getValue()));
    }

    /** The bench's time-series job renamed, its {@code breakdown_users: false} line replaced. */
    private Path variant(String base, String name, String breakdownUsers) throws IOException {
        Path job = Path.of(opt.get("work")).resolve(name + ".yaml").toAbsolutePath();
        Files.createDirectories(job.getParent());
        Files.writeString(
                job,
                base.replace("name: bench_ts\n", "name: " + name + "\n")
                        .replace("breakdown_users: false\n", breakdownUsers));
        return job;
    }

    /**
     * The time-series job with a minute horizon ({@code --horizon-minute}), written into the work
     * directory from {@code timeseries.yaml} (so the two differ only by it) for the warm and the
     * cold rows.
     */
    Path horizonJob() throws IOException {
        String base = Files.readString(JOBS.resolve("timeseries.yaml"));
        if (!base.contains("name: bench_ts\n")) throw new IllegalStateException("timeseries.yaml: no 'name: bench_ts'");
        Path job = Path.of(opt.get("work")).resolve("bench_ts_horizon.yaml").toAbsolutePath();
        Files.createDirectories(job.getParent());
        Files.writeString(
                job,
                base.replace("name: bench_ts\n", "name: bench_ts_horizon\n") + "horizons: {minute: "
                        + opt.get("horizon-minute") + "}\n");
        return job;
    }

    /** The oldest minute the horizon keeps as of a dataset's end (UTC, the bench job's zone). */
    Instant minuteKeptFrom(BenchData.Dataset d) {
        Instant since = d.end().minus(Durations.parse("--horizon-minute", opt.get("horizon-minute")));
        return since.truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
    }

    /** The sparse dataset ({@code --sparse-users}, at the generator's own activity), when measured. */
    BenchData.Dataset sparse;

    /** A comparison row: a whole process measured {@code --repeat} times, interleaved with the others. */
    record Comparison(String name, Measured run) {}

    /** A measurement run in (or from) this JVM. */
    interface Measured {
        Map<String, Object> run() throws Exception;
    }

    /**
     * The comparison rows, per dataset of {@code --datasets}: the CLI run cold as a user does (the
     * time-series job, batch and streaming; its backfill), the chDB {@code GROUP BY}s (HLL and exact
     * uniques) and the DuckDB peer; on the dense dataset also the full job's cold run and backfill,
     * the views-work backfill and chDB's materialized views. Keys: an eventagg row's key plus
     * {@link #COLD}, a peer's own key; the sparse dataset's prefixed with {@link #SPARSE}.
     */
    List<Comparison> comparisons(Set<String> only, List<String> datasets, BenchData.Dataset dense, int parallelism)
            throws IOException {
        List<Comparison> c = new ArrayList<>();
        boolean cold = Boolean.parseBoolean(opt.get("cold"));
        String cli = opt.get("cli");
        Path work = Path.of(opt.get("work"));
        Path tsJob = JOBS.resolve("timeseries.yaml");
        Path fullJob = JOBS.resolve("full.yaml");
        Path viewsJob = JOBS.resolve("views.yaml");
        for (String set : datasets) {
            boolean isDense = set.equals("dense");
            BenchData.Dataset d = isDense ? dense : sparse;
            if (d == null) continue;
            String pre = isDense ? "" : SPARSE;
            List<String> f = d.partNames();
            if (cold && only.contains("ts")) {
                for (String mode : List.of("batch", "streaming"))
                    c.add(new Comparison(
                            pre + "ts-duckdb-" + mode + COLD,
                            () -> ColdCli.run(cli, tsJob, f, mode, parallelism, work, log)));
            }
            if (cold && isDense && only.contains("full")) {
                c.add(new Comparison(
                        "full-duckdb-streaming" + COLD,
                        () -> ColdCli.run(cli, fullJob, f, "streaming", parallelism, work, log)));
            }
            if (cold && only.contains("backfill")) {
                c.add(new Comparison(
                        pre + "backfill-ts" + COLD,
                        () -> ColdCli.backfill(cli, tsJob, f, d.start(), d.end(), parallelism, work, log)));
                if (isDense) {
                    c.add(new Comparison(
                            "backfill" + COLD,
                            () -> ColdCli.backfill(cli, fullJob, f, d.start(), d.end(), parallelism, work, log)));
                    c.add(new Comparison(
                            "backfill-views" + COLD,
                            () -> ColdCli.backfill(cli, viewsJob, f, d.start(), d.end(), parallelism, work, log)));
                }
            }
            if (only.contains("horizon")) {
                Path horizonJob = horizonJob();
                Instant keptFrom = minuteKeptFrom(d);
                if (cold)
                    c.add(new Comparison(
                            pre + "backfill-ts-horizon" + COLD,
                            () -> ColdCli.backfill(
                                    cli, horizonJob, f, d.start(), d.end(), d.end(), parallelism, work, log)));
                c.add(new Comparison(
                        pre + "peer-chdb-hll-horizon",
                        () -> ChdbPeer.run(f, "uniqCombined64", "groupby", keptFrom, work, parallelism, log)));
            }
            if (only.contains("chdb")) {
                c.add(new Comparison(
                        pre + "peer-chdb-hll",
                        () -> ChdbPeer.run(f, "uniqCombined64", "groupby", work, parallelism, log)));
                c.add(new Comparison(
                        pre + "peer-chdb-exact",
                        () -> ChdbPeer.run(f, "uniqExact", "groupby", work, parallelism, log)));
                if (isDense)
                    c.add(new Comparison(
                            "peer-chdb-mv", () -> ChdbPeer.run(f, "uniqCombined64", "mv", work, parallelism, log)));
            }
            if (only.contains("duckdb")) {
                c.add(new Comparison(
                        pre + "peer-duckdb",
                        () -> child("duckdb", "files=" + String.join(",", f), "work=" + opt.get("work"))));
            }
        }
        return c;
    }

    /**
     * Runs the rows {@code --repeat} times, interleaved (round 1: every row once, in order; round 2:
     * again; …), each run's load average before it recorded, and keeps per row the run with the
     * median process time, with the range and every run's time, CPU seconds and load.
     */
    void interleaved(List<Comparison> rows) throws Exception {
        int repeat = Integer.parseInt(opt.get("repeat"));
        Map<String, List<Map<String, Object>>> all = new LinkedHashMap<>();
        for (int i = 0; i < repeat; i++) {
            for (Comparison row : rows) {
                String before = loadAverage();
                log.printf("%n[%s] round %d of %d (load average %s)%n", row.name(), i + 1, repeat, before);
                Map<String, Object> r = new LinkedHashMap<>(row.run().run());
                r.put("load_before", before);
                r.put("load_after", loadAverage());
                log.printf("[%s] %s%n", row.name(), JSON.writeValueAsString(r));
                all.computeIfAbsent(row.name(), k -> new ArrayList<>()).add(r);
            }
        }
        for (Map.Entry<String, List<Map<String, Object>>> e : all.entrySet()) {
            Map<String, Object> m = median(e.getValue(), "process_seconds");
            m.put("all_process_seconds", column(e.getValue(), "process_seconds"));
            m.put("all_cpu_seconds", column(e.getValue(), "process_cpu_seconds"));
            m.put("all_load_before", column(e.getValue(), "load_before"));
            results.put(e.getKey(), m);
        }
    }

    private static List<Object> column(List<Map<String, Object>> runs, String key) {
        List<Object> v = new ArrayList<>();
        for (Map<String, Object> r : runs) v.add(r.get(key));
        return v;
    }

    /** The large-state dataset (two months of users), when measured. */
    BenchData.Months months;

    /**
     * The large-state rows: the full job over two months on RocksDB (incremental checkpoints) and on
     * the heap, {@code --bigstate-repeat} JVMs each, the two backends alternating; the median of each.
     * The first round also reads the users with state back from its savepoints.
     */
    void bigState(String job, String parallelism, String work) throws Exception {
        int users = Integer.parseInt(opt.get("bigstate-users"));
        months = BenchData.prepareMonths(
                Path.of(opt.get("data")),
                users,
                Integer.parseInt(opt.get("bigstate-days")),
                Long.parseLong(opt.get("seed")),
                Double.parseDouble(opt.get("bigstate-activity")),
                Integer.parseInt(opt.get("parts")),
                log);
        String m1 =
                String.join(",", months.month1().stream().map(Path::toString).toList());
        String m2 =
                String.join(",", months.month2().stream().map(Path::toString).toList());
        int repeat = Integer.parseInt(opt.get("bigstate-repeat"));
        Map<String, List<Map<String, Object>>> all = new LinkedHashMap<>();
        for (int i = 0; i < repeat; i++) {
            for (String backend : List.of("rocksdb", "hashmap")) {
                String name = "bigstate-" + backend;
                String before = loadAverage();
                log.printf("%n[%s] run %d of %d (load average %s)%n", name, i + 1, repeat, before);
                Map<String, Object> r = childWithHeap(
                        opt.get(backend.equals("rocksdb") ? "bigstate-rocksdb-heap" : "bigstate-heap"),
                        "bigstate",
                        job,
                        "month1=" + m1,
                        "month2=" + m2,
                        "backend=" + backend,
                        "users=" + users,
                        "interval=" + opt.get("bigstate-interval"),
                        "managed=" + (backend.equals("rocksdb") ? opt.get("bigstate-managed") : "256m"),
                        "analyse=" + (i == 0),
                        "parallelism=" + parallelism,
                        work);
                r.put("load_before", before);
                r.put("load_after", loadAverage());
                log.printf("[%s] %s%n", name, JSON.writeValueAsString(r));
                all.computeIfAbsent(name, k -> new ArrayList<>()).add(r);
            }
        }
        for (Map.Entry<String, List<Map<String, Object>>> e : all.entrySet()) {
            Map<String, Object> m = median(e.getValue());
            for (String k : List.of("month1_users", "month2_users"))
                m.putIfAbsent(k, e.getValue().get(0).get(k));
            List<Double> secs = new ArrayList<>();
            for (Map<String, Object> r : e.getValue()) secs.add(seconds(r));
            m.put("all_seconds", secs);
            results.put(e.getKey(), m);
        }
    }

    /** The heavy-users pair by heavy-tailed / evenly spread dataset, and the hot-key pair. */
    BenchData.HeavyPair heavyPair;

    BenchData.HeavyPair hotKeyPair;

    /**
     * The full job on the heavy-tailed dataset and on as many events spread evenly, batch and
     * streaming into DuckDB: {@code --heavy-repeat} JVMs per row, the two datasets alternating
     * (so that a slow spell of the machine hits both), the median of each reported.
     */
    void heavy(String job, String runs, String parallelism, String work) throws Exception {
        EventGenerator.Options o = EventGenerator.Options.NONE
                .withParetoAlpha(Double.parseDouble(opt.get("heavy-alpha")))
                .withBots(1, Integer.parseInt(opt.get("heavy-bot-events")))
                .withBotPricingShare(Double.parseDouble(opt.get("heavy-bot-share")));
        heavyPair = BenchData.prepareHeavy(
                Path.of(opt.get("data")),
                Integer.parseInt(opt.get("heavy-users")),
                Integer.parseInt(opt.get("heavy-days")),
                Long.parseLong(opt.get("heavy-seed")),
                o,
                log);
        int repeat = Integer.parseInt(opt.get("heavy-repeat"));
        alternate(heavyPair, "heavy", "even", List.of("batch", "streaming"), repeat, job, runs, parallelism, work);
        hotKeyPair = BenchData.prepareHeavy(
                Path.of(opt.get("data")),
                1000,
                1,
                4,
                EventGenerator.Options.NONE.withBots(1, Integer.parseInt(opt.get("hotkey-events"))),
                log);
        alternate(hotKeyPair, "hotkey", "hotkey-even", List.of("streaming"), repeat, job, runs, parallelism, work);
    }

    /** Runs the job on both datasets of a pair, alternating, and records the median of each. */
    void alternate(
            BenchData.HeavyPair pair,
            String heavyName,
            String evenName,
            List<String> modes,
            int repeat,
            String job,
            String runs,
            String parallelism,
            String work)
            throws Exception {
        for (String mode : modes) {
            Map<String, List<Map<String, Object>>> all = new LinkedHashMap<>();
            for (int i = 0; i < repeat; i++) {
                for (String set : List.of(heavyName, evenName)) {
                    Path file = set.equals(heavyName) ? pair.heavy() : pair.even();
                    String name = set + "-" + mode;
                    log.printf("%n[%s] run %d of %d (load average %s)%n", name, i + 1, repeat, loadAverage());
                    Map<String, Object> r = child(
                            "pipeline",
                            runs,
                            job,
                            "files=" + file,
                            "mode=" + mode,
                            "sink=duckdb",
                            "parallelism=" + parallelism,
                            work);
                    log.printf("[%s] %s%n", name, JSON.writeValueAsString(r));
                    all.computeIfAbsent(name, k -> new ArrayList<>()).add(r);
                }
            }
            for (Map.Entry<String, List<Map<String, Object>>> e : all.entrySet())
                results.put(e.getKey(), median(e.getValue()));
        }
    }

    /** The run with the median job time, with the range of all of them ({@code min_seconds}, {@code max_seconds}). */
    static Map<String, Object> median(List<Map<String, Object>> runs) {
        return median(runs, "seconds");
    }

    /**
     * The run with the median {@code key} ({@code seconds}: {@link #seconds}, the job time where there
     * is one; else that number of each run), with the range of all of them ({@code min_KEY},
     * {@code max_KEY}) and their count ({@code repeats}). With an even count, the upper middle one.
     */
    static Map<String, Object> median(List<Map<String, Object>> runs, String key) {
        java.util.function.ToDoubleFunction<Map<String, Object>> f = key.equals("seconds")
                ? Bench::seconds
                : r -> r.get(key) instanceof Number n ? n.doubleValue() : Double.MAX_VALUE;
        List<Map<String, Object>> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingDouble(f));
        Map<String, Object> m = new LinkedHashMap<>(sorted.get(sorted.size() / 2));
        m.put("min_" + key, f.applyAsDouble(sorted.get(0)));
        m.put("max_" + key, f.applyAsDouble(sorted.get(sorted.size() - 1)));
        m.put("repeats", sorted.size());
        return m;
    }

    /** {@link #measureFastest} with {@code --warm-repeat} runs. */
    void measure(String name, String task, String... args) throws Exception {
        measureFastest(Integer.parseInt(opt.get("warm-repeat")), name, task, args);
    }

    /**
     * A measurement that other rows are divided by (the ceiling, the Flink floors): it takes seconds,
     * so it is always the fastest of at least three JVMs, lest a transient disturbance flatter every
     * ratio (on 2026-12-03 a ceiling measured 5.9 s while ClickHouse, started just before, was still
     * busy, 3.3-3.6 s in a quiet rerun; a streaming floor 6.1 s against 4.4 s an hour before).
     */
    void measureYardstick(String name, String task, String... args) throws Exception {
        measureFastest(Math.max(Integer.parseInt(opt.get("warm-repeat")), 3), name, task, args);
    }

    /** Runs a task in a fresh JVM {@code repeat} times and records the fastest under {@code name}. */
    void measureFastest(int repeat, String name, String task, String... args) throws Exception {
        Map<String, Object> best = null;
        for (int i = 0; i < repeat; i++) {
            String before = loadAverage();
            log.printf("%n[%s] %s (load average %s)%n", name, task, before);
            Map<String, Object> r = child(task, args);
            r.put("load_before", before);
            r.put("load_after", loadAverage());
            log.printf("[%s] %s%n", name, JSON.writeValueAsString(r));
            if (best == null || seconds(r) < seconds(best)) best = r;
        }
        results.put(name, best);
    }

    static double seconds(Map<String, Object> r) {
        Object s = r.get("job_seconds") != null ? r.get("job_seconds") : r.get("seconds");
        return s instanceof Number n ? n.doubleValue() : Double.MAX_VALUE;
    }

    Map<String, Object> child(String task, String... args) throws Exception {
        return childWithHeap(opt.get("heap"), task, args);
    }

    /** Runs a task in a fresh JVM with this heap ({@code -Xmx}, {@code -Xms}). */
    Map<String, Object> childWithHeap(String heap, String task, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + heap);
        cmd.add("-Xms" + heap);
        String young = opt.get(task.equals("ceiling") ? "ceiling-young" : "young");
        if (!young.equals("auto")) cmd.add("-Xmn" + young);
        cmd.add(
                switch (opt.get("gc")) {
                    case "parallel" -> "-XX:+UseParallelGC";
                    case "g1" -> "-XX:+UseG1GC";
                    default -> throw new IllegalArgumentException("--gc: parallel or g1, not " + opt.get("gc"));
                });
        cmd.add("-Duser.timezone=UTC");
        cmd.add("-Dlog4j.configurationFile="
                + Path.of("src/main/resources/log4j2-cli.properties").toAbsolutePath());
        cmd.add("--add-opens=java.base/java.util=ALL-UNNAMED");
        cmd.add("--add-opens=java.base/java.lang=ALL-UNNAMED");
        String extra = System.getenv("BENCH_JAVA_OPTS");
        if (extra != null && !extra.isBlank())
            cmd.addAll(Arrays.asList(extra.trim().split("\\s+")));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(BenchTask.class.getName());
        cmd.add(task);
        cmd.addAll(Arrays.asList(args));
        long spawned = System.nanoTime();
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Map<String, Object> result = null;
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith(BenchTask.RESULT)) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = JSON.readValue(line.substring(BenchTask.RESULT.length()), Map.class);
                    result = m;
                } else {
                    log.println("    " + line);
                }
            }
        }
        if (!proc.waitFor(10, TimeUnit.MINUTES)) proc.destroyForcibly();
        if (result == null)
            throw new IOException(task + " failed (exit " + proc.exitValue() + "), see its output above");
        // The JVM's whole life, spawn to exit, and its CPU seconds as it reported them just before exiting.
        result.putIfAbsent("process_seconds", (System.nanoTime() - spawned) / 1e9);
        result.putIfAbsent("process_cpu_seconds", result.get("cpu_seconds"));
        return result;
    }

    static double number(Map<String, Object> r, String key) {
        Object v = r == null ? null : r.get(key);
        if (!(v instanceof Number n)) throw new IllegalStateException("no " + key + " in " + r);
        return n.doubleValue();
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    static String now() {
        return ZonedDateTime.now(ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT));
    }
}
