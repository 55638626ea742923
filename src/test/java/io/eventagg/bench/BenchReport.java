package io.eventagg.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The table {@link Bench} prints and appends to BENCHMARKS.md. */
final class BenchReport {
    private BenchReport() {}

    /** A row of the table; {@code floor} is the key of the Flink floor of the same execution mode, if any. */
    private record Row(String key, String label, String floor) {
        Row(String key, String label) {
            this(key, label, null);
        }
    }

    /** The rows of the Flink floors (see {@link Bench}), which the rows of their execution mode are divided by. */
    private static final String STREAMING = "floor-streaming";

    private static final String BATCH = "floor-batch";

    private static final List<Row> THROUGHPUT = List.of(
            new Row("ceiling", "Ceiling: read + parse, 1 thread, no Flink"),
            new Row(STREAMING, "Flink floor: file source -> exchange -> discard (streaming)"),
            new Row(BATCH, "Flink floor: file source -> discard (batch)"),
            new Row("ts-duckdb-streaming", "Time series -> DuckDB (streaming)", STREAMING),
            new Row("ts-discard-streaming", "Time series -> discarding sink (streaming)", STREAMING),
            new Row("ts-duckdb-batch", "Time series -> DuckDB (batch)", BATCH),
            new Row("ts-discard-batch", "Time series -> discarding sink (batch)", BATCH),
            new Row("full-duckdb-streaming", "Full: series + 2 funnels + 2 retention -> DuckDB (streaming)", STREAMING),
            new Row("full-discard-streaming", "Full -> discarding sink (streaming)", STREAMING),
            new Row("backfill", "Backfill of the whole dataset (batch, full job) -> DuckDB", BATCH),
            new Row("backfill-ts", "Backfill of the whole dataset (batch, time-series job) -> DuckDB", BATCH),
            new Row(
                    "backfill-ts-horizon",
                    "Backfill of the whole dataset (batch, time-series job, minute buckets only within the horizon,"
                            + " --horizon-minute, as of the data's end) -> DuckDB",
                    BATCH),
            new Row(
                    "backfill-ts-breakdown-users",
                    "Backfill, time-series job with unique users per breakdown value as by default (days, weeks,"
                            + " months; --only trends, median, alternating with the next two rows) -> DuckDB",
                    BATCH),
            new Row(
                    "backfill-ts-breakdown-users-all",
                    "Backfill, time-series job with unique users per breakdown value in every granularity"
                            + " (breakdown_users: true) -> DuckDB",
                    BATCH),
            new Row(
                    "backfill-ts-no-breakdown-users",
                    "Backfill, time-series job without them (breakdown_users: false, as the bench jobs) -> DuckDB",
                    BATCH),
            new Row(
                    "backfill-ts-trends",
                    "Backfill, time-series job with the default users per value, two actions, a measure and"
                            + " weekly and monthly stickiness -> DuckDB",
                    BATCH),
            new Row(
                    "backfill-views",
                    "Backfill of the whole dataset (batch, the 3 views' work: hour and day, no breakdowns) -> DuckDB",
                    BATCH),
            new Row("peer-duckdb", "Peer: DuckDB read_json + GROUP BY (exact uniques)"),
            new Row("peer-chdb-hll", "Peer: chDB (ClickHouse 26.x in-process) GROUP BY, HLL uniques (uniqCombined64)"),
            new Row("peer-chdb-exact", "Peer: chDB (ClickHouse 26.x in-process) GROUP BY, exact uniques (uniqExact)"),
            new Row(
                    "peer-chdb-hll-horizon",
                    "Peer: chDB GROUP BY, HLL uniques, minute rollups only within the same horizon"),
            new Row(
                    "peer-chdb-mv",
                    "Peer: chDB (ClickHouse 26.x in-process) materialized views of the same rollups (HLL)"),
            new Row("peer-clickhouse", "Peer: ClickHouse JSONEachRow load + INSERT…SELECT GROUP BY"),
            new Row("peer-clickhouse-mv", "Peer: ClickHouse JSONEachRow load through the 3 materialized views"),
            new Row(
                    "peer-clickhouse-mv-rollups",
                    "Peer: ClickHouse JSONEachRow load through 25 materialized views of the same rollups"));

    /** Peers whose own result is a whole process measured as a user's (their "Cold process" columns). */
    private static final List<String> PROCESS_PEERS =
            List.of("peer-duckdb", "peer-chdb-hll", "peer-chdb-exact", "peer-chdb-mv", "peer-chdb-hll-horizon");

    static String table(Bench b, BenchData.Dataset data) {
        StringBuilder sb = new StringBuilder();
        throughput(sb, b, data, "", "");
        if (b.sparse != null) throughput(sb, b, b.sparse, Bench.SPARSE, "[sparse] ");
        writeFloor(sb, b.results);
        heavy(sb, b);
        serve(sb, b.results);
        notes(sb, b.results, "");
        if (b.sparse != null) notes(sb, b.results, Bench.SPARSE);
        otherNotes(sb, b.results);
        bigState(sb, b);
        return sb.toString();
    }

    /** The throughput table of one dataset: rows whose keys start with {@code pre}, labels with {@code tag}. */
    private static void throughput(StringBuilder sb, Bench b, BenchData.Dataset data, String pre, String tag) {
        Map<String, Map<String, Object>> r = b.results;
        double ceiling = rate(r.get(pre + "ceiling"), "events_per_s");
        Map<String, Object> duckM = r.get(pre + "peer-duckdb");
        double duck = duckM != null ? events(duckM) / num(duckM, "seconds") : Double.NaN;
        Map<String, Object> chM = r.get(pre + "peer-clickhouse");
        double ch = chM != null ? events(chM) / num(chM, "seconds") : Double.NaN;
        double chMv = chM != null ? num(chM, "mv_events") / num(chM, "mv_seconds") : Double.NaN;
        double chMvRollups = chM != null ? num(chM, "mv_rollups_events") / num(chM, "mv_rollups_seconds") : Double.NaN;
        // chDB's GROUP BY with HLL uniques, as a user's process: what the cold process rows are divided by.
        double chdb = processRate(r.get(pre + "peer-chdb-hll"));
        // The horizon rows against the peer keeping the same horizon, never one doing more work.
        double chdbHorizon = processRate(r.get(pre + "peer-chdb-hll-horizon"));
        boolean any = THROUGHPUT.stream().anyMatch(row -> warm(r, pre, row) != null || cold(r, pre, row) != null);
        if (!any) return;
        if (data != null)
            sb.append(String.format(
                    Locale.ROOT,
                    "%sDataset: %,d events, %,d users, %d days (%,d MB JSON lines in %d files), seed %d%s%n%n",
                    tag,
                    data.events(),
                    data.users(),
                    data.days(),
                    data.bytes() >> 20,
                    data.parts().size(),
                    data.seed(),
                    pre.isEmpty() ? "" : String.format(Locale.ROOT, ", activity x%.2f", data.activityScale())));
        sb.append("| Measurement | Events | Time s | 1st run in JVM s | Cold process s | Cold CPU s | Events/s"
                + " | ÷ (2 × ceiling) | ÷ Flink floor | ÷ DuckDB | ÷ chDB HLL | ÷ CH GROUP BY | ÷ CH MVs"
                + " | ÷ CH MVs, same rollups | Peak RSS MB | Load avg |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row row : THROUGHPUT) {
            Map<String, Object> m = warm(r, pre, row);
            Map<String, Object> c = cold(r, pre, row);
            if (m == null && c == null) continue;
            double secs = Double.NaN;
            double ev;
            if (row.key().startsWith("peer-clickhouse-mv")) {
                String prefix = row.key().equals("peer-clickhouse-mv") ? "mv_" : "mv_rollups_";
                secs = num(m, prefix + "seconds");
                ev = num(m, prefix + "events");
            } else if (m != null) {
                secs = row.key().equals("ceiling") ? num(m, "seconds") : Bench.seconds(m);
                ev = events(m);
            } else {
                ev = events(c);
            }
            double rate = ev / secs;
            boolean isCeiling = row.key().equals("ceiling");
            double firstRun = num(m, "cold_job_seconds");
            Map<String, Object> floorM = row.floor() == null ? null : r.get(pre + row.floor());
            double floor = floorM == null ? Double.NaN : events(floorM) / Bench.seconds(floorM);
            Map<String, Object> shown = m != null ? m : c;
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %,d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    tag + row.label(),
                    (long) ev,
                    Double.isNaN(secs) ? "–" : String.format(Locale.ROOT, "%.1f", secs),
                    Double.isNaN(firstRun) || row.key().startsWith("peer")
                            ? "–"
                            : String.format(Locale.ROOT, "%.1f", firstRun),
                    processRange(c),
                    c == null ? "–" : oneDecimal(num(c, "process_cpu_seconds")),
                    Double.isNaN(rate) ? "–" : String.format(Locale.ROOT, "%,.0f", rate),
                    isCeiling ? "(0.50)" : ratio(rate, 2 * ceiling),
                    ratio(rate, floor),
                    ratio(rate, duck),
                    ratio(processRate(c), row.key().contains("horizon") ? chdbHorizon : chdb),
                    ratio(rate, ch),
                    ratio(rate, chMv),
                    ratio(rate, chMvRollups),
                    mb(
                            shown.get("peak_rss_bytes") != null || c == null
                                    ? shown.get("peak_rss_bytes")
                                    : c.get("peak_rss_bytes")),
                    loads(m, c)));
        }
        sb.append('\n');
    }

    /** A row's in-JVM measurement (a peer's own result; both ClickHouse view rows read the GROUP BY run's). */
    private static Map<String, Object> warm(Map<String, Map<String, Object>> r, String pre, Row row) {
        return r.get(pre + (row.key().startsWith("peer-clickhouse") ? "peer-clickhouse" : row.key()));
    }

    /** A row's whole-process measurement: an eventagg row's cold CLI runs, or a DuckDB or chDB peer's runs. */
    private static Map<String, Object> cold(Map<String, Map<String, Object>> r, String pre, Row row) {
        if (PROCESS_PEERS.contains(row.key())) return r.get(pre + row.key());
        return r.get(pre + row.key() + Bench.COLD);
    }

    /** Events per second of a whole process (spawn to exit). */
    static double processRate(Map<String, Object> m) {
        return m == null ? Double.NaN : events(m) / num(m, "process_seconds");
    }

    /** The median process time, with the range when there were several runs. */
    private static String processRange(Map<String, Object> c) {
        if (c == null) return "–";
        double med = num(c, "process_seconds");
        if (num(c, "repeats") > 1)
            return String.format(
                    Locale.ROOT, "%.1f (%.1f–%.1f)", med, num(c, "min_process_seconds"), num(c, "max_process_seconds"));
        return oneDecimal(med);
    }

    /** The load average before the in-JVM run (1, 5, 15 min), and the 1-minute load before each process run. */
    @SuppressWarnings("unchecked")
    private static String loads(Map<String, Object> m, Map<String, Object> c) {
        List<String> parts = new ArrayList<>();
        if (m != null && m != c && m.get("load_before") != null) parts.add(String.valueOf(m.get("load_before")));
        if (c != null && c.get("all_load_before") instanceof List<?> l) {
            List<String> ones = new ArrayList<>();
            for (Object o : (List<Object>) l) ones.add(String.valueOf(o).split(" ")[0]);
            parts.add((m != null && m != c ? "process runs: " : "") + String.join(" / ", ones));
        }
        return parts.isEmpty() ? "–" : String.join("; ", parts);
    }

    private static String oneDecimal(double d) {
        return Double.isNaN(d) || d < 0 ? "–" : String.format(Locale.ROOT, "%.1f", d);
    }

    /** The DuckDB write floor: the time-series job's rows inserted by DuckDB alone, beside that job's backfill. */
    private static void writeFloor(StringBuilder sb, Map<String, Map<String, Object>> r) {
        Map<String, Object> m = r.get("writefloor");
        if (m == null) return;
        Map<String, Object> bf = r.get("backfill-ts");
        double job = bf != null ? Bench.seconds(bf) : num(m, "backfill_job_seconds");
        sb.append("| Measurement | Rows | Time s | Rows/s | Backfill, time-series job: job s | Floor ÷ backfill |\n");
        sb.append("|---|---:|---:|---:|---:|---:|\n");
        sb.append(String.format(
                Locale.ROOT,
                "| DuckDB write floor: the time-series job's rows inserted by DuckDB alone | %,d | %.2f | %,.0f | %s | %s |%n%n",
                (long) num(m, "rows"),
                num(m, "seconds"),
                num(m, "rows") / num(m, "seconds"),
                oneDecimal(job),
                ratio(num(m, "seconds"), job)));
    }

    /** The large-state rows: RocksDB (incremental checkpoints) against the heap backend, two months of users. */
    @SuppressWarnings("unchecked")
    static void bigState(StringBuilder sb, Bench b) {
        Map<String, Object> rocks = b.results.get("bigstate-rocksdb");
        Map<String, Object> heap = b.results.get("bigstate-hashmap");
        BenchData.Months d = b.months;
        if (d == null || (rocks == null && heap == null)) return;
        sb.append(String.format(
                Locale.ROOT,
                "%nLarge state: the full job, streaming, two months of %,d users each (month 2's new, month 1's silent;"
                        + " %,d + %,d events, %d + %d days, %,d MB JSON lines), parallelism %s, checkpoints every %s s"
                        + " to local files; median of %s JVM(s) per backend, alternating, range in brackets.%n%n",
                d.users(),
                d.events1(),
                d.events2(),
                d.days(),
                d.days(),
                d.bytes() >> 20,
                b.opt.get("parallelism"),
                b.opt.get("bigstate-interval"),
                b.opt.get("bigstate-repeat")));
        sb.append("| | RocksDB, incremental | Heap (hashmap) | RocksDB ÷ heap |\n|---|---:|---:|---:|\n");
        java.util.function.BiConsumer<String, java.util.function.Function<Map<String, Object>, Double>> row =
                (label, f) -> {
                    double x = rocks == null ? Double.NaN : f.apply(rocks);
                    double y = heap == null ? Double.NaN : f.apply(heap);
                    sb.append("| ")
                            .append(label)
                            .append(" | ")
                            .append(big(x))
                            .append(" | ")
                            .append(big(y))
                            .append(" | ")
                            .append(ratio(x, y))
                            .append(" |\n");
                };
        sb.append("| JVM heap / managed memory MB | ")
                .append(
                        rocks == null
                                ? "–"
                                : mb(rocks.get("max_heap_bytes")) + " / " + mb(rocks.get("managed_memory_bytes")))
                .append(" | ")
                .append(
                        heap == null
                                ? "–"
                                : mb(heap.get("max_heap_bytes")) + " / " + mb(heap.get("managed_memory_bytes")))
                .append(" | |\n");
        for (int m = 1; m <= 2; m++) {
            String p = "month" + m + "_";
            row.accept("Month " + m + ": ingest s", r -> num(r, p + "ingest_seconds"));
            row.accept("Month " + m + ": events/s", r -> num(r, p + "events_per_s"));
            row.accept("Month " + m + ": CPU s", r -> num(r, p + "cpu_seconds"));
        }
        sb.append("| Both months: job s (range) | ")
                .append(range(rocks))
                .append(" | ")
                .append(range(heap))
                .append(" | ")
                .append(ratio(
                        Bench.seconds(rocks == null ? Map.of() : rocks), Bench.seconds(heap == null ? Map.of() : heap)))
                .append(" |\n");
        for (int m = 1; m <= 2; m++) {
            String p = "month" + m + "_";
            String at = "After month " + m + ": ";
            row.accept(at + "state (full checkpoint) MB", r -> num(r, p + "full_checkpoint_state_bytes") / 1e6);
            row.accept(at + "full checkpoint s", r -> num(r, p + "full_checkpoint_ms") / 1e3);
            row.accept(
                    at + "incremental checkpoint: checkpointed MB",
                    r -> num(r, p + "checkpoint_checkpointed_bytes") / 1e6);
            row.accept(at + "incremental checkpoint s", r -> num(r, p + "checkpoint_ms") / 1e3);
            row.accept(at + "native savepoint MB", r -> num(r, p + "savepoint_bytes") / 1e6);
            row.accept(at + "native savepoint s (wall)", r -> num(r, p + "savepoint_wall_s"));
            row.accept(at + "RSS MB", r -> num(r, p + "rss_bytes") / 1e6);
            row.accept(at + "heap after full GC MB", r -> num(r, p + "heap_after_gc_bytes") / 1e6);
            for (String g : List.of("retention", "funnel", "timeseries")) {
                row.accept(at + g + " operators MB", r -> group(r, p, g) / 1e6);
            }
        }
        row.accept("Periodic checkpoints while a month was read: count", r -> periodic(r, "n"));
        row.accept("… checkpointed MB, median", r -> periodic(r, "bytes") / 1e6);
        row.accept("… s, median", r -> periodic(r, "ms") / 1e3);
        row.accept("… s, max", r -> periodic(r, "max_ms") / 1e3);
        row.accept("Peak RSS MB", r -> num(r, "peak_rss_bytes") / 1e6);
        sb.append('\n');
        Map<String, Object> a = rocks != null && rocks.get("month1_users") != null ? rocks : heap;
        if (a == null || a.get("month1_users") == null) return;
        Map<String, Object> u1 = (Map<String, Object>) a.get("month1_users");
        Map<String, Object> u2 = (Map<String, Object>) a.get("month2_users");
        sb.append("Users with state (read back from the savepoints of the ")
                .append(a.get("backend"))
                .append(
                        " run), by the month the user belongs to; bytes per user from the operator's size in the full checkpoint:\n\n");
        sb.append(
                "| State | After month 1: month-1 users | After month 2: month-1 users | After month 2: month-2 users | Bytes per user, month 1 (RocksDB / heap) |\n");
        sb.append("|---|---:|---:|---:|---:|\n");
        int defs = (int)
                u1.keySet().stream().filter(k -> k.startsWith("retention-")).count();
        for (String k : u1.keySet()) {
            Map<String, Object> x = (Map<String, Object>) u1.get(k);
            Map<String, Object> y = (Map<String, Object>) u2.get(k);
            String perUser;
            long n = (long) num(x, "month1");
            if (k.equals("retention")) {
                perUser = perUser(rocks, heap, "retention-users", n * Math.max(defs, 1), "month1_") + " per definition";
            } else if (k.endsWith("-gate")) {
                perUser = perUser(rocks, heap, k.substring(0, k.length() - "-gate".length()), n, "month1_")
                        + " (all the funnel's operators ÷ gate users)";
            } else if (k.startsWith("retention-")) {
                perUser = String.format(Locale.ROOT, "value %.0f", num(x, "value_bytes_per_user"));
            } else {
                perUser = "";
            }
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %,d | %,d | %,d | %s |%n",
                    k,
                    (long) num(x, "month1"),
                    (long) num(y, "month1"),
                    (long) num(y, "month2"),
                    perUser));
        }
    }

    private static String perUser(
            Map<String, Object> rocks, Map<String, Object> heap, String prefix, long n, String p) {
        return String.format(
                Locale.ROOT,
                "%s / %s",
                n == 0 || rocks == null ? "–" : String.format(Locale.ROOT, "%.0f", prefixed(rocks, p, prefix) / n),
                n == 0 || heap == null ? "–" : String.format(Locale.ROOT, "%.0f", prefixed(heap, p, prefix) / n));
    }

    @SuppressWarnings("unchecked")
    private static double prefixed(Map<String, Object> r, String p, String prefix) {
        Map<String, Object> ops = (Map<String, Object>) r.get(p + "operators");
        if (ops == null) return Double.NaN;
        double sum = 0;
        for (Map.Entry<String, Object> e : ops.entrySet())
            if (e.getKey().startsWith(prefix)) sum += ((Number) e.getValue()).doubleValue();
        return sum;
    }

    /** Bytes of the savepoint's operators of a group (retention, funnel, timeseries). */
    private static double group(Map<String, Object> r, String p, String g) {
        return prefixed(r, p, g.equals("retention") ? "retention-" : g.equals("funnel") ? "funnel-" : "timeseries-");
    }

    /** The periodic checkpoints' count, median checkpointed bytes, median and max duration. */
    @SuppressWarnings("unchecked")
    private static double periodic(Map<String, Object> r, String what) {
        List<Map<String, Object>> cps = (List<Map<String, Object>>) r.get("checkpoints");
        if (cps == null) return Double.NaN;
        List<Double> bytes = new ArrayList<>();
        List<Double> ms = new ArrayList<>();
        for (Map<String, Object> c : cps) {
            if (!"periodic".equals(c.get("kind"))) continue;
            bytes.add(num(c, "checkpointed_bytes"));
            ms.add(num(c, "ms"));
        }
        if (bytes.isEmpty()) return what.equals("n") ? 0 : Double.NaN;
        java.util.Collections.sort(bytes);
        java.util.Collections.sort(ms);
        return switch (what) {
            case "n" -> bytes.size();
            case "bytes" -> bytes.get(bytes.size() / 2);
            case "ms" -> ms.get(ms.size() / 2);
            default -> ms.get(ms.size() - 1);
        };
    }

    private static String range(Map<String, Object> r) {
        if (r == null) return "–";
        return String.format(
                Locale.ROOT, "%.1f (%.1f–%.1f)", Bench.seconds(r), num(r, "min_seconds"), num(r, "max_seconds"));
    }

    private static String big(double x) {
        if (Double.isNaN(x)) return "–";
        return Math.abs(x) >= 100 ? String.format(Locale.ROOT, "%,.0f", x) : String.format(Locale.ROOT, "%.1f", x);
    }

    /** The heavy-users rows: the full job on the heavy-tailed dataset against as many events spread evenly. */
    private static void heavy(StringBuilder sb, Bench b) {
        BenchData.HeavyPair d = b.heavyPair;
        if (d == null) return;
        Map<String, Map<String, Object>> r = b.results;
        sb.append(String.format(
                Locale.ROOT,
                "Heavy users: the full job on a heavy-tailed dataset (%,d events; heaviest ordinary user %s with %,d;"
                        + " a bot with %,d, %,d of them pricing views) and on %,d events of %,d ordinary users, same days; median of %s JVMs each,"
                        + " alternating, range in brackets.%n%n",
                d.heavyEvents(),
                d.heaviestUser(),
                d.heaviestUserEvents(),
                d.botEvents(),
                d.botPricingViews(),
                d.evenEvents(),
                d.evenUsers(),
                b.opt.get("heavy-repeat")));
        sb.append("| Mode | Heavy-tailed: job s | 1st run in JVM s | Evenly spread: job s | 1st run in JVM s"
                + " | Heavy ÷ even (target <= 1.2) |\n");
        sb.append("|---|---:|---:|---:|---:|---:|\n");
        for (String mode : List.of("batch", "streaming")) {
            Map<String, Object> h = r.get("heavy-" + mode);
            Map<String, Object> e = r.get("even-" + mode);
            if (h == null || e == null) continue;
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %.1f (%.1f–%.1f) | %s | %.1f (%.1f–%.1f) | %s | %.2f |%n",
                    mode,
                    Bench.seconds(h),
                    num(h, "min_seconds"),
                    num(h, "max_seconds"),
                    oneDecimal(num(h, "cold_job_seconds")),
                    Bench.seconds(e),
                    num(e, "min_seconds"),
                    num(e, "max_seconds"),
                    oneDecimal(num(e, "cold_job_seconds")),
                    Bench.seconds(h) / Bench.seconds(e)));
        }
        Map<String, Object> k = r.get("hotkey-streaming");
        Map<String, Object> e = r.get("hotkey-even-streaming");
        if (b.hotKeyPair != null && k != null && e != null) {
            sb.append(String.format(
                    Locale.ROOT,
                    "| streaming, hot key: one bot's %,d events in a day (of %,d) against %,d events of %,d users"
                            + " | %.1f (%.1f–%.1f) | %s | %.1f (%.1f–%.1f) | %s | %.2f (target <= 2) |%n",
                    b.hotKeyPair.botEvents(),
                    b.hotKeyPair.heavyEvents(),
                    b.hotKeyPair.evenEvents(),
                    b.hotKeyPair.evenUsers(),
                    Bench.seconds(k),
                    num(k, "min_seconds"),
                    num(k, "max_seconds"),
                    oneDecimal(num(k, "cold_job_seconds")),
                    Bench.seconds(e),
                    num(e, "min_seconds"),
                    num(e, "max_seconds"),
                    oneDecimal(num(e, "cold_job_seconds")),
                    Bench.seconds(k) / Bench.seconds(e)));
        }
        sb.append('\n');
    }

    /**
     * Target T1 for one pair: chDB's time until its rollups are tables (load and GROUP BYs, inside its
     * process) against the backfill's job time, and the two whole processes.
     */
    private static void t1(
            StringBuilder sb,
            Map<String, Map<String, Object>> r,
            String pre,
            String tag,
            String ours,
            String peer,
            String what) {
        Map<String, Object> e = r.get(pre + ours);
        Map<String, Object> p = r.get(pre + peer);
        if (e == null || p == null) return;
        Map<String, Object> ec = r.get(pre + ours + Bench.COLD);
        sb.append(String.format(
                Locale.ROOT,
                "- %sT1, %s: chDB %.2f s (load and GROUP BYs) ÷ eventagg's backfill %.2f s (job) = **%s ×**%s.%n",
                tag,
                what,
                num(p, "seconds"),
                Bench.seconds(e),
                ratio(num(p, "seconds"), Bench.seconds(e)),
                ec == null
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                "; whole processes %.1f s ÷ %.1f s = %s ×",
                                num(p, "process_seconds"),
                                num(ec, "process_seconds"),
                                ratio(num(p, "process_seconds"), num(ec, "process_seconds")))));
    }

    /** The read path: per database, each endpoint's latency from the database and from the cache, and the load run. */
    @SuppressWarnings("unchecked")
    static void serve(StringBuilder sb, Map<String, Map<String, Object>> r) {
        for (String db : List.of("duckdb", "clickhouse")) {
            Map<String, Object> m = r.get("serve-" + db);
            if (m == null) continue;
            sb.append(String.format(
                    Locale.ROOT,
                    "Read path, `eventagg serve` over %s: the full job's %,d rows of %,d events (backfill %.1f s);"
                            + " per endpoint the same question again and again (cache off: read from the database;"
                            + " on: from memory), in ms%n%n",
                    db.equals("duckdb") ? "DuckDB" : "ClickHouse 18.16",
                    (long) num(m, "rows"),
                    (long) num(m, "events"),
                    num(m, "backfill_seconds")));
            sb.append(
                    "| Endpoint | Database p50 | Database p99 | Cached p50 | Cached p99 |\n|---|---:|---:|---:|---:|\n");
            Map<String, Object> endpoints = (Map<String, Object>) m.get("endpoints");
            for (Map.Entry<String, Object> e : endpoints.entrySet()) {
                Map<String, Object> v = (Map<String, Object>) e.getValue();
                sb.append(String.format(
                        Locale.ROOT,
                        "| %s | %.1f | %.1f | %.2f | %.2f |%n",
                        e.getKey(),
                        num(v, "database_p50_ms"),
                        num(v, "database_p99_ms"),
                        num(v, "cached_p50_ms"),
                        num(v, "cached_p99_ms")));
            }
            Map<String, Object> l = (Map<String, Object>) m.get("load");
            sb.append(String.format(
                    Locale.ROOT,
                    "%nLoad run: %d concurrent clients on the loopback for %d s, the endpoints in turn over random"
                            + " ranges, cache on: %,d requests (%,.0f/s), %d errors, p50 %.1f ms, p99 %.1f ms, max %.1f ms.%n%n",
                    (long) num(l, "clients"),
                    (long) num(l, "seconds"),
                    (long) num(l, "requests"),
                    num(l, "requests_per_s"),
                    (long) num(l, "errors"),
                    num(l, "p50_ms"),
                    num(l, "p99_ms"),
                    num(l, "max_ms")));
        }
    }

    private static void notes(StringBuilder sb, Map<String, Map<String, Object>> r, String pre) {
        Map<String, Object> m;
        String tag = pre.isEmpty() ? "" : "[sparse] ";
        t1(sb, r, pre, tag, "backfill-ts", "peer-chdb-hll", "every minute");
        t1(sb, r, pre, tag, "backfill-ts-horizon", "peer-chdb-hll-horizon", "minutes within the horizon");
        if ((m = r.get(pre + "peer-duckdb")) != null) {
            sb.append(String.format(
                    Locale.ROOT,
                    "- %sDuckDB peer: read_json into a table %.1f s, GROUP BYs %.1f s; its JVM %.1f s spawn to exit.%n",
                    tag,
                    num(m, "load_seconds"),
                    num(m, "aggregate_seconds"),
                    num(m, "process_seconds")));
        }
        for (String k : List.of("peer-chdb-hll", "peer-chdb-exact", "peer-chdb-hll-horizon")) {
            if ((m = r.get(pre + k)) == null) continue;
            sb.append(String.format(
                    Locale.ROOT,
                    "- %schDB %s%s: Node process %.1f s spawn to exit (start-up and loading chDB %.1f s, load into a table %.1f s,"
                            + " GROUP BYs %.1f s), %.1f CPU s; %,d series + activity buckets, %,d breakdown rows.%n",
                    tag,
                    m.get("uniq"),
                    k.endsWith("horizon") ? ", minutes within the horizon" : "",
                    num(m, "process_seconds"),
                    num(m, "startup_seconds"),
                    num(m, "load_seconds"),
                    num(m, "aggregate_seconds"),
                    num(m, "process_cpu_seconds"),
                    (long) num(m, "rows"),
                    (long) num(m, "breakdown_rows")));
        }
        if ((m = r.get(pre + "peer-chdb-mv")) != null) {
            sb.append(String.format(
                    Locale.ROOT,
                    "- %schDB views: %d materialized views, Node process %.1f s (start-up %.1f s, load through the views %.1f s);"
                            + " %,d events counted, %,d buckets.%n",
                    tag,
                    (long) num(m, "views"),
                    num(m, "process_seconds"),
                    num(m, "startup_seconds"),
                    num(m, "load_seconds"),
                    (long) num(m, "mv_events"),
                    (long) num(m, "buckets")));
        }
        if (pre.isEmpty() && (m = r.get("peer-clickhouse")) != null) {
            sb.append(String.format(
                    Locale.ROOT,
                    "- ClickHouse peer: load %.1f s, INSERT…SELECT GROUP BYs %.1f s; load through the views %.1f s,"
                            + " through views of the same rollups %.1f s (%,d buckets, as the GROUP BYs' %,d rows); rewriting the events into the raw"
                            + " table's row format, untimed: %.1f s.%n",
                    num(m, "load_seconds"),
                    num(m, "aggregate_seconds"),
                    num(m, "mv_seconds"),
                    num(m, "mv_rollups_seconds"),
                    (long) num(m, "mv_rollups_rows"),
                    (long) num(m, "rows"),
                    num(m, "prep_seconds")));
        }
        for (String k : List.of(
                "ts-duckdb-streaming",
                "ts-duckdb-batch",
                "full-duckdb-streaming",
                "backfill",
                "backfill-ts",
                "backfill-ts-horizon",
                "backfill-ts-breakdown-users",
                "backfill-ts-breakdown-users-all",
                "backfill-ts-no-breakdown-users",
                "backfill-ts-trends",
                "backfill-views")) {
            if ((m = r.get(pre + k)) != null && m.get("seconds") != null) {
                sb.append(String.format(
                        Locale.ROOT,
                        "- %s%s: job %.1f s, with MiniCluster start %.1f s; %,d rows written, %,d late events.%n",
                        tag,
                        k,
                        Bench.seconds(m),
                        num(m, "seconds"),
                        (long) num(m, "rows"),
                        (long) num(m, "late")));
            }
            Map<String, Object> c = r.get(pre + k + Bench.COLD);
            if (c != null) {
                sb.append(String.format(
                        Locale.ROOT,
                        "- %s%s, cold process (`%s`): %s s spawn to exit, CPU %s s; %,d rows written%s, %,d in the series"
                                + " and activity tables%s.%n",
                        tag,
                        k,
                        c.get("command"),
                        String.join(" / ", strings(c.get("all_process_seconds"))),
                        String.join(" / ", strings(c.get("all_cpu_seconds"))),
                        (long) num(c, "rows"),
                        m == null ? "" : String.format(Locale.ROOT, " (in the JVM: %,d)", (long) num(m, "rows")),
                        (long) num(c, "db_rows"),
                        m == null || m.get("db_rows") == null
                                ? ""
                                : String.format(Locale.ROOT, " (in the JVM: %,d)", (long) num(m, "db_rows"))));
            }
        }
    }

    /** The notes of the dense dataset's other measurements: the write floor, latency, state. */
    private static void otherNotes(StringBuilder sb, Map<String, Map<String, Object>> r) {
        Map<String, Object> m;
        if ((m = r.get("writefloor")) != null) {
            sb.append(String.format(
                    Locale.ROOT,
                    "- DuckDB write floor: %s (%,d rows, of the backfill's %,d written), inserted from Parquet in %.2f s,"
                            + " %.2f s with the close (its checkpoint).%n",
                    m.get("tables"),
                    (long) num(m, "rows"),
                    (long) num(m, "backfill_rows"),
                    num(m, "insert_seconds"),
                    num(m, "seconds")));
        }
        if ((m = r.get("latency")) != null) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%nStreaming latency (Kafka -> full job -> DuckDB, emit interval %s s): %s%n",
                    fmt(num(m, "emit_interval_s")),
                    latencyFigures(m)));
        }
        Map<String, Object> cap = r.get("capacity");
        if (cap != null && (m = r.get("latency-capacity")) != null) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%nMaximum sustainable rate (the full job draining %,d events produced into Kafka before it started):"
                            + " %,.0f events/s. At 0.8 times it, %s%n",
                    (long) num(cap, "produced"),
                    num(cap, "events_per_s"),
                    latencyFigures(m)));
        }
        for (String k : List.of("state-quarter", "state")) {
            if ((m = r.get(k)) == null) continue;
            sb.append(String.format(
                    Locale.ROOT,
                    "%nState (%s, full job, streaming, checkpoint after all %,d events): checkpoint %,.1f MB;"
                            + " retention: %s; time series (open buckets' sketches, whatever the users): %,.1f MB; funnels %,.1f MB;"
                            + " peak RSS %,.0f MB = %,.0f MB per million active users (%,d).%n",
                    k.equals("state") ? "all users" : "a quarter of the users",
                    (long) num(m, "read"),
                    num(m, "checkpoint_bytes") / 1e6,
                    m.get("retention_summary"),
                    num(m, "timeseries_bytes") / 1e6,
                    num(m, "funnel_bytes") / 1e6,
                    num(m, "peak_rss_bytes") / 1e6,
                    num(m, "peak_rss_bytes") / 1e6 / Math.max(1e-9, num(m, "active_users") / 1e6),
                    (long) num(m, "active_users")));
        }
    }

    static String section(Bench b, BenchData.Dataset data, String table, String load0, String load1, double minutes)
            throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("\n## ").append(Bench.now()).append(" — ").append(gitCommit()).append("\n\n");
        sb.append("- Command: `")
                .append(b.opt.get("command"))
                .append("` (")
                .append(String.format(Locale.ROOT, "%.1f", minutes))
                .append(" min)\n");
        sb.append("- Machine: ").append(machine()).append("\n");
        sb.append("- Load average before / after: ")
                .append(load0)
                .append(" / ")
                .append(load1)
                .append("\n");
        sb.append("- Options: ").append(b.opt).append("\n\n");
        sb.append(table);
        return sb.toString();
    }

    static String gitCommit() {
        try {
            Process p = new ProcessBuilder("git", "log", "-1", "--format=%h %s")
                    .redirectErrorStream(true)
                    .start();
            String s = new String(p.getInputStream().readAllBytes()).trim();
            Process d = new ProcessBuilder("git", "status", "--porcelain", "--untracked-files=no")
                    .redirectErrorStream(true)
                    .start();
            String dirty = new String(d.getInputStream().readAllBytes()).trim();
            return "commit " + s + (dirty.isEmpty() ? "" : " (with uncommitted changes)");
        } catch (IOException e) {
            return "commit ?";
        }
    }

    static String machine() {
        String cpu = "?";
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    cpu = l.substring(l.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        long mem = -1;
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal")) mem = Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024 / 1024;
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return String.format(
                Locale.ROOT,
                "%s, %d cores, %d GiB, %s %s, Java %s",
                cpu,
                Runtime.getRuntime().availableProcessors(),
                mem,
                System.getProperty("os.name"),
                System.getProperty("os.version"),
                System.getProperty("java.version"));
    }

    static double events(Map<String, Object> m) {
        for (String k : List.of("aggregated", "events", "read")) {
            if (m.get(k) instanceof Number n && n.longValue() > 0) return n.doubleValue();
        }
        return Double.NaN;
    }

    /** A latency run's rate, events measured and percentiles, against its target. */
    private static String latencyFigures(Map<String, Object> m) {
        return String.format(
                Locale.ROOT,
                "%,.0f events/s produced for %.0f s, %,d events measured: p50 %.2f s, p99 %.2f s, max %.2f s"
                        + " (target p99 <= %.0f s).",
                num(m, "rate_achieved"),
                num(m, "seconds"),
                (long) num(m, "measured"),
                num(m, "p50_s"),
                num(m, "p99_s"),
                num(m, "max_s"),
                num(m, "emit_interval_s") + 2);
    }

    static double num(Map<String, Object> m, String k) {
        return m != null && m.get(k) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    static double rate(Map<String, Object> m, String k) {
        return num(m, k);
    }

    static String ratio(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b) || b == 0) return "–";
        return String.format(Locale.ROOT, "%.2f", a / b);
    }

    static String mb(Object bytes) {
        return bytes instanceof Number n && n.longValue() > 0
                ? String.format(Locale.ROOT, "%,d", n.longValue() >> 20)
                : "–";
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object list) {
        List<String> out = new ArrayList<>();
        if (list instanceof List<?> l)
            for (Object o : (List<Object>) l)
                out.add(o instanceof Number n ? String.format(Locale.ROOT, "%.1f", n.doubleValue()) : "?");
        return out;
    }

    static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    static List<String> keys() {
        List<String> k = new ArrayList<>();
        for (Row r : THROUGHPUT) k.add(r.key());
        return k;
    }
}
