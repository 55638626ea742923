package io.eventagg.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.config.RunOptions;
import io.eventagg.ingest.EventParser;
import io.eventagg.ingest.Ingested;
import io.eventagg.ingest.KafkaSettings;
import io.eventagg.pipeline.JdbcOutputs;
import io.eventagg.query.AggregationResult;
import io.eventagg.query.JdbcAggregationStorage;
import io.eventagg.query.TimeSeriesQuery;
import io.eventagg.runtime.Counters;
import io.eventagg.runtime.FlinkJob;
import io.eventagg.runtime.FlinkSettings;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import io.eventagg.testing.ClickHouseServer;
import io.eventagg.testing.DuckTables;
import io.eventagg.testing.HostileCorpus;
import io.eventagg.testing.KafkaBroker;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.Tiers;
import io.eventagg.time.Granularity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input on the streaming job's dataflow (Kafka -> MiniCluster -> ClickHouse, and the same
 * into DuckDB): over 10,000 bad records (random bytes, invalid UTF-8, nesting deeper than the parser
 * allows, 10 MB records, numbers and arrays where strings belong, raw control characters,
 * timestamps at and beyond the extremes, oversized property maps, tombstones...) shuffled into
 * valid traffic whose values are odd but legal.
 *
 * <ul>
 *   <li>The job never fails, and every record is counted: read = aggregated + dead-lettered.
 *   <li>Every bad record is in ea_dead_letters, at its topic position, with a reason that says what
 *       is wrong (checked per kind), its size and the head of its text.
 *   <li>Every valid record is aggregated. Event names and breakdown values come back verbatim from
 *       the query API ({@link JdbcAggregationStorage}, what {@code query timeseries} prints):
 *       SQL-looking strings, quotes, backslashes, "\N", tabs, newlines, NUL and other control
 *       characters, emoji, right-to-left marks. By design, breakdown values over 1,000 characters
 *       and the literal value "$other" are counted under "$other", and non-string values are
 *       stored as their JSON text.
 *   <li>Breakdown cardinality stays bounded: a bucket with 3,000 distinct values stores at most
 *       breakdown_limit values plus "$other", and the counts still add up.
 * </ul>
 */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
@ExtendWith(ClickHouseServer.class)
@Timeout(600)
class HostileInputTest {

    static final String TOPIC = "hostile";
    static final int PARTITIONS = 3;
    static final int BREAKDOWN_LIMIT = 10;
    static final ObjectMapper JSON = new ObjectMapper();

    static KafkaBroker kafka;
    static HostileCorpus corpus;
    static List<HostileCorpus.Item> shuffled;
    static List<KafkaBroker.Position> positions;
    static JobDefinition job;

    @TempDir
    static Path dir;

    @BeforeAll
    static void produce() throws Exception {
        corpus = new HostileCorpus(20240501L, System.currentTimeMillis());
        assertThat(corpus.bad()).hasSizeGreaterThanOrEqualTo(10_000);
        shuffled = new ArrayList<>(corpus.items);
        Collections.shuffle(shuffled, new Random(7));
        kafka = KafkaBroker.start();
        kafka.createTopic(TOPIC, PARTITIONS, Map.of("max.message.bytes", String.valueOf(32 << 20)));
        positions = kafka.produceBytes(
                TOPIC,
                PARTITIONS,
                shuffled.stream().map(HostileCorpus.Item::value).toList());
        job = JobLoader.parse("""
                name: hostile
                timezone: UTC
                granularities: [minute, day]
                breakdowns: [plan, country]
                breakdown_limit: %d
                limits: {breakdown_values_per_bucket: 100}
                # Nothing is late: this test is about content, not time (the edge timestamps span 24 years).
                watermark: {out_of_orderness: 30s, allowed_lateness: 10000d, emit_interval: 1s}
                """.formatted(BREAKDOWN_LIMIT));
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) kafka.close();
    }

    /** Runs the streaming job's dataflow over the whole topic (bounded) into a sink. */
    static Counters run(SinkSettings sink, String group) throws Exception {
        SchemaManager.apply(sink);
        KafkaSettings source = new KafkaSettings(
                kafka.bootstrapServers(),
                List.of(TOPIC),
                null,
                group,
                KafkaSettings.Position.EARLIEST,
                KafkaSettings.Position.LATEST,
                Map.of());
        Configuration conf = FlinkSettings.base(true);
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 2);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
        return FlinkJob.define(
                        conf,
                        "hostile input",
                        env -> StreamingJob.define(
                                env, job, source, RunOptions.streamingDefaults(), new JdbcOutputs(job.name(), sink)))
                .run()
                .counters();
    }

    /** The parser alone agrees with the corpus labels (a quick, precise check before the runs). */
    @Test
    void parserAgreesWithTheLabels() {
        EventParser parser = EventParser.forJob(job);
        List<String> wrong = new ArrayList<>();
        for (HostileCorpus.Item i : corpus.items) {
            byte[] v = i.value() == null ? new byte[0] : i.value();
            Ingested r = parser.parse(v, 0, v.length, TOPIC, 0, 0);
            if (r.isEvent() == i.bad()) {
                wrong.add(i.category() + ": "
                        + printable(new String(v, 0, Math.min(v.length, 200), StandardCharsets.UTF_8))
                        + (r.isEvent()
                                ? " was accepted"
                                : " was rejected: " + r.deadLetter().reason()));
            }
        }
        assertThat(wrong)
                .as("records the parser judges differently from their label")
                .isEmpty();
    }

    @Test
    void clickHouse() throws Exception {
        try (ClickHouseServer.Database db = ClickHouseServer.createDatabase("test_hostile")) {
            SinkSettings sink = db.settings().withBatch(2000, 500);
            Counters counters = run(sink, "hostile-ch");
            assertCounters(counters);
            List<Map<String, String>> dead =
                    db.query("SELECT src_partition, src_offset, reason, raw, raw_bytes FROM ea_dead_letters FINAL"
                            + " WHERE job = 'hostile'");
            assertDeadLetters(
                    dead.stream().map(r -> new HashMap<String, Object>(r)).collect(Collectors.toList()));
            assertThat(db.count("SELECT count() FROM ea_late_events")).isZero();
            Set<String> events =
                    db.query("SELECT DISTINCT event FROM ea_timeseries FINAL WHERE job = 'hostile'").stream()
                            .map(r -> r.get("event"))
                            .collect(Collectors.toSet());
            List<Map<String, Object>> breakdowns = db
                    .query("SELECT event_count, breakdowns FROM ea_timeseries FINAL"
                            + " WHERE job = 'hostile' AND event = 'wide'")
                    .stream()
                    .map(r -> (Map<String, Object>) new HashMap<String, Object>(r))
                    .toList();
            assertAggregates(sink, events, breakdowns);
        }
    }

    @Test
    void duckDb() throws Exception {
        String url = "jdbc:duckdb:" + dir.resolve("hostile.duckdb");
        SinkSettings sink = SinkSettings.of(url).withBatch(2000, 500);
        Counters counters = run(sink, "hostile-duck");
        assertCounters(counters);
        assertDeadLetters(DuckTables.rows(
                url,
                "SELECT src_partition, src_offset, reason, raw, raw_bytes FROM ea_dead_letters WHERE job = 'hostile'"));
        assertThat(DuckTables.count(url, "SELECT count(*) FROM ea_late_events")).isZero();
        Set<String> events =
                DuckTables.rows(url, "SELECT DISTINCT event FROM ea_timeseries WHERE job = 'hostile'").stream()
                        .map(r -> (String) r.get("event"))
                        .collect(Collectors.toSet());
        List<Map<String, Object>> breakdowns = DuckTables.rows(
                url, "SELECT event_count, breakdowns FROM ea_timeseries" + " WHERE job = 'hostile' AND event = 'wide'");
        assertAggregates(sink, events, breakdowns);
    }

    static void assertCounters(Counters counters) {
        assertThat(counters.read()).as("records read").isEqualTo(corpus.items.size());
        assertThat(counters.deadLettered())
                .as("dead-lettered")
                .isEqualTo(corpus.bad().size());
        assertThat(counters.aggregated())
                .as("aggregated")
                .isEqualTo(corpus.valid().size());
        assertThat(counters.late()).as("late").isZero();
    }

    /** Every bad record, and nothing else, is a dead letter at its position with a fitting reason. */
    static void assertDeadLetters(List<Map<String, Object>> rows) {
        Map<String, HostileCorpus.Item> bad = new HashMap<>();
        for (int i = 0; i < shuffled.size(); i++) {
            if (shuffled.get(i).bad())
                bad.put(positions.get(i).partition() + "/" + positions.get(i).offset(), shuffled.get(i));
        }
        Map<String, Integer> byCategory = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        for (Map<String, Object> r : rows) {
            String pos = r.get("src_partition") + "/" + r.get("src_offset");
            HostileCorpus.Item item = bad.get(pos);
            assertThat(item)
                    .as("the dead letter at " + pos + " is a bad record (reason: " + r.get("reason") + ")")
                    .isNotNull();
            assertThat(seen.add(pos)).as("one dead letter per record").isTrue();
            String reason = String.valueOf(r.get("reason"));
            assertThat(reason).as("reason of a " + item.category() + " record").isNotBlank();
            assertThat(reason.toLowerCase())
                    .as("reason of a " + item.category() + " record")
                    .contains(item.reason().toLowerCase());
            int size = item.value() == null ? 0 : item.value().length;
            assertThat(Long.parseLong(String.valueOf(r.get("raw_bytes"))))
                    .as("size of a " + item.category() + " record")
                    .isEqualTo(size);
            String raw = String.valueOf(r.get("raw"));
            assertThat(raw.getBytes(StandardCharsets.UTF_8).length)
                    .as("raw is truncated")
                    .isLessThanOrEqualTo(8192 * 3);
            if (item.value() != null
                    && !item.category().equals("invalid UTF-8")
                    && !item.category().equals("random bytes")) {
                assertThat(new String(item.value(), StandardCharsets.UTF_8))
                        .as("raw is the head of the record")
                        .startsWith(raw);
            }
            byCategory.merge(item.category(), 1, Integer::sum);
        }
        assertThat(seen).as("every bad record is a dead letter").containsExactlyInAnyOrderElementsOf(bad.keySet());
        System.out.println("dead letters by kind: " + byCategory);
    }

    /** Event names, counts, users and breakdown values of the valid records, as the query API answers. */
    static void assertAggregates(SinkSettings sink, Set<String> storedEvents, List<Map<String, Object>> wideRows)
            throws Exception {
        Map<String, List<HostileCorpus.Item>> byEvent = corpus.valid().stream()
                .collect(Collectors.groupingBy(HostileCorpus.Item::event, LinkedHashMap::new, Collectors.toList()));
        Set<String> names = new HashSet<>(byEvent.keySet());
        // Valid events of the generator-free corpus only; every name comes back verbatim.
        assertThat(storedEvents).as("stored event names").containsExactlyInAnyOrderElementsOf(names);
        assertThat(storedEvents).containsAll(HostileCorpus.ODD_NAMES);

        try (JdbcAggregationStorage storage = new JdbcAggregationStorage(job, sink)) {
            for (Map.Entry<String, List<HostileCorpus.Item>> e : byEvent.entrySet()) {
                List<HostileCorpus.Item> items = e.getValue();
                Instant from = Instant.ofEpochMilli(items.stream()
                                .mapToLong(HostileCorpus.Item::timestamp)
                                .min()
                                .orElseThrow())
                        .truncatedTo(ChronoUnit.DAYS);
                Instant to = Instant.ofEpochMilli(items.stream()
                                .mapToLong(HostileCorpus.Item::timestamp)
                                .max()
                                .orElseThrow())
                        .truncatedTo(ChronoUnit.DAYS)
                        .plus(1, ChronoUnit.DAYS);
                if (e.getKey().equals("edge_min") || e.getKey().equals("edge_future")) {
                    // one query per event, a single day each
                    to = from.plus(1, ChronoUnit.DAYS);
                }
                AggregationResult r = storage.query(new TimeSeriesQuery(
                        List.of(e.getKey()), from, to, Granularity.DAY, null, List.of("plan"), null));
                String what = "event " + printable(e.getKey());
                assertThat(r.total()).as(what + ": count").isEqualTo(items.size());
                assertThat(r.uniqueUsers())
                        .as(what + ": users")
                        .isEqualTo(items.stream()
                                .map(HostileCorpus.Item::distinctId)
                                .distinct()
                                .count());
                if (e.getKey().equals("wide")) continue; // more values than a bucket keeps: see below
                Map<String, Long> plans = new TreeMap<>();
                for (HostileCorpus.Item i : items) {
                    if (i.plan() == null) continue;
                    String v = i.plan().length() > 1000 || i.plan().equals("$other") ? "$other" : i.plan();
                    plans.merge(v, 1L, Long::sum);
                }
                Map<String, Long> stored = r.breakdownTotals().getOrDefault("plan", Map.of());
                assertThat(new TreeMap<>(stored))
                        .as(what + ": plan values, verbatim")
                        .isEqualTo(plans);
            }
        }
        // High cardinality: at most breakdown_limit values and $other per stored row, counts add up.
        assertThat(wideRows).isNotEmpty();
        Set<String> wideValues =
                byEvent.get("wide").stream().map(HostileCorpus.Item::plan).collect(Collectors.toSet());
        for (Map<String, Object> row : wideRows) {
            Map<String, Map<String, Long>> m =
                    JSON.readValue(String.valueOf(row.get("breakdowns")), new TypeReference<>() {});
            Map<String, Long> plan = m.get("plan");
            assertThat(plan.size()).as("values stored per bucket").isLessThanOrEqualTo(BREAKDOWN_LIMIT + 1);
            assertThat(plan).containsKey("$other");
            assertThat(plan.values().stream().mapToLong(Long::longValue).sum())
                    .as("breakdown counts add up")
                    .isEqualTo(Long.parseLong(String.valueOf(row.get("event_count"))));
            plan.keySet().stream()
                    .filter(k -> !k.equals("$other"))
                    .forEach(k -> assertThat(wideValues).contains(k));
        }
    }

    static String printable(String s) {
        String t = s.length() > 60 ? s.substring(0, 60) + "…(" + s.length() + " chars)" : s;
        StringBuilder b = new StringBuilder();
        for (char c : t.toCharArray())
            b.append(c < 32 || c == 127 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        return b.toString();
    }
}
