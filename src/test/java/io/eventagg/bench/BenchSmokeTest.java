package io.eventagg.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.eventagg.testing.ClickHouseServer;
import io.eventagg.testing.Tiers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code make bench} in miniature (a few thousand events), so the benchmark cannot rot: every
 * measurement runs in a JVM of its own as in a real run, each must report plausible numbers, the
 * pipelines' counts must add up, and the report must be written. Speed is not asserted.
 */
@Tag(Tiers.SERVICES)
class BenchSmokeTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void everyMeasurementRunsAndTheReportIsWritten() throws Exception {
        // What ClickHouseServer does as an extension, here: the large-state test needs no ClickHouse.
        ClickHouseServer.ensureUp();
        Path report = dir.resolve("BENCHMARKS.md");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Bench bench = new Bench(
                new String[] {
                    "--events",
                    "4000",
                    "--users",
                    "300",
                    "--days",
                    "3",
                    "--seed",
                    "7",
                    "--data",
                    dir.resolve("data").toString(),
                    "--work",
                    dir.resolve("work").toString(),
                    "--heap",
                    "768m",
                    "--runs",
                    "1",
                    "--out",
                    report.toString(),
                    "--command",
                    "BenchSmokeTest",
                    "--rate",
                    "2000",
                    "--latency-seconds",
                    "8",
                    "--latency-capacity-events",
                    "20000",
                    "--latency-warmup",
                    "1",
                    "--heavy-users",
                    "80",
                    "--heavy-days",
                    "4",
                    "--heavy-bot-events",
                    "400",
                    "--heavy-repeat",
                    "1",
                    "--hotkey-events",
                    "3000",
                    // The comparison rows once each (interleaving and the median: interleavedRoundsAndMedian).
                    "--repeat",
                    "1",
                    "--serve-requests",
                    "5",
                    "--serve-clients",
                    "4",
                    "--serve-seconds",
                    "3",
                    // Three days of data: a one-day minute horizon leaves some minutes out.
                    "--horizon-minute",
                    "1d",
                    "--sparse-users",
                    "200",
                    "--sparse-days",
                    "2",
                    // The CLI's main class on the test class path: `mvn verify` packages the jar after the tests.
                    "--cli",
                    "classpath",
                },
                new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            bench.runAll();
        } finally {
            System.out.println(log.toString(StandardCharsets.UTF_8));
        }

        Map<String, Map<String, Object>> r = bench.results;
        assertThat(r)
                .containsKeys(
                        "ceiling",
                        "floor-streaming",
                        "floor-batch",
                        "ts-duckdb-streaming",
                        "ts-discard-streaming",
                        "ts-duckdb-batch",
                        "ts-discard-batch",
                        "full-duckdb-streaming",
                        "full-discard-streaming",
                        "backfill",
                        "backfill-ts",
                        "backfill-ts-breakdown-users",
                        "backfill-ts-breakdown-users-all",
                        "backfill-ts-no-breakdown-users",
                        "backfill-ts-trends",
                        "backfill-views",
                        "peer-duckdb",
                        "peer-chdb-hll",
                        "peer-chdb-exact",
                        "peer-chdb-mv",
                        "peer-clickhouse",
                        "writefloor",
                        "latency",
                        "capacity",
                        "latency-capacity",
                        "state-quarter",
                        "state",
                        "serve-duckdb",
                        "serve-clickhouse");
        long events = num(r.get("ceiling"), "events");
        assertThat(events).isGreaterThan(1000);
        assertThat(num(r.get("ceiling"), "events_per_s")).isPositive();

        for (String name : List.of("floor-streaming", "floor-batch")) {
            assertThat(num(r.get(name), "read"))
                    .as(name + ": every event through")
                    .isEqualTo(events);
        }
        for (String name : List.of(
                "ts-duckdb-streaming",
                "ts-discard-streaming",
                "ts-duckdb-batch",
                "ts-discard-batch",
                "full-duckdb-streaming",
                "full-discard-streaming")) {
            Map<String, Object> m = r.get(name);
            assertThat(num(m, "read")).as(name + ": every event read").isEqualTo(events);
            assertThat(num(m, "aggregated") + num(m, "dead") + num(m, "late"))
                    .as(name + ": the counts add up")
                    .isEqualTo(events);
            assertThat(num(m, "rows")).as(name + ": rows written").isPositive();
        }
        for (String name : List.of("backfill", "backfill-ts", "backfill-views")) {
            assertThat(num(r.get(name), "read")).as(name + ": every event read").isEqualTo(events);
        }
        // Users per breakdown value change what rows hold, not which rows there are.
        for (String name : List.of(
                "backfill-ts-breakdown-users", "backfill-ts-breakdown-users-all", "backfill-ts-no-breakdown-users")) {
            assertThat(num(r.get(name), "read")).as(name + ": every event read").isEqualTo(events);
            assertThat(num(r.get(name), "rows")).as(name + ": rows").isEqualTo(num(r.get("backfill-ts"), "rows"));
        }
        // The trends add rows: the actions' series, the measure's buckets, the stickiness periods.
        assertThat(num(r.get("backfill-ts-trends"), "rows")).isGreaterThan(num(r.get("backfill-ts"), "rows"));
        // The same time series, without the full job's funnels and retention rows.
        assertThat(num(r.get("backfill-ts"), "rows"))
                .as("time-series backfill rows")
                .isPositive()
                .isLessThan(num(r.get("backfill"), "rows"));
        // Hours and days without breakdowns: fewer rows again than the five granularities.
        assertThat(num(r.get("backfill-views"), "rows"))
                .as("views-work backfill rows")
                .isPositive()
                .isLessThan(num(r.get("backfill-ts"), "rows"));
        assertThat(num(r.get("ts-duckdb-batch"), "late"))
                .as("batch: nothing is late")
                .isZero();
        long batchRows = num(r.get("ts-duckdb-batch"), "rows");
        assertThat(num(r.get("ts-discard-batch"), "rows"))
                .as("batch: the same rows whatever the sink")
                .isEqualTo(batchRows);
        // Batch writes each bucket once; the rows written also count the progress row.
        assertThat(num(r.get("ts-duckdb-batch"), "db_rows"))
                .as("batch: one row per bucket in the tables")
                .isBetween(batchRows - 1, batchRows);
        assertThat(num(r.get("peer-duckdb"), "events")).isEqualTo(events);
        assertThat(num(r.get("peer-clickhouse"), "events")).isEqualTo(events);
        assertThat(num(r.get("peer-clickhouse"), "mv_rollups_events"))
                .as("every event in the views' rollups")
                .isEqualTo(events);
        assertThat(num(r.get("peer-clickhouse"), "mv_rollups_rows"))
                .as("the views keep the GROUP BYs' buckets")
                .isEqualTo(num(r.get("peer-clickhouse"), "rows"));
        coldProcessRows(r, events);
        chdbAndWriteFloor(r, events, bench);
        for (String mode : List.of("batch", "streaming")) {
            assertThat(num(r.get("heavy-" + mode), "read"))
                    .as("heavy-tailed, " + mode)
                    .isEqualTo(bench.heavyPair.heavyEvents());
            assertThat(num(r.get("even-" + mode), "read"))
                    .as("evenly spread, " + mode)
                    .isEqualTo(bench.heavyPair.evenEvents());
        }
        assertThat(bench.heavyPair.botEvents()).as("the bot's events").isEqualTo(1600);
        assertThat(num(r.get("hotkey-streaming"), "read")).as("hot key").isEqualTo(bench.hotKeyPair.heavyEvents());
        assertThat(num(r.get("hotkey-even-streaming"), "read"))
                .as("hot key, spread")
                .isEqualTo(bench.hotKeyPair.evenEvents());
        assertThat(bench.hotKeyPair.botEvents()).isEqualTo(3000);
        assertThat(Math.abs(bench.heavyPair.evenEvents() - bench.heavyPair.heavyEvents()))
                .as("as many events spread evenly (within 5 %)")
                .isLessThan(bench.heavyPair.heavyEvents() / 20);
        assertThat(num(r.get("latency"), "measured")).as("latency samples").isPositive();
        for (String k : List.of("sparse:ts-duckdb-batch", "sparse:ts-duckdb-streaming", "sparse:backfill-ts"))
            assertThat(num(r.get(k), "read"))
                    .as(k + ", warm, reads the sparse dataset")
                    .isEqualTo(bench.sparse.events());
        assertThat(num(r.get("capacity"), "read"))
                .as("the capacity run drained the whole backlog")
                .isEqualTo(num(r.get("capacity"), "produced"))
                .isEqualTo(20000);
        assertThat(num(r.get("latency-capacity"), "rate_target"))
                .as("the second latency run at 0.8 x the measured rate")
                .isCloseTo(Math.round(0.8 * num(r.get("capacity"), "events_per_s")), within(2L));
        assertThat(num(r.get("latency-capacity"), "measured"))
                .as("latency samples at 0.8 x")
                .isPositive();
        assertThat(num(r.get("state"), "peak_rss_bytes")).isPositive();

        String md = Files.readString(report);
        assertThat(md)
                .contains(
                        "| Measurement |",
                        "Ceiling",
                        "Flink floor",
                        "÷ Flink floor",
                        "BenchSmokeTest",
                        "same rollups",
                        "the 3 views' work",
                        "Heavy ÷ even",
                        "Cold process s",
                        "÷ chDB HLL",
                        "Peer: chDB (ClickHouse 26.x in-process) GROUP BY, exact uniques",
                        "[sparse] Time series -> DuckDB (batch)",
                        "[sparse] Peer: chDB",
                        "DuckDB write floor");
    }

    /**
     * The large-state run ({@code make bench-state}) in miniature: two months of a few hundred users
     * through the full job on RocksDB and on the heap, checkpoints and savepoints measured, the users
     * with state read back by month, the report written.
     */
    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    @SuppressWarnings("unchecked")
    void largeStateRunsOnBothBackendsAndTheReportIsWritten() throws Exception {
        Path report = dir.resolve("BENCHMARKS.md");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Bench bench = new Bench(
                new String[] {
                    "--only",
                    "bigstate",
                    "--seed",
                    "7",
                    "--data",
                    dir.resolve("data").toString(),
                    "--work",
                    dir.resolve("work").toString(),
                    "--bigstate-users",
                    "300",
                    "--bigstate-days",
                    "3",
                    "--bigstate-heap",
                    "768m",
                    "--bigstate-rocksdb-heap",
                    "768m",
                    "--bigstate-managed",
                    "128m",
                    "--bigstate-interval",
                    "2",
                    "--out",
                    report.toString(),
                    "--command",
                    "BenchSmokeTest",
                },
                new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            bench.runAll();
        } finally {
            System.out.println(log.toString(StandardCharsets.UTF_8));
        }

        long events = bench.months.events1() + bench.months.events2();
        assertThat(bench.months.events1()).isPositive();
        assertThat(bench.months.events2()).isPositive();
        for (String backend : List.of("rocksdb", "hashmap")) {
            Map<String, Object> m = bench.results.get("bigstate-" + backend);
            assertThat(num(m, "read"))
                    .as(backend + ": every event of both months read")
                    .isEqualTo(events);
            for (String month : List.of("month1_", "month2_")) {
                assertThat(num(m, month + "full_checkpoint_state_bytes"))
                        .as(backend + ", " + month + "full checkpoint")
                        .isPositive()
                        .isEqualTo(num(m, month + "full_checkpoint_checkpointed_bytes"));
                assertThat(num(m, month + "savepoint_bytes")).isPositive();
            }
            assertThat((List<Object>) m.get("checkpoints"))
                    .as(backend + ": checkpoints")
                    .hasSizeGreaterThan(4);
            Map<String, Map<String, Object>> u1 = (Map<String, Map<String, Object>>) m.get("month1_users");
            Map<String, Map<String, Object>> u2 = (Map<String, Map<String, Object>>) m.get("month2_users");
            assertThat(num(u1.get("retention"), "month1"))
                    .as("month 1's users with retention state")
                    .isPositive();
            assertThat(num(u1.get("retention"), "month2"))
                    .as("no month-2 user yet")
                    .isZero();
            assertThat(num(u2.get("retention"), "month2")).as("month 2's users").isPositive();
            assertThat(num(m, "peak_rss_bytes")).isPositive();
        }
        // Incremental on RocksDB: after month 2 a checkpoint uploads less than the whole state.
        Map<String, Object> rocks = bench.results.get("bigstate-rocksdb");
        assertThat(num(rocks, "month2_checkpoint_checkpointed_bytes"))
                .isLessThan(num(rocks, "month2_checkpoint_state_bytes"));
        assertThat(Files.readString(report))
                .contains(
                        "Large state", "RocksDB, incremental", "Heap (hashmap)", "Users with state", "BenchSmokeTest");
    }

    /**
     * The CLI as a user runs it, cold, in a process of its own: it exits 0 (ColdCli throws otherwise),
     * reads every event, and writes what the same job wrote in the bench's JVM.
     */
    private static void coldProcessRows(Map<String, Map<String, Object>> r, long events) {
        for (String k : List.of(
                "ts-duckdb-batch",
                "ts-duckdb-streaming",
                "full-duckdb-streaming",
                "backfill",
                "backfill-ts",
                "backfill-views")) {
            Map<String, Object> c = r.get(k + Bench.COLD);
            assertThat(c).as(k + ": cold process run").isNotNull();
            assertThat(num(c, "exit")).as(k + ": exit status").isZero();
            assertThat(num(c, "read")).as(k + ": cold, every event read").isEqualTo(events);
            assertThat(num(c, "aggregated") + num(c, "dead") + (c.containsKey("late") ? num(c, "late") : 0))
                    .as(k + ": cold, the counts add up")
                    .isEqualTo(events);
            assertThat((Number) c.get("process_seconds"))
                    .as(k + ": spawn to exit")
                    .isNotNull();
            assertThat(((Number) c.get("process_seconds")).doubleValue()).isPositive();
            assertThat(((Number) c.get("process_cpu_seconds")).doubleValue())
                    .as(k + ": CPU seconds")
                    .isPositive();
            if (!k.endsWith("streaming")) {
                // Batch writes each bucket once: the same rows as the in-JVM run, whatever the process.
                assertThat(num(c, "rows"))
                        .as(k + ": rows written, cold process = in the JVM")
                        .isEqualTo(num(r.get(k), "rows"));
            }
        }
        assertThat(num(r.get("ts-duckdb-batch" + Bench.COLD), "db_rows"))
                .as("the same tables, cold process = in the JVM")
                .isEqualTo(num(r.get("ts-duckdb-batch"), "db_rows"));
        // Streaming emits on ticks (rows written vary) but ends with one row per bucket, as batch does,
        // when nothing was late.
        Map<String, Object> streaming = r.get("ts-duckdb-streaming" + Bench.COLD);
        if (num(streaming, "late") == 0)
            assertThat(num(streaming, "db_rows"))
                    .as("streaming, cold: one row per bucket")
                    .isEqualTo(num(r.get("ts-duckdb-batch"), "db_rows"));
    }

    /**
     * chDB's rollups against eventagg's on the same files: every event counted once per granularity,
     * as many (environment, event, bucket) and (environment, bucket) groups as eventagg's series and
     * activity tables hold rows (whatever the unique-count function: buckets do not depend on it), in
     * the GROUP BY tables and in the views; the write floor inserts exactly the backfill's rows.
     */
    @SuppressWarnings("unchecked")
    private static void chdbAndWriteFloor(Map<String, Map<String, Object>> r, long events, Bench bench) {
        long buckets = num(r.get("ts-duckdb-batch"), "db_rows");
        for (String k : List.of("peer-chdb-hll", "peer-chdb-exact", "peer-chdb-mv")) {
            Map<String, Object> m = r.get(k);
            assertThat(num(m, "exit")).as(k + ": exit status").isZero();
            assertThat(num(m, "events")).as(k + ": every event loaded").isEqualTo(events);
            assertThat(num(m, "rows")).as(k + ": eventagg's buckets").isEqualTo(buckets);
            assertThat(((Number) m.get("process_seconds")).doubleValue()).isPositive();
            assertThat(((Number) m.get("process_cpu_seconds")).doubleValue()).isPositive();
        }
        assertThat(num(r.get("peer-chdb-exact"), "series_events"))
                .as("every event once per granularity")
                .isEqualTo(5 * events);
        assertThat(num(r.get("peer-chdb-mv"), "mv_events"))
                .as("the views counted every event")
                .isEqualTo(events);
        // The sparse dataset: its own events, chDB's buckets = the cold CLI run's rows in the tables.
        long sparseEvents = bench.sparse.events();
        assertThat(sparseEvents).isPositive().isNotEqualTo(events);
        assertThat(num(r.get(Bench.SPARSE + "ts-duckdb-batch" + Bench.COLD), "read"))
                .isEqualTo(sparseEvents);
        assertThat(num(r.get(Bench.SPARSE + "peer-chdb-exact"), "events")).isEqualTo(sparseEvents);
        assertThat(num(r.get(Bench.SPARSE + "peer-duckdb"), "events")).isEqualTo(sparseEvents);
        assertThat(num(r.get(Bench.SPARSE + "peer-chdb-hll"), "rows"))
                .as("sparse: chDB's buckets = eventagg's rows")
                .isEqualTo(num(r.get(Bench.SPARSE + "ts-duckdb-batch" + Bench.COLD), "db_rows"));
        assertThat(num(r.get(Bench.SPARSE + "backfill-ts" + Bench.COLD), "db_rows"))
                .isEqualTo(num(r.get(Bench.SPARSE + "ts-duckdb-batch" + Bench.COLD), "db_rows"));

        // The horizon rows: chDB's minute rollups over the same span hold exactly eventagg's buckets,
        // fewer than without the horizon, on both datasets.
        for (String pre : List.of("", Bench.SPARSE)) {
            Map<String, Object> cold = r.get(pre + "backfill-ts-horizon" + Bench.COLD);
            assertThat(num(cold, "exit"))
                    .as(pre + "horizon backfill, cold: exit status")
                    .isZero();
            assertThat(num(r.get(pre + "backfill-ts-horizon"), "read")).isEqualTo(num(cold, "read"));
            assertThat(num(r.get(pre + "peer-chdb-hll-horizon"), "rows"))
                    .as(pre + "horizon: chDB's buckets = eventagg's rows")
                    .isEqualTo(num(cold, "db_rows"))
                    .isLessThan(num(r.get(pre + "peer-chdb-hll"), "rows"));
            assertThat(num(r.get(pre + "backfill-ts-horizon"), "rows"))
                    .as(pre + "horizon: fewer rows than every minute")
                    .isLessThan(num(r.get(pre + "backfill-ts"), "rows"));
        }

        // The read path, on both databases: every endpoint answered, the load run without errors.
        for (String db : List.of("duckdb", "clickhouse")) {
            Map<String, Object> m = r.get("serve-" + db);
            assertThat(num(m, "events"))
                    .as(db + ": the full job's results of every event")
                    .isEqualTo(events);
            @SuppressWarnings("unchecked")
            Map<String, Object> endpoints = (Map<String, Object>) m.get("endpoints");
            assertThat(endpoints)
                    .as(db + ": every endpoint measured")
                    .hasSize(ServeBench.questions().size());
            @SuppressWarnings("unchecked")
            Map<String, Object> load = (Map<String, Object>) m.get("load");
            assertThat(num(load, "requests")).as(db + ": load run").isPositive();
            assertThat(num(load, "errors")).as(db + ": load run without errors").isZero();
        }

        Map<String, Object> floor = r.get("writefloor");
        assertThat(num(floor, "read")).isEqualTo(events);
        assertThat(num(floor, "rows"))
                .as("write floor: every exported row inserted")
                .isPositive()
                .isEqualTo(num(floor, "source_rows"))
                .isEqualTo(num(floor, "rows_in_tables"));
        Map<String, Object> tables = (Map<String, Object>) floor.get("tables");
        assertThat(num(tables, "ea_timeseries") + num(tables, "ea_activity"))
                .as("write floor: the backfill's series and activity rows, one per bucket")
                .isEqualTo(buckets);
        assertThat(num(floor, "backfill_rows")).isEqualTo(num(r.get("backfill-ts"), "rows"));
    }

    private static long num(Map<String, Object> m, String key) {
        assertThat(m).as("measurement").isNotNull().containsKey(key);
        return ((Number) m.get(key)).longValue();
    }
}
