package io.eventagg.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.config.RunOptions;
import io.eventagg.generate.EventGenerator;
import io.eventagg.ingest.KafkaSettings;
import io.eventagg.pipeline.JdbcOutputs;
import io.eventagg.runtime.Counters;
import io.eventagg.runtime.FlinkJob;
import io.eventagg.runtime.FlinkSettings;
import io.eventagg.runtime.RunningJob;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import io.eventagg.sink.TableSpec;
import io.eventagg.sink.Tables;
import io.eventagg.testing.DuckTables;
import io.eventagg.testing.KafkaBroker;
import io.eventagg.testing.KafkaTopics;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.RefParser;
import io.eventagg.testing.SameTables;
import io.eventagg.testing.TestJobs;
import io.eventagg.testing.Tiers;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.runtime.SavepointLoader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rescaling a running streaming job: Kafka (a real broker, 4 partitions) -> the streaming job's
 * dataflow ({@link StreamingJob#define}) -> DuckDB through the real JDBC sink, on local
 * MiniClusters with 4 slots.
 *
 * <p>The disturbed run: a third of the records is produced and consumed at parallelism 2, the job
 * is stopped with a savepoint (canonical format) while buckets, funnel windows and retention
 * cohorts are open; it resumes from it at parallelism 4, consumes the second third, is stopped
 * with a savepoint again (native format), resumes at parallelism 1 and consumes the rest. The
 * undisturbed run, alongside: the same records as they arrive, the same job definition,
 * parallelism 2 throughout, its own database. Both end the same way: once everything is consumed, a stop with drain
 * ({@code --drain}: the end of event time) closes every bucket, window and cohort.
 *
 * <p>Every result table must then be equal in both databases ({@link SameTables}). The scenario
 * checks that it exercised state: at each stop the database has open rows of every kind, the
 * savepoint holds state of the router (its watermark union state), the source, the time-series
 * buckets, the funnels and retention at the parallelism the job ran with, and the key groups
 * (max parallelism) stay the same across restores. Across the three jobs every record is read
 * exactly once. The time-series combiner and the sinks have no state to check: the combiner emits
 * its partials before every checkpoint barrier (they are in the buckets' state), and the sinks
 * flush their pending rows before every checkpoint completes (they are in the database).
 *
 * <p>The allowed lateness (1 day) is longer than any arrival delay of the generated data, so no
 * event is late in either run (which events are late otherwise depends on when watermarks happen
 * to advance, which differs between the runs). The state backend is {@code STATE_BACKEND}
 * ({@code hashmap} by default, or {@code rocksdb}).
 */
@Tag(Tiers.SERVICES)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class RescaleTest {
    static final String TOPIC = "events";
    static final int PARTITIONS = 4;
    static final int SLOTS = 4;
    /** The parallelism of each job of the disturbed run; the undisturbed run has the first. */
    static final int[] PARALLELISM = {2, 4, 1};

    static final String STATE_BACKEND = Pipelines.stateBackend().name();

    static final List<TableSpec> RESULTS = List.of(
            Tables.TIMESERIES,
            Tables.ACTIVITY,
            Tables.FUNNELS,
            Tables.RETENTION_COHORTS,
            Tables.RETENTION_PERIODS,
            Tables.DEAD_LETTERS,
            Tables.LATE_EVENTS,
            Tables.PROGRESS);
    /** Tables of results that stay open while their bucket, window or cohort can still change. */
    static final List<TableSpec> OPENABLE =
            List.of(Tables.TIMESERIES, Tables.ACTIVITY, Tables.FUNNELS, Tables.RETENTION_COHORTS);

    static KafkaBroker kafka;
    static JobDefinition job;

    @TempDir
    static Path dir;

    @BeforeAll
    static void broker() throws Exception {
        kafka = KafkaBroker.start();
        kafka.createTopic(TOPIC, PARTITIONS);
        job = JobLoader.parse("""
                name: rescale
                timezone: Europe/Berlin
                granularities: [minute, hour, day, week, month]
                breakdowns: [plan, country]
                breakdown_limit: 5
                watermark: {out_of_orderness: 30s, allowed_lateness: 1d, emit_interval: 1s}
                """ + TestJobs.FUNNELS + TestJobs.RETENTION);
    }

    /** Jobs this test started; any still running when it ends (a failure) are cancelled. */
    static final List<RunningJob> jobs = new ArrayList<>();

    @AfterAll
    static void stop() throws Exception {
        try {
            for (RunningJob j : jobs) {
                if (!j.client().getJobExecutionResult().isDone())
                    j.client().cancel().get(1, TimeUnit.MINUTES);
            }
        } finally {
            if (kafka != null) kafka.close();
        }
    }

    @Test
    void stoppedAt2ResumedAt4ThenAt1EqualsAnUndisturbedRun() throws Exception {
        long t0 = System.nanoTime();
        // Heavy-tailed users, two bots and 1 % malformed lines, over three weeks.
        StringWriter w = new StringWriter();
        EventGenerator.Stats stats = new EventGenerator(
                        800,
                        21,
                        26,
                        Instant.parse("2024-03-18T00:00:00Z"),
                        0.01,
                        1.0,
                        EventGenerator.Options.NONE.withParetoAlpha(1.3).withBots(2, 400))
                .write(w);
        List<String> lines = w.toString().lines().filter(l -> !l.isBlank()).toList();
        long bad = lines.stream()
                .filter(l -> RefParser.parse(l, 1, "production") == null)
                .count();
        assertThat(bad).as("malformed lines").isPositive();
        System.out.printf(
                "rescale [%s]: %,d records (%,d malformed, %,d from bots)%n",
                STATE_BACKEND, lines.size(), bad, stats.botEvents());

        String disturbed = database("disturbed");
        String undisturbed = database("undisturbed");
        Path savepoints = dir.resolve("savepoints");

        // The undisturbed run reads the records as they arrive, from the first to the last.
        long undisturbedStarted = System.nanoTime();
        RunningJob reference = start(undisturbed, "rescale-undisturbed", PARALLELISM[0], null);

        // The disturbed run: a third of the records per job, stopped with a savepoint between them.
        String savepoint = null;
        Set<Integer> maxParallelism = new HashSet<>();
        long read = 0, dead = 0, late = 0;
        for (int i = 0; i < PARALLELISM.length; i++) {
            kafka.produce(TOPIC, PARTITIONS, lines.subList(i * lines.size() / 3, (i + 1) * lines.size() / 3));
            boolean last = i == PARALLELISM.length - 1;
            long started = System.nanoTime();
            RunningJob running = start(disturbed, "rescale-disturbed", PARALLELISM[i], savepoint);
            waitConsumed(running, "rescale-disturbed");
            double consumed = (System.nanoTime() - started) / 1e9;
            savepoint = running.client()
                    .stopWithSavepoint(
                            last,
                            savepoints.toUri().toString(),
                            i == 1 ? SavepointFormatType.NATIVE : SavepointFormatType.CANONICAL)
                    .get(3, TimeUnit.MINUTES);
            Counters c = running.await(null, null).counters();
            double stopped = (System.nanoTime() - started) / 1e9;
            read += c.read();
            dead += c.deadLettered();
            late += c.late();
            CheckpointMetadata m = SavepointLoader.loadSavepointMetadata(savepoint);
            maxParallelism.add(assertParallelism(m, PARALLELISM[i]));
            if (!last) {
                Map<String, Long> open = openRows(disturbed);
                System.out.printf(
                        "  job %d at parallelism %d: %,d records read in %.1f s, stopped with a savepoint at %.1f s;"
                                + " open rows %s; state bytes %s%n",
                        i + 1, PARALLELISM[i], c.read(), consumed, stopped, open, stateSizes(m));
                assertThat(open)
                        .as("open rows at stop %d", i + 1)
                        .allSatisfy((t, n) -> assertThat(n).as(t).isPositive());
                assertHoldsState(m);
            } else {
                System.out.printf(
                        "  job %d at parallelism %d: %,d records read in %.1f s, stopped with drain at %.1f s%n",
                        i + 1, PARALLELISM[i], c.read(), consumed, stopped);
            }
        }
        assertThat(maxParallelism)
                .as("max parallelism, the same across restores")
                .hasSize(1);
        assertThat(read)
                .as("every record read exactly once over the three jobs")
                .isEqualTo(lines.size());
        assertThat(dead).as("dead letters").isEqualTo(bad);
        assertThat(late).as("late events").isZero();

        // The undisturbed run, ended the same way once it has read everything.
        waitConsumed(reference, "rescale-undisturbed");
        reference
                .client()
                .stopWithSavepoint(true, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(3, TimeUnit.MINUTES);
        Counters c = reference.await(null, null).counters();
        System.out.printf(
                "  undisturbed at parallelism %d: %,d records read, stopped with drain %.1f s after its start%n",
                PARALLELISM[0], c.read(), (System.nanoTime() - undisturbedStarted) / 1e9);
        assertThat(c.read()).isEqualTo(lines.size());
        assertThat(c.late()).isZero();

        // Every result is final in both, and equal.
        assertThat(openRows(disturbed)).allSatisfy((t, n) -> assertThat(n).as(t).isZero());
        assertThat(openRows(undisturbed))
                .allSatisfy((t, n) -> assertThat(n).as(t).isZero());
        Map<String, Integer> compared = new LinkedHashMap<>();
        for (TableSpec t : RESULTS) {
            String sql = "SELECT "
                    + SameTables.columns(t).stream().map(col -> '"' + col + '"').collect(Collectors.joining(", "))
                    + " FROM " + t.name();
            compared.put(
                    t.name(),
                    SameTables.assertSame(t, DuckTables.rows(disturbed, sql), DuckTables.rows(undisturbed, sql)));
        }
        assertThat(compared).allSatisfy((t, n) -> {
            if (!t.equals(Tables.LATE_EVENTS.name())) assertThat(n).as(t).isPositive();
        });
        assertThat(DuckTables.count(disturbed, "SELECT sum(event_count) FROM ea_activity WHERE granularity = 'day'"))
                .as("events aggregated")
                .isEqualTo(lines.size() - bad);
        System.out.printf(
                "rescale [%s]: max parallelism %d throughout; every table equal to the undisturbed run %s in %.1f s%n",
                STATE_BACKEND, maxParallelism.iterator().next(), compared, (System.nanoTime() - t0) / 1e9);
    }

    static String database(String name) throws Exception {
        String url = "jdbc:duckdb:" + dir.resolve(name + ".duckdb");
        SchemaManager.apply(SinkSettings.of(url));
        return url;
    }

    /** The streaming job on a MiniCluster of its own, from a savepoint if one is given. */
    static RunningJob start(String url, String group, int parallelism, String savepoint) throws Exception {
        Configuration conf = FlinkSettings.local(true, SLOTS);
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        Pipelines.withStateBackend(conf);
        if (savepoint != null) conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        KafkaSettings source = new KafkaSettings(
                kafka.bootstrapServers(), List.of(TOPIC), null, group, KafkaSettings.Position.EARLIEST, null, Map.of());
        JdbcOutputs outputs = new JdbcOutputs(job.name(), SinkSettings.of(url));
        RunningJob running = FlinkJob.define(
                        conf,
                        "rescale " + group + " p" + parallelism,
                        env -> StreamingJob.define(env, job, source, RunOptions.streamingDefaults(), outputs))
                .start();
        jobs.add(running);
        return running;
    }

    /**
     * Waits until the job has committed the end of every partition: offsets are committed when a
     * checkpoint completes, so everything produced so far has been read.
     */
    static void waitConsumed(RunningJob running, String group) throws Exception {
        Map<TopicPartition, Long> end = new KafkaTopics(kafka.bootstrapServers(), TOPIC, PARTITIONS).endOffsets();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            while (true) {
                if (running.client().getJobExecutionResult().isDone()) {
                    running.await(null, null); // throws the failure
                    throw new AssertionError("the job ended before it read everything");
                }
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS);
                if (end.entrySet().stream()
                        .allMatch(e -> committed.get(e.getKey()) != null
                                && committed.get(e.getKey()).offset() >= e.getValue())) return;
                if (System.nanoTime() > deadline)
                    throw new AssertionError("the job did not read to " + end + " (committed " + committed + ")");
                Thread.sleep(200);
            }
        }
    }

    /** Rows not yet final, per table that has them. */
    static Map<String, Long> openRows(String url) throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        for (TableSpec t : OPENABLE)
            out.put(t.name(), DuckTables.count(url, "SELECT count(*) FROM " + t.name() + " WHERE NOT is_final"));
        return out;
    }

    /** Stateful operators (uids) whose state must be in a savepoint taken while results are open. */
    static List<String> statefulUids() {
        List<String> uids = new ArrayList<>(
                List.of("source", "route", "timeseries-buckets-2", "retention-users", "retention-cohorts"));
        for (var f : job.funnels()) {
            String id = "funnel-" + f.name();
            uids.addAll(List.of(id + "-cep", id + "-first-reach-2", id + "-entry-days"));
        }
        return uids;
    }

    static OperatorState operator(CheckpointMetadata m, String uid) {
        var id = OperatorIdentifier.forUid(uid).getOperatorId();
        return m.getOperatorStates().stream()
                .filter(o -> o.getOperatorID().equals(id))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no operator '" + uid + "' in the savepoint"));
    }

    /**
     * Every stateful operator ran at the job's parallelism (progress at 1) with one max parallelism
     * (the number of key groups), which is returned.
     */
    static int assertParallelism(CheckpointMetadata m, int parallelism) {
        Set<Integer> max = new HashSet<>();
        for (String uid : statefulUids()) {
            OperatorState o = operator(m, uid);
            assertThat(o.getParallelism()).as(uid + " parallelism").isEqualTo(parallelism);
            max.add(o.getMaxParallelism());
        }
        assertThat(max).as("max parallelism of the stateful operators").hasSize(1);
        assertThat(operator(m, "progress").getParallelism()).isEqualTo(1);
        return max.iterator().next();
    }

    /**
     * The savepoint of a job stopped mid-stream holds the router's watermark (union list state) and
     * keyed state of the buckets, funnels and retention.
     */
    static void assertHoldsState(CheckpointMetadata m) {
        OperatorState route = operator(m, "route");
        assertThat(route.getStates().stream()
                        .filter(s -> s.getManagedOperatorState().hasState()))
                .as("the router's watermark state, in every subtask")
                .hasSize(route.getParallelism());
        for (String uid : statefulUids()) {
            OperatorState o = operator(m, uid);
            assertThat(o.getStateSize()).as(uid + " state").isPositive();
            if (!uid.equals("source") && !uid.equals("route")) {
                assertThat(o.getStates().stream()
                                .filter(s -> s.getManagedKeyedState().hasState())
                                .count())
                        .as(uid + " keyed state")
                        .isPositive();
            }
        }
    }

    static String stateSizes(CheckpointMetadata m) {
        return statefulUids().stream()
                        .map(uid -> uid + "=" + operator(m, uid).getStateSize())
                        .collect(Collectors.joining(", ", "{", "}"))
                + " timeseries-combine="
                + m.getOperatorStates().stream()
                        .filter(o -> o.getOperatorID()
                                .equals(OperatorIdentifier.forUid("timeseries-combine")
                                        .getOperatorId()))
                        .mapToLong(OperatorState::getStateSize)
                        .sum();
    }
}
