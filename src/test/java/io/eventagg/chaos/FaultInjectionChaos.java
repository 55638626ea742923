package io.eventagg.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventagg.config.Durations;
import io.eventagg.generate.EventGenerator;
import io.eventagg.sink.TableSpec;
import io.eventagg.sink.Tables;
import io.eventagg.testing.ClickHouseHttp;
import io.eventagg.testing.ClickHouseResults;
import io.eventagg.testing.ClickHouseServer;
import io.eventagg.testing.KafkaTopics;
import io.eventagg.testing.RefEvent;
import io.eventagg.testing.RefParser;
import io.eventagg.testing.RefTimeSeries;
import io.eventagg.testing.SameTables;
import io.eventagg.testing.Shell;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fault injection on the real components ({@code make chaos}; not part of {@code make test}): a
 * standalone Flink cluster, a Kafka broker and a ClickHouse server of this test's own (own ports
 * and directories under {@code .run/chaos/}, so other tests can use the default ones meanwhile).
 *
 * <p>The cluster has two TaskManagers with one slot each and the job runs at parallelism 2, so it
 * spans both; its state backend is {@code STATE_BACKEND} (hashmap by default, rocksdb, forst: the
 * cluster's conf/flink/state-*.yaml), which the test checks in the job's checkpoint configuration
 * (REST {@code /jobs/<id>/checkpoints/config}).
 *
 * <p>One long run: the streaming job jar consumes a generated dataset (over 500k records, 1 %
 * malformed) that a producer sends to Kafka at a steady rate, while, at random moments (seeded,
 * the seed is printed; {@code CHAOS_SEED} repeats a run):
 *
 * <ol>
 *   <li>the Kafka broker is stopped and started again;
 *   <li>one of the two TaskManagers (a seeded choice) is killed with SIGKILL while the other keeps
 *       running, and started again, three times, while the producer sends (at least one kill must
 *       happen while records arrive). The other one may exit by itself of a known Flink 2.2.1 race
 *       (a network buffer recycled during task cleanup rethrows the lost connection's error, which
 *       the Task takes as fatal): if its log shows exactly that, it is started again, as a
 *       supervisor would, and counted; any other exit fails the run;
 *   <li>ClickHouse is stopped for 60 s and started again (between the first and the second kill;
 *       the job fails and restarts per its restart strategy until the database is back);
 *   <li>the job is stopped with a savepoint and a rebuilt jar (the same classes in a jar with
 *       different content, so the cluster takes it as a new artifact) resumes from it.
 * </ol>
 *
 * Then one "clock" event per partition (environment {@value #CLOCK_ENV}) closes every bucket of
 * the data. The job writes with a password read from a file (user {@code eventagg}).
 *
 * <p>The check: an undisturbed run of the same records with the same job file -- the CLI jar on a
 * local Flink MiniCluster, a JVM of its own that no fault touches, reading the same topic into a
 * database on a second ClickHouse server (which the outage does not stop). It starts right after
 * the broker restart (the one fault that would reach it) and runs alongside the others, which
 * keeps the whole run short. The final content (FINAL) of every result table must be equal, row
 * for row and column for column, except {@code version} (replays may write different versions of
 * the same value) and the HLL sketch bytes (whose serialized form depends on merge order; the
 * unique counts estimated from them are compared: exactly up to 1,000, within 1 % above). The
 * time series are also compared with the independent reference implementation, the dead letters
 * with the reference parser's bad records.
 *
 * <p>No event is late by design: the producer sends in file order (time order plus the generator's
 * arrival delays of at most a few hours) and the job file allows 1 day of lateness, so the late
 * table must be empty in both runs (which events are late otherwise depends on watermark timing,
 * which differs between a disturbed and an undisturbed run).
 *
 * <p>Finally every log and output of the run is scanned for the password.
 */
// No @Timeout here: scripts/chaos.sh sets JUnit's default timeout from CHAOS_TIMEOUT (a minute
// less, so the report is still written) and bounds the whole run with it.
class FaultInjectionChaos {
    static final String TOPIC = "chaos";
    static final int PARTITIONS = 4;
    static final String JOB_NAME = "chaos";
    static final String CLOCK_ENV = "chaos-clock";
    /** The chaos ClickHouse's `eventagg` user (scripts/clickhouse.sh writes it into users.xml). */
    static final String PASSWORD = "eventagg-local-7c1e";

    static final List<String> GRANULARITIES = List.of("minute", "hour", "day", "week", "month");
    static final int BREAKDOWN_LIMIT = 20;

    // Ports and directories of this test's own services; scripts/chaos.sh exports the same.
    static final int CH_HTTP = intEnv("CLICKHOUSE_HTTP", 28123);
    static final int CH_TCP = intEnv("CLICKHOUSE_TCP", 29000);
    /** A second ClickHouse server for the undisturbed run, which the outage of the first must not touch. */
    static final int CH_REF_HTTP = intEnv("CLICKHOUSE_REF_HTTP", 28124);

    static final int CH_REF_TCP = intEnv("CLICKHOUSE_REF_TCP", 29001);
    static final int KAFKA_PORT = intEnv("KAFKA_PORT", 29092);
    static final String BOOTSTRAP = "127.0.0.1:" + KAFKA_PORT;
    static final String FLINK_REST = "127.0.0.1:" + intEnv("CHAOS_FLINK_REST_PORT", 28081);
    /** The cluster's TaskManagers (one slot each) and the job's parallelism, which spans them. */
    static final int TASKMANAGERS = 2;

    static final int PARALLELISM = 2;
    /** The cluster's state backend (conf/flink/state-<backend>.yaml): hashmap, rocksdb or forst. */
    static final String STATE_BACKEND =
            System.getenv().getOrDefault("STATE_BACKEND", "hashmap").strip();

    static final Map<String, String> ENV = Map.ofEntries(
            Map.entry("CLICKHOUSE_DIR", ".run/chaos/clickhouse"),
            Map.entry("CLICKHOUSE_HTTP", "" + CH_HTTP),
            Map.entry("CLICKHOUSE_TCP", "" + CH_TCP),
            Map.entry("KAFKA_DIR", ".run/chaos/kafka"),
            Map.entry("KAFKA_PORT", "" + KAFKA_PORT),
            Map.entry("KAFKA_CONTROLLER_PORT", "" + intEnv("KAFKA_CONTROLLER_PORT", 29093)),
            Map.entry("KAFKA_BOOTSTRAP", BOOTSTRAP),
            Map.entry("TOPIC", TOPIC),
            Map.entry("PARTITIONS", "" + PARTITIONS),
            Map.entry("FLINK_DIR", ".run/chaos/flink"),
            Map.entry("FLINK_REST", FLINK_REST),
            Map.entry("FLINK_RPC_PORT", "" + intEnv("FLINK_RPC_PORT", 26123)),
            Map.entry("FLINK_BLOB_PORT", "" + intEnv("FLINK_BLOB_PORT", 26124)),
            Map.entry("FLINK_TM_RPC_PORT", "" + intEnv("FLINK_TM_RPC_PORT", 26125)),
            Map.entry("STATE_BACKEND", STATE_BACKEND),
            Map.entry("FLINK_TASKMANAGERS", "" + TASKMANAGERS),
            Map.entry("FLINK_TM_SLOTS", "1"));

    static final int USERS = intEnv("CHAOS_USERS", 50_000);
    static final int DAYS = intEnv("CHAOS_DAYS", 42);
    static final int PRODUCE_SECONDS = intEnv("CHAOS_PRODUCE_SECONDS", 300);
    static final int OUTAGE_SECONDS = intEnv("CHAOS_OUTAGE_SECONDS", 60);
    /**
     * The broker restarts right after the ClickHouse outage, while the job catches up on the
     * backlog, and stays away longer than the idleness (below): before the fixes in docs/operations.md, "Late
     * data", this setting made on-time events late and lost others. CHAOS_BROKER_DURING_CATCHUP=0
     * restarts it first instead, before there is a backlog.
     */
    static final boolean BROKER_DURING_CATCHUP = !"0".equals(System.getenv("CHAOS_BROKER_DURING_CATCHUP"));
    /** The job's watermark.idleness (CHAOS_IDLENESS): 30 s, shorter than the broker's outage. */
    static final String IDLENESS = System.getenv().getOrDefault("CHAOS_IDLENESS", "30s");

    static final long SEED =
            System.getenv("CHAOS_SEED") != null ? Long.parseLong(System.getenv("CHAOS_SEED")) : System.nanoTime();

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final ClickHouseHttp CH = new ClickHouseHttp(CH_HTTP);
    static final ClickHouseHttp CH_REF = new ClickHouseHttp(CH_REF_HTTP);
    /** The services of the run, each started and stopped with its script (clickhouse-ref: a second clickhouse.sh server). */
    static final List<String> SERVICES = List.of("clickhouse", "clickhouse-ref", "kafka", "flink-cluster");

    static Path root;
    static Path work;
    static final List<String> started = new ArrayList<>();
    static final List<Shell.Result> outputs = new ArrayList<>();
    static final List<String> report = new ArrayList<>();
    static volatile String jobId;
    static volatile Process reference;
    static long t0;
    static List<byte[]> records;
    static Producer producer;

    static int intEnv(String name, int dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : Integer.parseInt(v.trim());
    }

    // ------------------------------------------------------------------------------------------
    // services

    @BeforeAll
    static void services() throws Exception {
        t0 = System.nanoTime();
        root = ClickHouseServer.projectRoot();
        work = root.resolve("target/chaos");
        deleteTree(work);
        Files.createDirectories(work);
        Files.writeString(root.resolve(RACE_FILE), "0\n");
        Files.writeString(root.resolve(UNREGISTERED_FILE), "0\n");
        assertThat(root.resolve("target/eventagg-job.jar"))
                .as("the job jar (make package)")
                .exists();
        // A fresh start: whatever an earlier run left behind is stopped and its state deleted.
        for (String s : SERVICES) service(s, "down", "stale-down-" + s);
        deleteTree(root.resolve(".run/chaos"));
        Files.createDirectories(root.resolve(".run/chaos"));
        // scripts/chaos.sh kills this JVM (and the reference run) if it outlives a timeout.
        Files.writeString(
                root.resolve(".run/chaos/test.pid"), ProcessHandle.current().pid() + "\n");
        // The three services start at the same time (the broker and the cluster take 10-30 s each),
        // unless the broker's and the cluster's jars are still to be resolved by Maven (a fresh
        // clone): two Maven processes should not fill the local repository at the same time.
        started.addAll(SERVICES);
        boolean resolved = Files.exists(root.resolve(".run/lib/kafka/.resolved"))
                && Files.exists(root.resolve(".run/lib/flink/.resolved"));
        List<Thread> starting = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (String s : SERVICES) {
            Thread th = new Thread(
                    () -> Shell.attempt(
                            failures, () -> service(s, "up", s + "-up").requireSuccess()),
                    s + "-up");
            th.start();
            if (resolved) starting.add(th);
            else th.join();
        }
        for (Thread th : starting) th.join();
        if (!failures.isEmpty()) throw new AssertionError("a service did not start", failures.get(0));
        note(
                "services up (ClickHouse :%d and :%d, Kafka :%d, Flink %s: %d TaskManagers, state backend %s)",
                CH_HTTP, CH_REF_HTTP, KAFKA_PORT, FLINK_REST, TASKMANAGERS, STATE_BACKEND);
    }

    @AfterAll
    static void tearDown() throws Exception {
        List<Throwable> problems = new ArrayList<>();
        if (jobId != null) Shell.attempt(problems, () -> flink("cancel-after", Duration.ofMinutes(2), "cancel", jobId));
        if (reference != null) {
            reference.destroyForcibly();
            reference.waitFor(10, TimeUnit.SECONDS);
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            String s = started.get(i);
            Shell.attempt(problems, () -> service(s, "down", s + "-down"));
        }
        problems.forEach(Throwable::printStackTrace);
        Files.write(work.resolve("report.txt"), report, StandardCharsets.UTF_8);
        System.out.println("\n==== chaos report (target/chaos/report.txt)\n" + String.join("\n", report));
    }

    // ------------------------------------------------------------------------------------------
    // the run

    @Test
    void crashesOutagesAndAnUpgradeLoseNothing() throws Exception {
        Random random = new Random(SEED);
        note("seed %d (CHAOS_SEED=%d repeats the fault moments)", SEED, SEED);

        // The dataset, in memory as the producer will send it.
        StringWriter w = new StringWriter();
        EventGenerator.Stats stats =
                new EventGenerator(USERS, DAYS, 17, Instant.parse("2024-01-01T00:00:00Z"), 0.01).write(w);
        records = new ArrayList<>();
        w.toString().lines().filter(l -> !l.isBlank()).forEach(l -> records.add(l.getBytes(StandardCharsets.UTF_8)));
        w = null;
        assertThat(records.size()).as("records").isGreaterThanOrEqualTo(500_000);
        note(
                "dataset: %,d records (%,d events, %,d malformed) from %,d users over %d days",
                records.size(), stats.events(), stats.malformed(), USERS, DAYS);

        // Connection: a database of its own, user `eventagg`, password from a file.
        Path passwordFile = work.resolve("clickhouse.password");
        Files.writeString(passwordFile, PASSWORD + "\n");
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
        CH.execute(null, "CREATE DATABASE IF NOT EXISTS chaos");
        CH_REF.execute(null, "CREATE DATABASE IF NOT EXISTS chaos_ref");
        Path profile = profile("chaos", CH_HTTP, passwordFile);
        Path refProfile = profile("chaos_ref", CH_REF_HTTP, passwordFile);
        Path jobFile = work.resolve("chaos-job.yaml");
        Files.writeString(jobFile, chaosJob());

        // The job, as on a real cluster: detached, the restart strategy of conf/job/streaming.yaml
        // but squeezed into the few minutes of this run: checkpoints every 5 s (each fault waits for
        // one), a maximum back-off of 4 s (instead of minutes of waiting between attempts) and more
        // attempts before the job fails for good (six faults within minutes restart it 10-20 times).
        Path jar = root.resolve("target/eventagg-job.jar");
        List<String> jobArgs = List.of(
                "--job",
                jobFile.toString(),
                "--kafka-bootstrap",
                BOOTSTRAP,
                "--topic",
                TOPIC,
                "--group-id",
                "chaos",
                "--starting-offsets",
                "earliest",
                "--profile",
                profile.toString(),
                "--flink-conf",
                "conf/job/streaming.yaml",
                "--checkpoint-interval",
                "5s",
                "-D",
                "execution.checkpointing.min-pause=2s",
                "-D",
                "restart-strategy.exponential-delay.max-backoff=4s",
                "-D",
                "restart-strategy.exponential-delay.attempts-before-reset-backoff=100");
        jobId = submit("submit-v1", jar, null, jobArgs);
        waitRunning("the job runs", Duration.ofMinutes(3));
        note("job %s running (jar v1) on %s", jobId, assertClusterShape(jobId));

        // The producer: steady rate in file order, partition = index % 4; the last 3 % only after
        // the last fault, so the upgraded job consumes new records too.
        CountDownLatch faultsDone = new CountDownLatch(1);
        producer = new Producer(records, (long) (records.size() * 0.97), faultsDone);
        Thread producing = new Thread(producer, "chaos-producer");
        producing.setDaemon(true);
        producing.start();

        // The faults, at random moments. The broker restart comes before the undisturbed run (a
        // local Flink MiniCluster of its own reading the same topic into a database on a second
        // ClickHouse server) starts after it and runs alongside the other faults, which cannot
        // touch it. (By default during the catch-up after the ClickHouse outage; see BROKER_DURING_CATCHUP.)
        try {
            pause(random, 3, 10);
            if (!BROKER_DURING_CATCHUP) {
                restartBroker(random);
                startReference(jobFile, refProfile);
                pause(random, 2, 6);
            }
            killTaskManager(1, random);
            pause(random, 2, 6);
            clickHouseOutage();
            pause(random, 2, 6);
            if (BROKER_DURING_CATCHUP) {
                restartBroker(random);
                startReference(jobFile, refProfile);
                pause(random, 2, 6);
            }
            killTaskManager(2, random);
            pause(random, 2, 6);
            killTaskManager(3, random);
            pause(random, 2, 6);
            upgradeWithSavepoint(jobArgs);
        } finally {
            faultsDone.countDown();
        }
        assertThat(killsWhileProducing)
                .as("TaskManager kills while the producer was sending")
                .isPositive();
        if (survivorRaceRestarts > 0)
            note(
                    "KNOWN FLINK 2.2.1 RACE: the surviving TaskManager exited and was started again during %d of 3 kills"
                            + " (the job recovered each time; the table comparison below shows nothing was lost)",
                    survivorRaceRestarts);
        producing.join(TimeUnit.MINUTES.toMillis(5));
        assertThat(producing.isAlive()).as("the producer finished").isFalse();
        if (producer.failure.get() != null) throw new AssertionError("producing failed", producer.failure.get());
        note(
                "produced %,d records (%,d at %.0f/s during the faults, the rest after them)",
                producer.sent.get(), producer.holdBackFrom, producer.rate);

        // Every record is in the topic (the producer has flushed): the clock events follow at once,
        // and the topic up to them (the input of both runs) is read back while the jobs finish.
        KafkaTopics kafka = new KafkaTopics(BOOTSTRAP, TOPIC, PARTITIONS);
        Map<TopicPartition, Long> dataEnd = kafka.endOffsets();
        Thread.sleep(50);
        long clock = System.currentTimeMillis();
        kafka.sendClocks(clock, CLOCK_ENV);
        List<ConsumerRecord<byte[], byte[]>> topic = kafka.read(dataEnd, Duration.ofMinutes(3));
        assertThat(topic).as("the topic holds every record once").hasSize(records.size());

        Map<String, RefEvent> valid = new LinkedHashMap<>();
        Map<String, byte[]> bad = new LinkedHashMap<>();
        int line = 0;
        for (ConsumerRecord<byte[], byte[]> r : topic) {
            RefEvent e = RefParser.parse(new String(r.value(), StandardCharsets.UTF_8), ++line, "production");
            if (e == null) bad.put(r.partition() + "/" + r.offset(), r.value());
            else valid.put(r.partition() + "/" + r.offset(), e);
        }
        topic = null;
        Map<RefTimeSeries.Key, RefTimeSeries.Bucket> expected = RefTimeSeries.compute(
                new ArrayList<>(valid.values()), ZoneOffset.UTC, GRANULARITIES, List.of("plan", "country"));

        // Both runs finish the data: progress reaches the clock, every row is final.
        long target = (clock - 30_000) / 1000 - 1;
        for (String db : List.of("chaos", "chaos_ref")) {
            waitUntil(Duration.ofMinutes(5), db + ": the job's progress reaches the clock events", () -> {
                assertReferenceAlive();
                return progress(db) >= target;
            });
            // The progress row is written when the watermark reaches the progress operator; the
            // funnel and retention operators fire their closing timers (all users' attempts) after
            // it, which under back-pressure on a busy machine took more than 2 minutes.
            waitUntil(
                    Duration.ofMinutes(5),
                    db + ": every row of the data is final",
                    () -> allFinal(db, expected.keySet()));
            note(
                    "%s: the %s run has consumed everything and closed every bucket",
                    db, db.equals("chaos") ? "disturbed" : "undisturbed");
        }
        long restarts = numRestarts(jobId);
        flink("cancel", Duration.ofMinutes(2), "cancel", jobId).requireSuccess();
        note("job %s cancelled (%d restarts since the upgrade)", jobId, restarts);
        jobId = null;
        stopReference();

        // 1. Both runs: nothing late, every record accounted for.
        for (String db : List.of("chaos", "chaos_ref")) {
            assertThat(server(db).count(db, "SELECT count() FROM ea_late_events FINAL"))
                    .as("late events in " + db)
                    .isZero();
            assertThat(server(db)
                            .count(
                                    db,
                                    "SELECT sum(event_count) FROM ea_activity FINAL WHERE job = 'chaos' AND granularity = 'day'"
                                            + " AND environment != '" + CLOCK_ENV + "'"))
                    .as("events counted in " + db)
                    .isEqualTo(valid.size());
            assertThat(server(db).count(db, "SELECT count() FROM ea_dead_letters FINAL"))
                    .as("dead letters in " + db)
                    .isEqualTo(bad.size());
        }
        // 2. The disturbed run equals the undisturbed one, table by table.
        for (TableSpec t : List.of(
                Tables.TIMESERIES,
                Tables.ACTIVITY,
                Tables.FUNNELS,
                Tables.RETENTION_COHORTS,
                Tables.RETENTION_PERIODS,
                Tables.DEAD_LETTERS,
                Tables.LATE_EVENTS)) {
            int n = assertSameTable(t);
            note("%-22s %,9d rows equal to the undisturbed run", t.name(), n);
        }
        // 3. The time series also equal the independent reference; the dead letters are the bad records.
        int compared = ClickHouseResults.assertMatches(expected, timeSeries("chaos"), BREAKDOWN_LIMIT, k -> true);
        note("time series: %,d buckets equal the reference implementation", compared);
        for (Map<String, String> r : CH.query(
                "chaos", "SELECT src_partition, src_offset, reason, raw, raw_bytes FROM ea_dead_letters FINAL")) {
            byte[] raw = bad.get(r.get("src_partition") + "/" + r.get("src_offset"));
            assertThat(raw).as("a dead letter is a bad record: " + r).isNotNull();
            assertThat(r.get("reason")).isNotBlank();
            assertThat(Long.parseLong(r.get("raw_bytes"))).isEqualTo(raw.length);
        }
        note("dead letters: the %,d bad records, each with a reason", bad.size());

        // 4. The password is nowhere in the logs and outputs of the run.
        int scanned = assertPasswordNowhere();
        note("password: absent from %d log and output files", scanned);
        note(
                "total %.0f s; surviving TaskManager restarted after the known Flink race: %d of 3 kills",
                (System.nanoTime() - t0) / 1e9, survivorRaceRestarts);
    }

    /**
     * The example job (jobs/example.yaml: time series, funnels, retention) under the name
     * {@value #JOB_NAME}, with a breakdown limit of {@value #BREAKDOWN_LIMIT}, an allowed lateness
     * (1 day) longer than any arrival delay in the generated data, so no event is late, and an
     * idleness of {@link #IDLENESS}.
     */
    static String chaosJob() throws IOException {
        String job = Files.readString(root.resolve("jobs/example.yaml"))
                .replaceFirst("(?m)^name: example\\b", "name: " + JOB_NAME)
                .replaceFirst("(?m)^breakdown_limit: \\d+", "breakdown_limit: " + BREAKDOWN_LIMIT)
                .replaceFirst(
                        "(?m)^watermark: \\{[^}]*\\}",
                        "watermark: {out_of_orderness: 30s, allowed_lateness: 1d, emit_interval: 5s, idleness: "
                                + IDLENESS + "}");
        assertThat(job)
                .contains(
                        "name: " + JOB_NAME,
                        "breakdown_limit: " + BREAKDOWN_LIMIT,
                        "allowed_lateness: 1d",
                        "funnels:",
                        "retention:");
        return job;
    }

    static Path profile(String database, int httpPort, Path passwordFile) throws IOException {
        Path p = work.resolve("profile-" + database + ".yaml");
        Files.writeString(p, """
                url: jdbc:clickhouse://127.0.0.1:%d/%s
                user: eventagg
                password_file: %s
                properties:
                  clickhouse.jdbc.v1: "true"
                  compress: "false"
                  server_version: "21.8"
                  server_time_zone: UTC
                  format: TabSeparatedWithNamesAndTypes
                  custom_http_params: "default_format=TabSeparatedWithNamesAndTypes,database=%s"
                batch_size: 20000
                batch_interval: 2s
                max_retries: 3
                """.formatted(httpPort, database, passwordFile, database));
        return p;
    }

    // ------------------------------------------------------------------------------------------
    // faults

    static void pause(Random random, int minSeconds, int maxSeconds) throws InterruptedException {
        Thread.sleep(TimeUnit.SECONDS.toMillis(minSeconds)
                + (long) (random.nextDouble() * (maxSeconds - minSeconds) * 1000));
    }

    /** TaskManager kills during which the producer sent records (it sends until the last fault). */
    static int killsWhileProducing;

    /**
     * How often the surviving TaskManager exited during a kill of the other one because of the
     * known Flink 2.2.1 race (see {@link FlinkRecycleRace}) and was started again, as a supervisor
     * would. scripts/chaos.sh prints it in its last line (from {@value #RACE_FILE}).
     */
    static int survivorRaceRestarts;

    static final String RACE_FILE = "target/chaos/survivor-restarts";

    /**
     * Kills one of the two TaskManagers (seeded choice) with SIGKILL, checks that the other one keeps
     * running and stays registered, starts the killed one again and waits until the job runs (its
     * subtasks on the running TaskManagers, none on the killed one), reads and checkpoints again.
     *
     * <p>The other TaskManager may exit on its own meanwhile because of a Flink 2.2.1 race (see
     * {@link FlinkRecycleRace}); if its log shows exactly that, it is started again like a supervisor
     * (Kubernetes, systemd) would, counted and reported, and the run goes on: the final comparison of
     * every table still proves that nothing was lost. Any other exit fails the run.
     */
    static void killTaskManager(int n, Random random) throws Exception {
        int victim = 1 + random.nextInt(TASKMANAGERS);
        long restarts = numRestarts(jobId);
        long base = committed();
        long sentBefore = producer.sent.get();
        long t = System.nanoTime();
        Map<Integer, String[]> before = taskManagers();
        Survivors survivors = new Survivors(n, victim, before.get(victim)[2]);
        for (int i = 1; i <= TASKMANAGERS; i++) {
            assertThat(before.get(i)[1])
                    .as("TaskManager " + i + " runs before kill " + n)
                    .isNotEqualTo("-");
            if (i != victim) survivors.watch(i, before.get(i)[1]);
        }
        flink("kill-tm-" + n, Duration.ofMinutes(1), "kill-tm", "" + victim).requireSuccess();
        Map<Integer, String[]> after = taskManagers();
        assertThat(after.get(victim)[1])
                .as("TaskManager " + victim + " after the kill")
                .isEqualTo("-");
        survivors.check("right after the kill");
        List<String> registered = registeredTaskManagers();
        for (int i : survivors.unrestarted()) {
            String rid = after.get(i)[2];
            if (!registered.contains(rid)) survivors.check("TaskManager " + i + " is not registered");
            if (survivors.unrestarted().contains(i))
                assertThat(registered)
                        .as("TaskManager " + i + " stays registered")
                        .contains(rid);
        }
        Thread.sleep((long) (random.nextDouble() * 1000));
        survivors.check("before the killed one starts again");
        startTaskManager(victim, "start-tm-" + n);
        waitUntil(Duration.ofMinutes(2), "the job restarts after TaskManager kill " + n, () -> {
            survivors.check("while the job restarts");
            return numRestarts(jobId) > restarts;
        });
        waitUntil(Duration.ofMinutes(5), "the job and all its tasks run again after TaskManager kill " + n, () -> {
            survivors.check("while the job recovers");
            return tasksRunning(jobId);
        });
        Set<String> live = new TreeSet<>();
        for (String[] tm : taskManagers().values()) if (!tm[1].equals("-")) live.add(tm[2]);
        assertThat(subtaskTaskManagers(jobId))
                .as("TaskManagers of the job's subtasks after kill " + n + " (killed: " + survivors.victimId + ")")
                .doesNotContain(survivors.victimId)
                .isSubsetOf(live)
                .hasSize(TASKMANAGERS);
        waitCommittedBeyond(base, "after TaskManager kill " + n, () -> survivors.check("while the job catches up"));
        long sentDuring = producer.sent.get() - sentBefore;
        if (sentDuring > 0 && sentBefore < producer.holdBackFrom) killsWhileProducing++;
        note(
                "fault: TaskManager %d of %d kill -9 #%d (%s; %,d records produced meanwhile) -> restarted, reading"
                        + " and checkpointing again after %.0f s (restarts %d -> %d)",
                victim,
                TASKMANAGERS,
                n,
                survivors.restarted.isEmpty()
                        ? "the other kept running"
                        : "the other exited of the known Flink race and was started again",
                sentDuring,
                (System.nanoTime() - t) / 1e9,
                restarts,
                numRestarts(jobId));
    }

    /**
     * The TaskManagers that are not killed during one kill: their pids and how far their logs went
     * before the kill. {@link #check} finds one that has exited and, if its log shows the known Flink
     * race, starts it again (as a supervisor would); otherwise it fails the run.
     */
    static final class Survivors {
        final int kill;
        final int victim;
        final String victimId;
        final Map<Integer, String> pids = new LinkedHashMap<>();
        final Map<Integer, Long> logOffsets = new HashMap<>();
        final Set<Integer> restarted = new TreeSet<>();

        Survivors(int kill, int victim, String victimId) {
            this.kill = kill;
            this.victim = victim;
            this.victimId = victimId;
        }

        void watch(int tm, String pid) throws IOException {
            pids.put(tm, pid);
            Path log = taskManagerLog(tm);
            logOffsets.put(tm, Files.exists(log) ? Files.size(log) : 0L);
        }

        List<Integer> unrestarted() {
            return pids.keySet().stream().filter(i -> !restarted.contains(i)).toList();
        }

        void check(String when) throws Exception {
            Map<Integer, String[]> now = taskManagers();
            for (Map.Entry<Integer, String> e : pids.entrySet()) {
                int i = e.getKey();
                String pid = now.get(i)[1];
                if (pid.equals(e.getValue())) continue;
                assertThat(pid)
                        .as("TaskManager %d: another process (pid %s) than before (pid %s)", i, pid, e.getValue())
                        .isEqualTo("-");
                Path log = taskManagerLog(i);
                String race = flinkRecycleRace(log, logOffsets.get(i), victimId);
                if (race == null) {
                    throw new AssertionError(
                            "TaskManager " + i + " (pid " + e.getValue() + ") exited after TaskManager "
                                    + victim + " was killed (kill " + kill + "; noticed " + when
                                    + "), and its log does not show the known Flink race; the end of "
                                    + root.relativize(log) + ":\n" + tail(log, 80));
                }
                survivorRaceRestarts++;
                Files.writeString(root.resolve(RACE_FILE), survivorRaceRestarts + "\n");
                String banner = "!".repeat(100);
                System.out.println(banner);
                note(
                        "KNOWN FLINK 2.2.1 RACE: the surviving TaskManager %d (pid %s) exited after TaskManager %d"
                                + " was killed (kill %d; noticed %s): %s -- starting it again as a supervisor would"
                                + " (docs/operations.md, \"Known Flink behaviour\")",
                        i, e.getValue(), victim, kill, when, race);
                System.out.println(banner);
                startTaskManager(i, "start-tm-" + i + "-after-race-" + kill);
                String again = taskManagers().get(i)[1];
                assertThat(again).as("TaskManager " + i + " started again").isNotEqualTo("-");
                // the new process logs to a new file (log4j rolls the old one on startup)
                pids.put(i, again);
                logOffsets.put(i, 0L);
                restarted.add(i);
            }
        }
    }

    /**
     * How often a started TaskManager did not register its slots within the script's timeout and
     * was started once more. scripts/chaos.sh prints it in its last line (from {@value #UNREGISTERED_FILE}).
     */
    static int unregisteredRestarts;

    static final String UNREGISTERED_FILE = "target/chaos/unregistered-restarts";

    /**
     * Starts TaskManager {@code i} (scripts/flink-cluster.sh start-tm waits until its slots
     * register). One that stays alive but does not register is killed by the script, which prints
     * its log tails, the JobManager's registration lines and its threads; it is then started once
     * more, as a supervisor whose start-up probe failed would, noted in the report with that
     * diagnosis. A second failure fails the run.
     */
    static void startTaskManager(int i, String name) throws Exception {
        Shell.Result first = flink(name, Duration.ofMinutes(3), "start-tm", "" + i);
        if (first.exitCode() == 0) return;
        unregisteredRestarts++;
        Files.writeString(root.resolve(UNREGISTERED_FILE), unregisteredRestarts + "\n");
        note(
                "TASKMANAGER START FAILED: TaskManager %d (%s) did not come up; starting it once more as a"
                        + " supervisor would. Its diagnosis:%n%s",
                i, name, first.stderr().strip());
        flink(name + "-again", Duration.ofMinutes(3), "start-tm", "" + i).requireSuccess();
    }

    static Path taskManagerLog(int tm) {
        return root.resolve(".run/chaos/flink/log/" + (tm == 1 ? "taskmanager" : "taskmanager-" + tm) + ".log");
    }

    /**
     * {@link FlinkRecycleRace#find} on a TaskManager's log from an offset (its size before the kill;
     * from the start if the file is shorter now): a one-line description of the known Flink race, or
     * null.
     */
    static String flinkRecycleRace(Path log, long offset, String killedId) throws IOException {
        if (!Files.exists(log)) return null;
        byte[] bytes = Files.readAllBytes(log);
        int from = offset <= bytes.length ? (int) offset : 0;
        return FlinkRecycleRace.find(new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8), killedId);
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    /** The job is RUNNING and so is every task (all vertices RUNNING or FINISHED); a terminal state fails. */
    static boolean tasksRunning(String job) throws Exception {
        JsonNode j = rest("/jobs/" + job);
        String state = j.path("state").asText();
        assertThat(state).as("job " + job + " state").isNotIn("FAILED", "CANCELED", "FINISHED");
        if (!state.equals("RUNNING")) return false;
        for (JsonNode v : j.path("vertices")) {
            String s = v.path("status").asText();
            if (!s.equals("RUNNING") && !s.equals("FINISHED")) return false;
        }
        return true;
    }

    /** Resource ids of the TaskManagers the job's subtasks are deployed to (REST). */
    static Set<String> subtaskTaskManagers(String job) throws Exception {
        Set<String> used = new TreeSet<>();
        for (JsonNode v : rest("/jobs/" + job).path("vertices")) {
            for (JsonNode st :
                    rest("/jobs/" + job + "/vertices/" + v.path("id").asText()).path("subtasks")) {
                String tm = st.path("taskmanager-id").asText("");
                if (!tm.isEmpty() && !tm.equals("(unassigned)")) used.add(tm);
            }
        }
        return used;
    }

    /** The cluster's TaskManagers by index: {index, pid or "-", resource id or "-"} (scripts/flink-cluster.sh taskmanagers). */
    static Map<Integer, String[]> taskManagers() throws Exception {
        Map<Integer, String[]> out = new HashMap<>();
        for (String l : flink("taskmanagers", Duration.ofSeconds(30), "taskmanagers")
                .requireSuccess()
                .stdout()
                .strip()
                .split("\n")) {
            String[] f = l.strip().split("\\s+");
            if (f.length == 3) out.put(Integer.parseInt(f[0]), f);
        }
        return out;
    }

    /** Resource ids of the TaskManagers registered with the JobManager (REST /taskmanagers). */
    static List<String> registeredTaskManagers() throws Exception {
        List<String> ids = new ArrayList<>();
        for (JsonNode tm : rest("/taskmanagers").path("taskmanagers"))
            ids.add(tm.path("id").asText());
        return ids;
    }

    /**
     * The job runs on both TaskManagers (its subtasks are spread over {@value #TASKMANAGERS}
     * TaskManagers) with the requested state backend (the job's checkpoint configuration names
     * the backend's class: HashMapStateBackend, EmbeddedRocksDBStateBackend, ForStStateBackend).
     */
    static String assertClusterShape(String job) throws Exception {
        assertThat(registeredTaskManagers()).as("registered TaskManagers").hasSize(TASKMANAGERS);
        Set<String> used = subtaskTaskManagers(job);
        assertThat(used).as("TaskManagers running the job's subtasks").hasSize(TASKMANAGERS);
        JsonNode cp = rest("/jobs/" + job + "/checkpoints/config");
        String backend = cp.path("state_backend").asText();
        assertThat(backend.toLowerCase(Locale.ROOT))
                .as("the job's state backend (/jobs/<id>/checkpoints/config state_backend) for STATE_BACKEND="
                        + STATE_BACKEND)
                .contains(STATE_BACKEND);
        return "%d TaskManagers (%s), state backend %s, checkpoint storage %s"
                .formatted(
                        TASKMANAGERS,
                        String.join(", ", used),
                        backend,
                        cp.path("checkpoint_storage").asText());
    }

    static void clickHouseOutage() throws Exception {
        long restarts = numRestarts(jobId);
        long base = committed();
        long t = System.nanoTime();
        long stoppedAt = System.currentTimeMillis();
        sh("clickhouse-stop", Duration.ofMinutes(1), "bash", "scripts/clickhouse.sh", "down")
                .requireSuccess();
        Thread.sleep(TimeUnit.SECONDS.toMillis(OUTAGE_SECONDS));
        long during = numRestarts(jobId);
        long sinkFailures = failuresSince(jobId, stoppedAt, "127.0.0.1:" + CH_HTTP);
        sh("clickhouse-start", Duration.ofMinutes(2), "bash", "scripts/clickhouse.sh", "up")
                .requireSuccess();
        // Running again is not enough: offsets are committed only by completed checkpoints, and a
        // checkpoint completes only when every sink has flushed.
        waitRunning("the job runs again after the ClickHouse outage", Duration.ofMinutes(4));
        waitCommittedBeyond(base, "after the ClickHouse outage");
        assertThat(during)
                .as("the job failed and restarted while ClickHouse was down")
                .isGreaterThan(restarts);
        assertThat(sinkFailures)
                .as("failures caused by the unreachable database")
                .isPositive();
        note(
                "fault: ClickHouse down %d s -> %d restarts while down (%d failures naming the database), writing again %.0f s after the"
                        + " stop (restarts %d -> %d)",
                OUTAGE_SECONDS,
                during - restarts,
                sinkFailures,
                (System.nanoTime() - t) / 1e9,
                restarts,
                numRestarts(jobId));
    }

    static void restartBroker(Random random) throws Exception {
        long restarts = numRestarts(jobId);
        long base = committed();
        long t = System.nanoTime();
        sh("kafka-stop", Duration.ofMinutes(1), "bash", "scripts/kafka.sh", "down")
                .requireSuccess();
        // During a catch-up the broker stays away longer than the idleness, so that every partition
        // is silent past its timeout while it has a backlog.
        Thread.sleep(
                BROKER_DURING_CATCHUP
                        ? Durations.parse("CHAOS_IDLENESS", IDLENESS).toMillis()
                                + 5000
                                + (long) (random.nextDouble() * 10_000)
                        : 2000 + (long) (random.nextDouble() * 6000));
        sh("kafka-start", Duration.ofMinutes(3), "bash", "scripts/kafka.sh", "up")
                .requireSuccess();
        waitRunning("the job runs after the broker restart", Duration.ofMinutes(4));
        waitCommittedBeyond(base, "after the broker restart");
        note(
                "fault: Kafka broker restart -> reading and committing again %.0f s after the stop (restarts %d -> %d)",
                (System.nanoTime() - t) / 1e9, restarts, numRestarts(jobId));
    }

    static void upgradeWithSavepoint(List<String> jobArgs) throws Exception {
        long t = System.nanoTime();
        Shell.Result stop = flink("stop-with-savepoint", Duration.ofMinutes(4), "stop-with-savepoint", jobId)
                .requireSuccess();
        String savepoint = stop.lastLine();
        assertThat(savepoint).contains("savepoint");
        String old = jobId;
        jobId = null;
        Path v2 = rebuiltJar();
        jobId = submit("submit-v2", v2, savepoint, jobArgs);
        waitRunning("the upgraded job runs", Duration.ofMinutes(3));
        assertClusterShape(jobId);
        note(
                "fault: stop-with-savepoint of %s, jar v2 resumed from %s as %s in %.0f s",
                old, root.relativize(Path.of(savepoint.replace("file:", ""))), jobId, (System.nanoTime() - t) / 1e9);
    }

    /**
     * The undisturbed run: the same job file on a local Flink MiniCluster (the CLI jar, a JVM of its
     * own, nothing of it on the cluster) from the start of the topic into the second database, with
     * the same password file. It runs until {@link #stopReference()}.
     */
    static void startReference(Path jobFile, Path refProfile) throws IOException {
        Path logs = work.resolve("logs");
        Files.createDirectories(logs);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(
                        java,
                        "-Xmx1536m",
                        "-XX:+UseG1GC",
                        "-Duser.timezone=UTC",
                        "-jar",
                        root.resolve("target/eventagg-cli.jar").toString(),
                        "run",
                        "--job",
                        jobFile.toString(),
                        "--source",
                        "kafka",
                        "--kafka-bootstrap",
                        BOOTSTRAP,
                        "--topic",
                        TOPIC,
                        "--group-id",
                        "chaos-undisturbed",
                        "--starting-offsets",
                        "earliest",
                        "--profile",
                        refProfile.toString(),
                        "--parallelism",
                        "2")
                .directory(root.toFile())
                .redirectOutput(logs.resolve("reference.out").toFile())
                .redirectError(logs.resolve("reference.err").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        reference = pb.start();
        Files.writeString(root.resolve(".run/chaos/reference.pid"), reference.pid() + "\n");
        note("undisturbed run started (local MiniCluster, pid %d, database chaos_ref)", reference.pid());
    }

    static void assertReferenceAlive() throws IOException {
        if (reference != null && !reference.isAlive()) {
            throw new AssertionError("the undisturbed run exited (" + reference.exitValue() + "):\n"
                    + Files.readString(work.resolve("logs/reference.err"), StandardCharsets.UTF_8));
        }
    }

    static void stopReference() throws Exception {
        if (reference == null) return;
        assertReferenceAlive();
        reference.destroy();
        if (!reference.waitFor(30, TimeUnit.SECONDS)) {
            reference.destroyForcibly();
            reference.waitFor(10, TimeUnit.SECONDS);
        }
        reference = null;
        Files.deleteIfExists(root.resolve(".run/chaos/reference.pid"));
        note("undisturbed run stopped");
    }

    /** The offsets the job committed to its consumer group (on completed checkpoints), summed over partitions. */
    static long committed() throws Exception {
        try (Admin admin = Admin.create(Map.of(
                "bootstrap.servers", BOOTSTRAP, "request.timeout.ms", "10000", "default.api.timeout.ms", "15000"))) {
            return admin
                    .listConsumerGroupOffsets("chaos")
                    .partitionsToOffsetAndMetadata()
                    .get(20, TimeUnit.SECONDS)
                    .values()
                    .stream()
                    .filter(Objects::nonNull)
                    .mapToLong(OffsetAndMetadata::offset)
                    .sum();
        }
    }

    /**
     * Waits until the job has read, processed, written and checkpointed at least 3,000 records beyond
     * the offsets it had committed before a fault (or everything produced so far): offsets are
     * committed when a checkpoint completes, which needs every sink to have flushed.
     */
    static void waitCommittedBeyond(long base, String when) throws Exception {
        waitCommittedBeyond(base, when, () -> {});
    }

    /** The same, running a check (which may fail the run) before each look at the offsets. */
    static void waitCommittedBeyond(long base, String when, Step each) throws Exception {
        waitUntil(Duration.ofMinutes(5), "the job reads, writes and checkpoints again " + when, () -> {
            each.run();
            return committed() >= Math.min(base + 3000, producer.sent.get());
        });
    }

    interface Step {
        void run() throws Exception;
    }

    /** The job jar with one more entry: different bytes, so the cluster stores and loads it as a new artifact. */
    static Path rebuiltJar() throws IOException {
        Path v2 = work.resolve("eventagg-job-v2.jar");
        Files.copy(root.resolve("target/eventagg-job.jar"), v2, StandardCopyOption.REPLACE_EXISTING);
        try (FileSystem zip = FileSystems.newFileSystem(v2)) {
            Files.writeString(zip.getPath("META-INF/eventagg-build.txt"), "chaos upgrade " + Instant.now() + "\n");
        }
        return v2;
    }

    // ------------------------------------------------------------------------------------------
    // Kafka

    /** Sends the records at a steady rate over PRODUCE_SECONDS; the tail only after the faults. */
    static final class Producer implements Runnable {
        final List<byte[]> records;
        final long holdBackFrom;
        final CountDownLatch release;
        final AtomicLong sent = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile double rate;

        Producer(List<byte[]> records, long holdBackFrom, CountDownLatch release) {
            this.records = records;
            this.holdBackFrom = holdBackFrom;
            this.release = release;
        }

        @Override
        public void run() {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
            p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "600000");
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "600000");
            p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(128L << 20));
            long start = System.nanoTime();
            double perSecond = holdBackFrom / (double) PRODUCE_SECONDS;
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < records.size(); i++) {
                    if (failure.get() != null) break;
                    if (i == holdBackFrom) {
                        rate = holdBackFrom / ((System.nanoTime() - start) / 1e9);
                        if (!release.await(20, TimeUnit.MINUTES))
                            throw new IllegalStateException("faults never finished");
                    }
                    if (i < holdBackFrom) {
                        long due = start + (long) (i / perSecond * 1e9);
                        long wait = due - System.nanoTime();
                        if (wait > 1_000_000) Thread.sleep(wait / 1_000_000);
                    }
                    producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, null, records.get(i)), (m, e) -> {
                        if (e != null) failure.compareAndSet(null, e);
                        else sent.incrementAndGet();
                    });
                }
                producer.flush();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // results

    /** The server of a database: chaos_ref (the undisturbed run) is on a server of its own. */
    static ClickHouseHttp server(String db) {
        return db.equals("chaos_ref") ? CH_REF : CH;
    }

    /** The job's progress watermark in seconds (0 before the first progress row). */
    static long progress(String db) throws Exception {
        List<Map<String, String>> p = server(db)
                .query(
                        db,
                        "SELECT toInt64(toUnixTimestamp(watermark)) AS s FROM ea_progress FINAL WHERE job = '"
                                + JOB_NAME + "'");
        return p.isEmpty() ? 0 : Long.parseLong(p.get(0).get("s"));
    }

    /** Every reference time-series key has a final row and no row of the data (any table) is open. */
    static boolean allFinal(String db, Set<RefTimeSeries.Key> keys) throws Exception {
        Map<RefTimeSeries.Key, Map<String, String>> rows = timeSeries(db);
        long missing = keys.stream()
                .filter(k -> rows.get(k) == null || !"1".equals(rows.get(k).get("is_final")))
                .count();
        long open = 0;
        for (String t : List.of(
                "ea_timeseries", "ea_activity", "ea_funnel_steps", "ea_retention_cohorts", "ea_retention_periods")) {
            open += server(db)
                    .count(
                            db,
                            "SELECT count() FROM " + t + " FINAL WHERE job = '" + JOB_NAME
                                    + "' AND is_final = 0 AND environment != '" + CLOCK_ENV + "'");
        }
        if (missing > 0 || open > 0)
            System.out.printf("  … %d reference buckets without a final row, %d open rows%n", missing, open);
        return missing == 0 && open == 0;
    }

    /** Rows of ea_timeseries and ea_activity (event null), data environments only, by key. */
    static Map<RefTimeSeries.Key, Map<String, String>> timeSeries(String db) throws Exception {
        Map<RefTimeSeries.Key, Map<String, String>> out = new HashMap<>();
        String where = " WHERE job = '" + JOB_NAME + "' AND environment != '" + CLOCK_ENV + "'";
        for (Map<String, String> r : server(db)
                .query(
                        db,
                        "SELECT environment, event, granularity, toInt64(toUnixTimestamp(bucket_start)) * 1000 AS b,"
                                + " event_count, unique_users, breakdowns, breakdown_users, is_final FROM ea_timeseries FINAL"
                                + where)) {
            out.put(
                    new RefTimeSeries.Key(
                            r.get("environment"), r.get("event"), r.get("granularity"), Long.parseLong(r.get("b"))),
                    r);
        }
        for (Map<String, String> r : server(db)
                .query(
                        db,
                        "SELECT environment, granularity, toInt64(toUnixTimestamp(bucket_start)) * 1000 AS b,"
                                + " event_count, unique_users, unique_sessions, is_final FROM ea_activity FINAL"
                                + where)) {
            out.put(
                    new RefTimeSeries.Key(r.get("environment"), null, r.get("granularity"), Long.parseLong(r.get("b"))),
                    r);
        }
        return out;
    }

    /** The final content of a table in both databases, data environments only ({@link SameTables}). */
    static int assertSameTable(TableSpec t) throws Exception {
        String where = " WHERE job = '" + JOB_NAME + "'"
                + (t.indexOf("environment") >= 0 ? " AND environment != '" + CLOCK_ENV + "'" : "");
        String sql = "SELECT "
                + SameTables.columns(t).stream().map(c -> "`" + c + "`").collect(Collectors.joining(", "))
                + " FROM " + t.name() + " FINAL" + where;
        return SameTables.assertSame(t, CH.query("chaos", sql), CH_REF.query("chaos_ref", sql));
    }

    /**
     * Every file of the run (logs, checkpoints, savepoints, table data, command outputs) and every
     * captured output, scanned for the password. Files that vanish meanwhile (ClickHouse merges parts
     * in the background) are skipped.
     */
    static int assertPasswordNowhere() throws IOException {
        byte[] secret = PASSWORD.getBytes(StandardCharsets.UTF_8);
        List<Path> files = new ArrayList<>();
        for (Path dir : List.of(root.resolve(".run/chaos"), work)) {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path p, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()
                            && !p.equals(work.resolve("clickhouse.password"))
                            && !p.toString().endsWith(".jar")) files.add(p);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path p, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
                    throw e;
                }
            });
        }
        int scanned = 0;
        for (Path p : files) {
            byte[] content;
            try {
                content = Files.readAllBytes(p);
            } catch (NoSuchFileException e) {
                continue;
            }
            scanned++;
            assertThat(indexOf(content, secret))
                    .as("the password in " + root.relativize(p))
                    .isEqualTo(-1);
        }
        for (Shell.Result r : outputs) {
            assertThat(r.stdout() + r.stderr())
                    .as("the password in the output of " + r.command())
                    .doesNotContain(PASSWORD);
        }
        return scanned;
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    // ------------------------------------------------------------------------------------------
    // Flink REST and scripts

    static String submit(String name, Path jar, String savepoint, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(
                List.of("bash", "scripts/flink-cluster.sh", "submit", "--parallelism", "" + PARALLELISM));
        if (savepoint != null) cmd.addAll(List.of("--savepoint", savepoint));
        cmd.add(jar.toString());
        cmd.addAll(args);
        Shell.Result r =
                sh(name, Duration.ofMinutes(4), cmd.toArray(String[]::new)).requireSuccess();
        String id = r.lastLine();
        assertThat(id).matches("[0-9a-f]{32}");
        return id;
    }

    static JsonNode rest(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://" + FLINK_REST + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200)
            throw new IOException("Flink REST " + path + ": HTTP " + r.statusCode() + " " + r.body());
        return JSON.readTree(r.body());
    }

    /**
     * The job's restart count. The REST metrics are a cache that a request refreshes in the background
     * (at most every 10 s), so the value is read, and read again once the refresh has happened.
     */
    static long numRestarts(String job) throws Exception {
        rest("/jobs/" + job + "/metrics?get=numRestarts");
        Thread.sleep(1500);
        for (JsonNode m : rest("/jobs/" + job + "/metrics?get=numRestarts"))
            return m.path("value").asLong();
        return 0;
    }

    /** Failures in the job's exception history since a time whose stack trace mentions a text. */
    static long failuresSince(String job, long sinceMs, String text) throws Exception {
        long n = 0;
        for (JsonNode e : rest("/jobs/" + job + "/exceptions?maxExceptions=100")
                .path("exceptionHistory")
                .path("entries")) {
            if (e.path("timestamp").asLong() >= sinceMs
                    && e.path("stacktrace").asText().contains(text)) n++;
        }
        return n;
    }

    static void waitRunning(String what, Duration timeout) throws Exception {
        flink("wait-running", timeout.plusSeconds(30), "wait-running", jobId, "" + timeout.toSeconds())
                .requireSuccess();
    }

    static String waitState(String job, String state, Duration timeout) throws Exception {
        return flink("wait-" + state, timeout.plusSeconds(30), "wait-state", job, state, "" + timeout.toSeconds())
                .stdout()
                .strip();
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void waitUntil(Duration timeout, String what, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (check.ok()) return;
            } catch (IOException e) {
                System.out.println("  … " + what + ": " + e.getMessage());
            }
            if (System.nanoTime() > deadline)
                throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            Thread.sleep(2000);
        }
    }

    /** Runs a service's script (up, down) with the service's environment. */
    static Shell.Result service(String service, String action, String name) throws IOException, InterruptedException {
        Map<String, String> env = new HashMap<>(ENV);
        if (service.equals("clickhouse-ref")) {
            env.putAll(Map.of(
                    "CLICKHOUSE_DIR",
                    ".run/chaos/clickhouse-ref",
                    "CLICKHOUSE_HTTP",
                    "" + CH_REF_HTTP,
                    "CLICKHOUSE_TCP",
                    "" + CH_REF_TCP));
        }
        String script = service.equals("clickhouse-ref") ? "clickhouse" : service;
        Shell.Result r = Shell.run(
                root,
                env,
                Duration.ofMinutes(action.equals("up") ? 10 : 2),
                work.resolve("logs"),
                name,
                List.of("bash", "scripts/" + script + ".sh", action));
        synchronized (outputs) {
            outputs.add(r);
        }
        return r;
    }

    static Shell.Result flink(String name, Duration timeout, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "scripts/flink-cluster.sh"));
        cmd.addAll(List.of(args));
        return sh(name, timeout, cmd.toArray(String[]::new));
    }

    static Shell.Result sh(String name, Duration timeout, String... cmd) throws IOException, InterruptedException {
        Shell.Result r = Shell.run(root, ENV, timeout, work.resolve("logs"), name, List.of(cmd));
        synchronized (outputs) {
            outputs.add(r);
        }
        return r;
    }

    static void note(String format, Object... args) {
        String line = String.format("[%6.1f s] ", (System.nanoTime() - t0) / 1e9) + String.format(format, args);
        report.add(line);
        System.out.println(line);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
