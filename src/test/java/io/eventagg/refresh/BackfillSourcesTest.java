package io.eventagg.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.generate.EventGenerator;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.ingest.KafkaSettings;
import io.eventagg.pipeline.JdbcOutputs;
import io.eventagg.query.AggregationResult;
import io.eventagg.query.JdbcAggregationStorage;
import io.eventagg.query.QueryException;
import io.eventagg.query.RawEvents;
import io.eventagg.query.TimeSeriesQuery;
import io.eventagg.runtime.FlinkSettings;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import io.eventagg.testing.ClickHouseServer;
import io.eventagg.testing.KafkaBroker;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.QuerySnapshot;
import io.eventagg.testing.RawEventsLoader;
import io.eventagg.testing.RefEvent;
import io.eventagg.testing.RefParser;
import io.eventagg.testing.RefTimeSeries;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.TestJobs;
import io.eventagg.testing.Tiers;
import io.eventagg.time.Granularity;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A backfill of the whole range into an empty database gives exactly the answers of a batch run,
 * from each of the three sources (files, Kafka between timestamps, the raw events table in
 * ClickHouse) into DuckDB and into the real ClickHouse server.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
@ExtendWith(ClickHouseServer.class)
class BackfillSourcesTest {

    static final Instant START = Instant.parse("2024-03-25T00:00:00Z");
    static final Instant END = Instant.parse("2024-04-04T00:00:00Z");
    static final String TOPIC = "raw-events";
    static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    @TempDir
    static Path dir;

    static Path file;
    static JobDefinition job;
    static Map<String, String> expected;
    static KafkaBroker kafka;
    static ClickHouseServer.Database rawDb;
    static List<ClickHouseServer.Database> databases = new ArrayList<>();

    @BeforeAll
    static void prepare() throws Exception {
        file = dir.resolve("events.jsonl");
        new EventGenerator(1500, 10, 17, START, 0.01).write(file);
        job = TestJobs.full("sources", "UTC");
        SinkSettings reference = SinkSettings.of("jdbc:duckdb:" + dir.resolve("reference.duckdb"));
        SchemaManager.apply(reference);
        Pipelines.run(
                job,
                List.of(file),
                RunOptions.batchDefaults(),
                IngestWatermarks.strategy(job.watermark()),
                new JdbcOutputs(job.name(), reference),
                2);
        expected = QuerySnapshot.of(job, reference, START, END);

        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        kafka = KafkaBroker.start();
        kafka.createTopic(TOPIC, 3);
        kafka.produce(TOPIC, 3, lines);

        rawDb = ClickHouseServer.createDatabase("raw");
        databases.add(rawDb);
        SchemaManager.applyRawEvents(rawDb.settings());
        RawEventsLoader.load(rawDb, lines);
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) kafka.close();
        for (ClickHouseServer.Database d : databases) d.close();
    }

    @org.junit.jupiter.api.Test
    void oneUsersSeriesComesFromTheRawEventsTable() throws Exception {
        var parsed = RefParser.read(file, "production");
        String user = parsed.events().stream()
                .collect(Collectors.groupingBy(RefEvent::distinctId, Collectors.counting()))
                .entrySet()
                .stream()
                .max(Map.Entry.comparingByValue())
                .orElseThrow()
                .getKey();
        var q = new TimeSeriesQuery(
                List.of("pageview", "signup"), START, END, Granularity.DAY, null, List.of("plan", "path"), user);
        SinkSettings reference = SinkSettings.of("jdbc:duckdb:" + dir.resolve("reference.duckdb"));
        AggregationResult r;
        try (var s = new JdbcAggregationStorage(job, reference, new RawEvents(rawDb.settings(), "events"))) {
            r = s.query(q);
        }
        Map<Long, Long> perDay = new TreeMap<>();
        Map<String, Long> paths = new TreeMap<>();
        for (var e : parsed.events()) {
            if (!e.distinctId().equals(user)
                    || !(e.event().equals("pageview") || e.event().equals("signup"))) continue;
            if (e.timestamp() < START.toEpochMilli() || e.timestamp() >= END.toEpochMilli()) continue;
            perDay.merge(RefTimeSeries.bucketStart("day", e.timestamp(), ZoneOffset.UTC), 1L, Long::sum);
            if (e.properties().get("path") != null) paths.merge(e.properties().get("path"), 1L, Long::sum);
        }
        assertThat(r.total())
                .isEqualTo(perDay.values().stream().mapToLong(Long::longValue).sum())
                .isPositive();
        assertThat(r.uniqueUsers()).isEqualTo(1);
        for (var p : r.series()) {
            assertThat(p.count())
                    .as(p.timestamp().toString())
                    .isEqualTo(perDay.getOrDefault(p.timestamp().toEpochMilli(), 0L));
        }
        assertThat(new TreeMap<>(r.breakdownTotals().get("path")))
                .as("any property works for one user")
                .isEqualTo(paths);

        try (var s = new JdbcAggregationStorage(job, reference)) {
            Assertions.assertThatThrownBy(() -> s.query(q))
                    .isInstanceOf(QueryException.class)
                    .hasMessageContaining("raw events table");
        }
    }

    @ParameterizedTest(name = "{0} into {1}")
    @CsvSource({
        "files,duckdb",
        "kafka,duckdb",
        "table,duckdb",
        "files,clickhouse",
        "kafka,clickhouse",
        "table,clickhouse"
    })
    void backfillIntoAnEmptyDatabaseEqualsABatchRun(String source, String sink) throws Exception {
        SinkSettings target;
        if (sink.equals("duckdb")) {
            target = SinkSettings.of("jdbc:duckdb:" + dir.resolve(source + ".duckdb"));
        } else {
            ClickHouseServer.Database db = ClickHouseServer.createDatabase("backfill");
            databases.add(db);
            target = db.settings();
        }
        BackfillSource from = switch (source) {
            case "files" -> new FilesBackfillSource(List.of(file.toString()));
            case "kafka" ->
                new KafkaBackfillSource(new KafkaSettings(
                        kafka.bootstrapServers(),
                        List.of(TOPIC),
                        null,
                        "backfill-test",
                        KafkaSettings.Position.EARLIEST,
                        null,
                        Map.of()));
            default -> new RawEventsTableSource(rawDb.settings(), "events");
        };
        Backfill.Summary s = Backfill.run(
                FlinkSettings.base(false),
                job,
                new RefreshRange(job, START, END),
                from,
                target,
                new PrintStream(OutputStream.nullOutputStream()));
        assertThat(s.aggregated()).isPositive();
        Map<String, String> actual = QuerySnapshot.of(job, target, START, END);
        for (String k : expected.keySet())
            assertThat(actual.get(k)).as(source + " into " + sink + ": " + k).isEqualTo(expected.get(k));
    }
}
