package io.eventagg.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.testing.ClickHouseResults;
import io.eventagg.testing.ClickHouseServer;
import io.eventagg.testing.KafkaTopics;
import io.eventagg.testing.RefEvent;
import io.eventagg.testing.RefParser;
import io.eventagg.testing.RefTimeSeries;
import io.eventagg.testing.Shell;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * End to end, as a user runs it: ClickHouse, Kafka and the Flink session cluster started with the
 * make targets; a generated dataset produced with {@code make produce}; the job jar submitted with
 * {@code make submit} (user `eventagg` with a password from an environment variable); results
 * compared with the reference in ClickHouse; {@code make cancel}; everything this test started
 * stopped again, also on failure. Every step is bounded by a timeout.
 *
 * <p>Closed buckets: with a Kafka source the watermark only advances as events arrive, so the
 * buckets at the end of a finite dataset stay open. The test first compares the buckets that are
 * closed by the watermark the job reports in ea_progress (bucket end + allowed lateness <=
 * watermark); then it sends one "clock" event per partition, timestamped now, in an environment of
 * its own, which closes every bucket of the data, and compares all of them.
 */
@Timeout(900)
class StreamingJobIT {
    static final String PASSWORD = "eventagg-local-7c1e"; // the local server's `eventagg` user (scripts/clickhouse.sh)
    static final String PASSWORD_ENV = "EVENTAGG_E2E_CLICKHOUSE_PASSWORD";
    static final String CLOCK_ENV = "e2e-clock";
    static final int PARTITIONS = 3;
    static final String BOOTSTRAP = "127.0.0.1:19092";
    static final List<String> GRANULARITIES = List.of("minute", "hour", "day", "week", "month");

    static Path root;
    static Path work;
    static final List<String> started = new ArrayList<>();
    static final List<Shell.Result> outputs = new ArrayList<>();
    static ClickHouseServer.Database db;
    static String jobId;
    static String topic;

    @BeforeAll
    static void services() throws Exception {
        root = ClickHouseServer.projectRoot();
        work = root.resolve("target/e2e");
        Files.createDirectories(work);
        long t0 = System.nanoTime();
        for (String service : List.of("clickhouse", "kafka", "cluster")) {
            boolean running = sh("status-" + service, Duration.ofSeconds(60), "bash", script(service), "status")
                            .exitCode()
                    == 0;
            if (!running) {
                make(service + "-up", Duration.ofMinutes(10), service + "-up");
                started.add(service);
            }
        }
        System.out.printf("services up in %.1f s (started here: %s)%n", (System.nanoTime() - t0) / 1e9, started);
    }

    @AfterAll
    static void tearDown() throws Exception {
        List<Throwable> problems = new ArrayList<>();
        if (jobId != null) {
            Shell.attempt(
                    problems,
                    () -> sh(
                            "cancel-after",
                            Duration.ofSeconds(90),
                            "bash",
                            "scripts/flink-cluster.sh",
                            "cancel",
                            jobId));
        }
        Shell.attempt(problems, () -> {
            if (db != null) db.close();
            return null;
        });
        // Stop only what this test started, in reverse order.
        for (int i = started.size() - 1; i >= 0; i--) {
            String service = started.get(i);
            Shell.attempt(problems, () -> make(service + "-down", Duration.ofSeconds(120), service + "-down"));
        }
        if (!problems.isEmpty()) problems.forEach(Throwable::printStackTrace);
    }

    @Test
    void kafkaToClickHouseOnTheCluster() throws Exception {
        // A dataset, produced to a topic of this run's own.
        topic = "e2e_" + UUID.randomUUID().toString().substring(0, 8);
        Path data = work.resolve("events.jsonl.gz");
        sh(
                        "generate",
                        Duration.ofMinutes(2),
                        "java",
                        "-jar",
                        "target/eventagg-cli.jar",
                        "generate",
                        "--users",
                        "3000",
                        "--days",
                        "10",
                        "--seed",
                        "5",
                        "--out",
                        data.toString())
                .requireSuccess();
        make("topic", Duration.ofMinutes(2), "kafka-topic", "TOPIC=" + topic, "PARTITIONS=" + PARTITIONS)
                .requireSuccess();
        make("produce", Duration.ofMinutes(5), "produce", "INPUT=" + data, "TOPIC=" + topic)
                .requireSuccess();

        Path jobFile = work.resolve("e2e-job.yaml");
        Files.writeString(jobFile, """
                name: e2e
                timezone: UTC
                granularities: [minute, hour, day, week, month]
                breakdowns: [plan, country]
                breakdown_limit: 20
                watermark: {out_of_orderness: 30s, allowed_lateness: 1h, emit_interval: 2s, idleness: 5s}
                """);
        long lateness = Duration.ofHours(1).toMillis();

        // The job, as `make submit` runs it, into a database of its own, with a password.
        db = ClickHouseServer.createDatabase("test_e2e");
        long t0 = System.nanoTime();
        Shell.Result submit = make(
                "submit",
                Duration.ofMinutes(4),
                Map.of(PASSWORD_ENV, PASSWORD),
                "-o",
                "target/eventagg-job.jar",
                "-o",
                "target/eventagg-cli.jar",
                "submit",
                "JOB=" + jobFile,
                "TOPIC=" + topic,
                "STARTING_OFFSETS=earliest",
                "GROUP=e2e-" + topic,
                "SINK_URL=" + db.url(),
                "SINK_USER=eventagg",
                "SINK_PASSWORD_ENV=" + PASSWORD_ENV,
                "JOB_ARGS=--sink-property custom_http_params=default_format=TabSeparatedWithNamesAndTypes,database="
                        + db.name() + " --checkpoint-interval 5s");
        submit.requireSuccess();
        jobId = submit.lastLine();
        assertThat(jobId).matches("[0-9a-f]{32}");
        System.out.printf("submitted %s in %.1f s%n", jobId, (System.nanoTime() - t0) / 1e9);

        // The reference: the topic's records read back (partition, offset, value) and parsed independently.
        Map<String, RefEvent> events = new LinkedHashMap<>();
        Set<String> bad = new HashSet<>();
        int i = 0;
        for (ConsumerRecord<byte[], byte[]> r :
                new KafkaTopics(BOOTSTRAP, topic, PARTITIONS).readAll(Duration.ofMinutes(2))) {
            String line = new String(r.value(), StandardCharsets.UTF_8);
            RefEvent e = RefParser.parse(line, ++i, "production");
            if (e == null) bad.add(r.partition() + "/" + r.offset());
            else events.put(r.partition() + "/" + r.offset(), e);
        }
        assertThat(events.size() + bad.size()).isGreaterThan(10_000);

        // Phase 1: wait until the job has consumed everything (progress stops moving), compare closed buckets.
        long watermark = waitForStableProgress(Duration.ofMinutes(4), Duration.ofSeconds(12));
        System.out.printf(
                "progress stable at %s after %.1f s%n",
                Instant.ofEpochSecond(watermark), (System.nanoTime() - t0) / 1e9);
        Map<RefTimeSeries.Key, RefTimeSeries.Bucket> expected = expected(events);
        long wmMs = watermark * 1000;
        Predicate<RefTimeSeries.Key> closed = k -> bucketEnd(k) - 1 + lateness <= wmMs;
        int closedCount = (int) expected.keySet().stream().filter(closed).count();
        assertThat(closedCount).as("buckets closed by the watermark").isPositive();
        Map<RefTimeSeries.Key, Map<String, String>> actual =
                waitForFinal(expected.keySet().stream().filter(closed).toList(), Duration.ofMinutes(2));
        expected = expected(events); // late events may have arrived in the meantime
        int compared = ClickHouseResults.assertMatches(expected, actual, 20, closed);
        System.out.printf(
                "phase 1: %d of %d buckets closed by the watermark match the reference%n", compared, expected.size());

        // Phase 2: a clock event per partition closes every bucket of the data.
        long now = System.currentTimeMillis();
        new KafkaTopics(BOOTSTRAP, topic, PARTITIONS).sendClocks(now, CLOCK_ENV);
        long target = (now - Duration.ofSeconds(30).toMillis()) / 1000 - 1;
        waitUntil(Duration.ofMinutes(3), "progress reaches the clock", () -> progress() >= target);
        expected = expected(events);
        Predicate<RefTimeSeries.Key> ofData = k -> !k.environment().equals(CLOCK_ENV);
        actual = waitForFinal(expected.keySet(), Duration.ofMinutes(3));
        compared = ClickHouseResults.assertMatches(expected, actual, 20, k -> true);
        ClickHouseResults.assertNoExtraRows(expected.keySet(), actual.keySet(), ofData);
        System.out.printf(
                "phase 2: all %d buckets match the reference (%.1f s after submission)%n",
                compared, (System.nanoTime() - t0) / 1e9);

        assertThat(db.count("SELECT count() FROM ea_dead_letters FINAL")).isEqualTo(bad.size());

        // Cancel through make; the job must end CANCELED.
        make("cancel", Duration.ofMinutes(2), "cancel", "JOBID=" + jobId).requireSuccess();
        assertThat(sh("state", Duration.ofSeconds(30), "bash", "scripts/flink-cluster.sh", "job-state", jobId)
                        .stdout()
                        .strip())
                .isEqualTo("CANCELED");
        jobId = null;

        // The password never appears in output or logs.
        List<Path> logs = new ArrayList<>();
        try (Stream<Path> s = Stream.concat(Files.walk(root.resolve(".run/flink/log")), Files.walk(work))) {
            s.filter(Files::isRegularFile).forEach(logs::add);
        }
        assertThat(logs).isNotEmpty();
        for (Path p : logs) {
            assertThat(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1))
                    .as("password in " + p)
                    .doesNotContain(PASSWORD);
        }
        for (Shell.Result r : outputs) {
            assertThat(r.stdout() + r.stderr())
                    .as("password in the output of " + r.command())
                    .doesNotContain(PASSWORD);
        }
        assertThat(submit.stdout() + submit.stderr()).contains("as eventagg");
    }

    /** The reference over the valid events minus those the job found late (from ea_late_events). */
    static Map<RefTimeSeries.Key, RefTimeSeries.Bucket> expected(Map<String, RefEvent> events) throws Exception {
        Set<String> late = new HashSet<>();
        for (Map<String, String> r : db.query("SELECT src_partition, src_offset FROM ea_late_events FINAL")) {
            late.add(r.get("src_partition") + "/" + r.get("src_offset"));
        }
        List<RefEvent> onTime = new ArrayList<>();
        events.forEach((pos, e) -> {
            if (!late.contains(pos)) onTime.add(e);
        });
        return RefTimeSeries.compute(onTime, ZoneOffset.UTC, GRANULARITIES, List.of("plan", "country"));
    }

    static long bucketEnd(RefTimeSeries.Key k) {
        ZonedDateTime s = Instant.ofEpochMilli(k.bucketStart()).atZone(ZoneOffset.UTC);
        ZonedDateTime end = switch (k.granularity()) {
            case "minute" -> s.plusMinutes(1);
            case "hour" -> s.plusHours(1);
            case "day" -> s.plusDays(1);
            case "week" -> s.plusWeeks(1);
            case "month" -> s.plusMonths(1);
            default -> throw new IllegalArgumentException(k.granularity());
        };
        return end.toInstant().toEpochMilli();
    }

    /** The job's progress watermark in seconds (0 before the first progress row). */
    static long progress() throws Exception {
        List<Map<String, String>> p =
                db.query("SELECT toInt64(toUnixTimestamp(watermark)) AS s FROM ea_progress FINAL WHERE job = 'e2e'");
        return p.isEmpty() ? 0 : Long.parseLong(p.get(0).get("s"));
    }

    static long waitForStableProgress(Duration timeout, Duration stableFor) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = -1, since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long p = progress();
            if (p != last) {
                last = p;
                since = System.nanoTime();
            } else if (p > 0 && System.nanoTime() - since >= stableFor.toNanos()) {
                return p;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("the job's progress did not settle within " + timeout + " (last " + last + ")");
    }

    /** Waits until every key has a final row; returns all rows. */
    static Map<RefTimeSeries.Key, Map<String, String>> waitForFinal(
            Collection<RefTimeSeries.Key> keys, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<RefTimeSeries.Key, Map<String, String>> rows = ClickHouseResults.timeSeries(db, "e2e");
            long missing = keys.stream()
                    .filter(k -> rows.get(k) == null || !"1".equals(rows.get(k).get("is_final")))
                    .count();
            if (missing == 0) return rows;
            if (System.nanoTime() > deadline) {
                throw new AssertionError(missing + " of " + keys.size() + " expected buckets have no final row after "
                        + timeout + ", e.g. "
                        + keys.stream()
                                .filter(k -> rows.get(k) == null
                                        || !"1".equals(rows.get(k).get("is_final")))
                                .limit(3)
                                .toList());
            }
            Thread.sleep(1000);
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void waitUntil(Duration timeout, String what, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline)
                throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            Thread.sleep(1000);
        }
    }

    static String script(String service) {
        return "scripts/" + (service.equals("cluster") ? "flink-cluster" : service) + ".sh";
    }

    static Shell.Result make(String name, Duration timeout, String... args) throws IOException, InterruptedException {
        return make(name, timeout, Map.of(), args);
    }

    static Shell.Result make(String name, Duration timeout, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("make", "--no-print-directory"));
        cmd.addAll(List.of(args));
        Shell.Result r = Shell.run(root, env, timeout, work, "make-" + name, cmd);
        outputs.add(r);
        if (name.endsWith("-up")) r.requireSuccess();
        return r;
    }

    static Shell.Result sh(String name, Duration timeout, String... cmd) throws IOException, InterruptedException {
        Shell.Result r = Shell.run(root, Map.of(), timeout, work, name, List.of(cmd));
        outputs.add(r);
        return r;
    }
}
