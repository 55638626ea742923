package io.eventagg.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventagg.cli.Main;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.config.RunOptions;
import io.eventagg.generate.EventGenerator;
import io.eventagg.ingest.KafkaSettings;
import io.eventagg.ingest.RunCounter;
import io.eventagg.pipeline.JdbcOutputs;
import io.eventagg.runtime.Counters;
import io.eventagg.runtime.FlinkJob;
import io.eventagg.runtime.FlinkSettings;
import io.eventagg.runtime.RunSummary;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import io.eventagg.testing.ClickHouseResults;
import io.eventagg.testing.ClickHouseServer;
import io.eventagg.testing.DuckTables;
import io.eventagg.testing.KafkaBroker;
import io.eventagg.testing.RefEvent;
import io.eventagg.testing.RefParser;
import io.eventagg.testing.RefTimeSeries;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.Tiers;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka -> the streaming job's dataflow ({@link StreamingJob#define}) -> ClickHouse, on a MiniCluster
 * at parallelism 2, against a real broker (in-JVM KRaft) and the real Debian ClickHouse server.
 * The source is bounded (stops at the end offsets), so every bucket closes when the data ends and
 * every row must be final.
 *
 * <p>Which events are later than the allowed lateness depends on when periodic watermarks happen
 * to be emitted; the test takes the late ones from ClickHouse's late-events table (by partition
 * and offset) and checks that they are exactly the events missing from the aggregates.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
@ExtendWith(ClickHouseServer.class)
class KafkaToClickHouseTest {

    private static final List<String> GRANULARITIES = List.of("minute", "hour", "day", "week", "month");
    private static final String TOPIC = "events";
    private static final int PARTITIONS = 3;
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    static KafkaBroker kafka;
    static ClickHouseServer.Database db;
    static JobDefinition job;
    static List<String> lines;
    static List<KafkaBroker.Position> positions;
    static Map<KafkaBroker.Position, RefEvent> events = new HashMap<>();
    static Set<KafkaBroker.Position> bad = new HashSet<>();
    static Counters counters;
    static double seconds;

    @BeforeAll
    static void runJob() throws Exception {
        db = ClickHouseServer.createDatabase("test_kafka_ch");
        kafka = KafkaBroker.start();
        kafka.createTopic(TOPIC, PARTITIONS);

        StringWriter w = new StringWriter();
        new EventGenerator(3000, 10, 7, Instant.parse("2024-01-01T00:00:00Z"), 0.01).write(w);
        lines = w.toString().lines().filter(l -> !l.isBlank()).toList();
        positions = kafka.produce(TOPIC, PARTITIONS, lines);
        for (int i = 0; i < lines.size(); i++) {
            RefEvent e = RefParser.parse(lines.get(i), i + 1, "production");
            if (e == null) bad.add(positions.get(i));
            else events.put(positions.get(i), e);
        }
        assertThat(bad).as("the generated data has malformed lines").isNotEmpty();

        // A shorter allowed lateness than usual, so that the generated data has late events.
        job = JobLoader.parse("""
                name: kafka_ch
                timezone: UTC
                granularities: [minute, hour, day, week, month]
                breakdowns: [plan, country, path]
                breakdown_limit: 5
                watermark: {out_of_orderness: 30s, allowed_lateness: 10m, emit_interval: 1s}
                """);
        SinkSettings sink = db.settings().withBatch(5000, 500);
        SchemaManager.apply(sink);
        KafkaSettings source = new KafkaSettings(
                kafka.bootstrapServers(),
                List.of(TOPIC),
                null,
                "eventagg-test",
                KafkaSettings.Position.EARLIEST,
                KafkaSettings.Position.LATEST,
                Map.of());

        Configuration conf = FlinkSettings.base(true);
        // The whole topic is read in a few seconds, and the router's watermark is the minimum over
        // both source subtasks: with the default 200 ms between periodic watermarks, it can stay
        // behind every delayed event. Watermarks every 5 ms make it follow the data, so that the
        // late events this test is about exist.
        conf.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, Duration.ofMillis(5));
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 2);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
        RunSummary r = FlinkJob.define(
                        conf,
                        "kafka to clickhouse",
                        env -> StreamingJob.define(
                                env, job, source, RunOptions.streamingDefaults(), new JdbcOutputs(job.name(), sink)))
                .run();
        seconds = r.seconds();
        counters = r.counters();
        System.out.printf(
                "Kafka -> ClickHouse: %,d records in %.1f s, %,d rows written, %s late%n",
                lines.size(), seconds, n(RunCounter.ROWS_WRITTEN), n(RunCounter.EVENTS_LATE));
        assertThat(n(RunCounter.EVENTS_LATE))
                .as("some events are later than the allowed lateness")
                .isPositive();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (db != null) db.close();
        } finally {
            if (kafka != null) kafka.close();
        }
    }

    static long n(String counter) {
        return counters.get(counter);
    }

    /** Events that were aggregated: all valid ones except those in the late-events table. */
    static List<RefEvent> onTime() throws Exception {
        Set<KafkaBroker.Position> late = new HashSet<>();
        for (Map<String, String> r : db.query("SELECT src_partition, src_offset FROM ea_late_events FINAL")) {
            late.add(new KafkaBroker.Position(
                    Integer.parseInt(r.get("src_partition")), Long.parseLong(r.get("src_offset"))));
        }
        List<RefEvent> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            KafkaBroker.Position p = positions.get(i);
            if (events.containsKey(p) && !late.contains(p)) out.add(events.get(p));
        }
        return out;
    }

    @Test
    void everyRecordIsCountedOnce() {
        assertThat(n(RunCounter.EVENTS_IN)).isEqualTo(lines.size());
        assertThat(n(RunCounter.EVENTS_DEAD_LETTERED)).isEqualTo(bad.size());
        assertThat(n(RunCounter.EVENTS_AGGREGATED) + n(RunCounter.EVENTS_LATE)).isEqualTo(events.size());
    }

    @Test
    void timeSeriesMatchTheReference() throws Exception {
        List<RefEvent> onTime = onTime();
        assertThat(onTime).hasSize((int) n(RunCounter.EVENTS_AGGREGATED));
        Map<RefTimeSeries.Key, RefTimeSeries.Bucket> expected =
                RefTimeSeries.compute(onTime, job.timezone(), GRANULARITIES, job.breakdowns());
        Map<RefTimeSeries.Key, Map<String, String>> actual = ClickHouseResults.timeSeries(db, job.name());
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        int compared = ClickHouseResults.assertMatches(expected, actual, job.breakdownLimit(), k -> true);
        assertThat(compared).isGreaterThan(1000);
    }

    @Test
    void malformedRecordsLandInTheDeadLetterTable() throws Exception {
        Set<KafkaBroker.Position> stored = new HashSet<>();
        for (Map<String, String> r : db.query(
                "SELECT source, src_partition, src_offset, reason, raw, raw_bytes FROM ea_dead_letters FINAL")) {
            assertThat(r.get("source")).isEqualTo(TOPIC);
            assertThat(r.get("reason")).isNotBlank();
            KafkaBroker.Position p = new KafkaBroker.Position(
                    Integer.parseInt(r.get("src_partition")), Long.parseLong(r.get("src_offset")));
            stored.add(p);
            String line = lines.get(positions.indexOf(p));
            assertThat(Long.parseLong(r.get("raw_bytes"))).isEqualTo(line.getBytes(StandardCharsets.UTF_8).length);
            assertThat(line).startsWith(r.get("raw"));
        }
        assertThat(stored).isEqualTo(bad);
    }

    @Test
    void lateEventsLandWholeInTheLateEventsTable() throws Exception {
        List<Map<String, String>> rows =
                db.query("SELECT src_partition, src_offset, event, distinct_id, timestamp_ms, environment,"
                        + " toInt64(toUnixTimestamp(watermark)) * 1000 AS wm FROM ea_late_events FINAL");
        assertThat((long) rows.size()).isEqualTo(n(RunCounter.EVENTS_LATE));
        long lateness = job.watermark().allowedLateness().toMillis();
        for (Map<String, String> r : rows) {
            RefEvent e = events.get(new KafkaBroker.Position(
                    Integer.parseInt(r.get("src_partition")), Long.parseLong(r.get("src_offset"))));
            assertThat(e).as("a late event is a valid event").isNotNull();
            assertThat(r.get("event")).isEqualTo(e.event());
            assertThat(r.get("distinct_id")).isEqualTo(e.distinctId());
            assertThat(Long.parseLong(r.get("timestamp_ms"))).isEqualTo(e.timestamp());
            assertThat(r.get("environment")).isEqualTo(e.environment());
            assertThat(e.timestamp())
                    .as("late: at or before watermark - allowed lateness")
                    .isLessThanOrEqualTo(Long.parseLong(r.get("wm")) + 999 - lateness);
        }
    }

    @Test
    void progressIsTheEndOfTheData() throws Exception {
        long max = events.values().stream().mapToLong(RefEvent::timestamp).max().orElseThrow();
        List<Map<String, String>> p =
                db.query("SELECT toInt64(toUnixTimestamp(watermark)) AS s FROM ea_progress FINAL WHERE job = '"
                        + job.name() + "'");
        assertThat(p).hasSize(1);
        assertThat(Long.parseLong(p.get(0).get("s"))).isEqualTo(Math.floorDiv(max, 1000));
    }

    /**
     * ClickHouse's own aggregation of the same raw events (those the job aggregated) agrees with the
     * project's rows: per bucket {@code count()} exactly, {@code uniqExact(distinct_id)} within
     * the sketch's bound; and the three materialized views agree too.
     */
    @Test
    void clickHouseItselfAgrees() throws Exception {
        SchemaManager.applyRawEvents(db.settings());
        List<RefEvent> onTime = onTime();
        loadRawEvents(onTime);
        assertThat(db.count("SELECT count() FROM events")).isEqualTo(onTime.size());

        Map<RefTimeSeries.Key, Map<String, String>> project = ClickHouseResults.timeSeries(db, job.name());
        Map<String, String> bucket = Map.of(
                "minute", "toStartOfMinute(timestamp)",
                "hour", "toStartOfHour(timestamp)",
                "day", "toStartOfDay(timestamp)",
                "week", "toDateTime(toMonday(timestamp))",
                "month", "toDateTime(toStartOfMonth(timestamp))");
        int compared = 0;
        for (Map.Entry<String, String> g : bucket.entrySet()) {
            String b = "toInt64(toUnixTimestamp(" + g.getValue() + ")) * 1000";
            for (Map<String, String> r :
                    db.query("SELECT environment, event, " + b + " AS b, count() AS c, uniqExact(distinct_id) AS u"
                            + " FROM events GROUP BY environment, event, b")) {
                Map<String, String> row = project.get(new RefTimeSeries.Key(
                        r.get("environment"), r.get("event"), g.getKey(), Long.parseLong(r.get("b"))));
                assertThat(row).as("project row for " + r + " " + g.getKey()).isNotNull();
                assertThat(row.get("event_count")).as("count " + r).isEqualTo(r.get("c"));
                ClickHouseResults.assertUnique(
                        Long.parseLong(row.get("unique_users")), Long.parseLong(r.get("u")), "users " + r);
                compared++;
            }
            for (Map<String, String> r :
                    db.query("SELECT environment, " + b + " AS b, count() AS c, uniqExact(distinct_id) AS u,"
                            + " uniqExact(session_id) AS s FROM events GROUP BY environment, b")) {
                Map<String, String> row = project.get(
                        new RefTimeSeries.Key(r.get("environment"), null, g.getKey(), Long.parseLong(r.get("b"))));
                assertThat(row)
                        .as("project rollup row for " + r + " " + g.getKey())
                        .isNotNull();
                assertThat(row.get("event_count")).as("count " + r).isEqualTo(r.get("c"));
                ClickHouseResults.assertUnique(
                        Long.parseLong(row.get("unique_users")), Long.parseLong(r.get("u")), "users " + r);
                ClickHouseResults.assertUnique(
                        Long.parseLong(row.get("unique_sessions")), Long.parseLong(r.get("s")), "sessions " + r);
                compared++;
            }
        }
        assertThat(compared).as("every project row was cross-checked").isEqualTo(project.size());

        // The materialized views (AggregatingMergeTree of uniq states), read with -Merge.
        for (Map<String, String> r : db.query(
                "SELECT environment, event, toInt64(toUnixTimestamp(hour)) * 1000 AS b, countMerge(events) AS c,"
                        + " uniqMerge(users) AS u FROM events_hourly GROUP BY environment, event, b")) {
            Map<String, String> row = project.get(
                    new RefTimeSeries.Key(r.get("environment"), r.get("event"), "hour", Long.parseLong(r.get("b"))));
            assertThat(row.get("event_count")).as("hourly view count " + r).isEqualTo(r.get("c"));
            assertClose(Long.parseLong(r.get("u")), Long.parseLong(row.get("unique_users")), "hourly view users " + r);
        }
        for (Map<String, String> r : db.query(
                "SELECT environment, toInt64(toUnixTimestamp(toDateTime(day))) * 1000 AS b, uniqMerge(users) AS u"
                        + " FROM events_daily_active_users GROUP BY environment, b")) {
            Map<String, String> row =
                    project.get(new RefTimeSeries.Key(r.get("environment"), null, "day", Long.parseLong(r.get("b"))));
            assertClose(
                    Long.parseLong(r.get("u")),
                    Long.parseLong(row.get("unique_users")),
                    "daily active users view " + r);
        }
        List<Map<String, String>> sessions =
                db.query("SELECT count() AS n, sum(e) AS events, sum(d) AS seconds FROM (SELECT"
                        + " countMerge(events) AS e, toInt64(maxMerge(ended)) - toInt64(minMerge(started)) AS d FROM events_session_stats"
                        + " GROUP BY environment, session_id)");
        List<Map<String, String>> raw = db.query(
                "SELECT count() AS n, sum(e) AS events, sum(d) AS seconds FROM (SELECT count() AS e,"
                        + " toInt64(max(timestamp)) - toInt64(min(timestamp)) AS d FROM events WHERE session_id IS NOT NULL GROUP BY environment, session_id)");
        assertThat(sessions).isEqualTo(raw);
        assertThat(Long.parseLong(sessions.get(0).get("n"))).isPositive();
    }

    /** {@code run --source kafka}: the CLI's local MiniCluster reads the same topic (bounded, batch mode) into DuckDB. */
    @Test
    void theCliRunsFromKafkaToo(@TempDir Path tmp) throws Exception {
        Path jobFile = tmp.resolve("job.yaml");
        Files.writeString(jobFile, "name: cli_kafka\ngranularities: [day]\n");
        String duck = "jdbc:duckdb:" + tmp.resolve("kafka.duckdb");
        int rc = Main.execute(
                "run",
                "--job",
                jobFile.toString(),
                "--source",
                "kafka",
                "--kafka-bootstrap",
                kafka.bootstrapServers(),
                "--topic",
                TOPIC,
                "--group-id",
                "cli-test",
                "--starting-offsets",
                "earliest",
                "--stop-at",
                "latest",
                "--mode",
                "batch",
                "--parallelism",
                "2",
                "--sink",
                duck);
        assertThat(rc).isZero();
        assertThat(DuckTables.count(duck, "SELECT sum(event_count) FROM ea_activity"))
                .isEqualTo(events.size());
        assertThat(DuckTables.count(duck, "SELECT count(*) FROM ea_dead_letters WHERE source = '" + TOPIC + "'"))
                .isEqualTo(bad.size());
    }

    private static void assertClose(long a, long b, String what) {
        assertThat((double) Math.abs(a - b)).as(what).isLessThanOrEqualTo(Math.max(1.0, 0.02 * Math.max(a, b)));
    }

    /** Loads events into the raw `events` table over plain HTTP (TabSeparated), independent of eventagg's sink. */
    private static void loadRawEvents(List<RefEvent> evs) throws Exception {
        ObjectMapper json = new ObjectMapper();
        StringBuilder sb = new StringBuilder();
        for (RefEvent e : evs) {
            sb.append(e.uuid() == null ? "\\N" : ClickHouseServer.escape(e.uuid()))
                    .append('\t')
                    .append(ClickHouseServer.escape(e.event()))
                    .append('\t')
                    .append(ClickHouseServer.escape(e.distinctId()))
                    .append('\t')
                    .append(LocalDateTime.ofEpochSecond(Math.floorDiv(e.timestamp(), 1000L), 0, ZoneOffset.UTC)
                            .format(DATE_TIME))
                    .append('\t')
                    .append(e.timestamp())
                    .append('\t')
                    .append(ClickHouseServer.escape(e.environment()))
                    .append('\t')
                    .append(e.sessionId() == null ? "\\N" : ClickHouseServer.escape(e.sessionId()))
                    .append('\t')
                    .append(ClickHouseServer.escape(json.writeValueAsString(e.properties())))
                    .append('\n');
        }
        db.insert("INSERT INTO events FORMAT TabSeparated", sb.toString().getBytes(StandardCharsets.UTF_8));
    }
}
