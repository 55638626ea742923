package io.eventagg.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.config.RunOptions;
import io.eventagg.generate.EventGenerator;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import io.eventagg.testing.DuckTables;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.RefEvent;
import io.eventagg.testing.RefParser;
import io.eventagg.testing.SeriesTables;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.TestJobs;
import io.eventagg.testing.Tiers;
import io.eventagg.testing.Watermarks;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole time-series path on a MiniCluster at parallelism 2 into DuckDB, compared bucket by
 * bucket with a reference computed from the raw events: a generated dataset of more than 50,000
 * events across month, week and DST boundaries, in UTC and in America/New_York.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
class TimeSeriesPipelineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> GRANULARITIES = List.of("minute", "hour", "day", "week", "month");

    @TempDir
    static Path dir;

    static Path input;
    static RefParser.Parsed parsed;

    @BeforeAll
    static void generate() throws Exception {
        input = dir.resolve("events.jsonl");
        // 2024-02-20 .. 2024-03-15 crosses a month end, several weeks and the US DST change of 2024-03-10.
        new EventGenerator(7000, 25, 42, Instant.parse("2024-02-20T00:00:00Z"), 0.01).write(input);
        parsed = RefParser.read(input, "production");
        assertThat(parsed.events()).hasSizeGreaterThan(50_000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"UTC", "America/New_York"})
    void batchRunMatchesReference(String zone) throws Exception {
        JobDefinition job = TestJobs.timeSeries("ts_batch", zone);
        String url = "jdbc:duckdb:" + dir.resolve("batch-" + zone.replace('/', '_') + ".duckdb");
        SchemaManager.apply(SinkSettings.of(url));

        Pipelines.Counts counts = Pipelines.run(
                job,
                List.of(input),
                RunOptions.batchDefaults(),
                IngestWatermarks.strategy(job.watermark()),
                new JdbcOutputs(job.name(), SinkSettings.of(url)),
                2);

        assertThat(counts.read()).isEqualTo(parsed.lines());
        assertThat(counts.dead()).isEqualTo(parsed.bad());
        assertThat(counts.late()).isZero();
        assertThat(counts.aggregated()).isEqualTo(parsed.events().size());
        assertMatches(url, job, parsed.events());
    }

    @ParameterizedTest
    @ValueSource(strings = {"UTC", "America/New_York"})
    void streamingRunMatchesReferenceWithoutLateEvents(String zone) throws Exception {
        JobDefinition job = TestJobs.timeSeries("ts_stream", zone);
        String url = "jdbc:duckdb:" + dir.resolve("stream-" + zone.replace('/', '_') + ".duckdb");
        SchemaManager.apply(SinkSettings.of(url));
        Duration ooo = job.watermark().outOfOrderness();
        Duration lateness = job.watermark().allowedLateness();

        Pipelines.Counts counts = Pipelines.run(
                job,
                List.of(input),
                RunOptions.streamingDefaults(),
                Watermarks.perEvent(ooo),
                new JdbcOutputs(job.name(), SinkSettings.of(url)),
                2);

        boolean[] late = Watermarks.lateUnderPerEvent(parsed.events(), ooo, lateness);
        List<RefEvent> onTime = new ArrayList<>();
        int lateCount = 0;
        for (int i = 0; i < late.length; i++) {
            if (late[i]) lateCount++;
            else onTime.add(parsed.events().get(i));
        }
        assertThat(lateCount)
                .as("the generated data has events later than the allowed lateness")
                .isPositive();
        assertThat(counts.late()).isEqualTo(lateCount);
        assertThat(counts.read()).isEqualTo(counts.aggregated() + counts.dead() + counts.late());
        assertThat(DuckTables.count(url, "SELECT count(*) FROM ea_late_events")).isEqualTo(lateCount);
        assertMatches(url, job, onTime);
    }

    /**
     * Horizons for minutes (3 days) and hours (10 days, across the DST change), measured from a set
     * time inside the data: minute and hour buckets only from there on, every coarser bucket whole.
     */
    @ParameterizedTest
    @ValueSource(strings = {"batch", "streaming"})
    void horizonsKeepRecentFineBucketsAndEveryCoarseOne(String mode) throws Exception {
        String zone = "America/New_York";
        JobDefinition job = JobLoader.parse("""
                name: ts_horizon
                timezone: %s
                granularities: [minute, hour, day, week, month]
                horizons: {minute: 3d, hour: 10d}
                breakdowns: [plan, country, path]
                breakdown_limit: 5
                watermark: {out_of_orderness: 30s, allowed_lateness: 30d, emit_interval: 1s}
                """.formatted(zone));
        Instant now = Instant.parse("2024-03-14T15:37:20Z");
        String url = "jdbc:duckdb:" + dir.resolve("horizon-" + mode + ".duckdb");
        SchemaManager.apply(SinkSettings.of(url));
        boolean streaming = mode.equals("streaming");
        Pipelines.Counts counts = Pipelines.run(
                job,
                List.of(input),
                (streaming ? RunOptions.streamingDefaults() : RunOptions.batchDefaults()).withNow(now),
                streaming
                        ? Watermarks.perEvent(job.watermark().outOfOrderness())
                        : IngestWatermarks.strategy(job.watermark()),
                new JdbcOutputs(job.name(), SinkSettings.of(url)),
                2);

        assertThat(counts.late()).as("30 days of lateness: nothing late").isZero();
        assertThat(counts.aggregated()).isEqualTo(parsed.events().size());
        long minutes = DuckTables.count(url, "SELECT count(*) FROM ea_activity WHERE granularity = 'minute'");
        long oldMinutes = DuckTables.count(
                url,
                "SELECT count(*) FROM ea_timeseries WHERE granularity = 'minute' AND bucket_start < TIMESTAMP '2024-03-11 15:37:00'");
        assertThat(minutes).as("the last three days have minute buckets").isPositive();
        assertThat(oldMinutes).as("nothing before the minute horizon").isZero();
        SeriesTables.assertMatchReference(
                DuckTables.rows(url, "SELECT * FROM ea_timeseries"),
                DuckTables.rows(url, "SELECT * FROM ea_activity"),
                job,
                GRANULARITIES,
                parsed.events(),
                true,
                now.toEpochMilli());
    }

    private static void assertMatches(String url, JobDefinition job, List<RefEvent> events) throws Exception {
        SeriesTables.assertMatchReference(
                DuckTables.rows(url, "SELECT * FROM ea_timeseries"),
                DuckTables.rows(url, "SELECT * FROM ea_activity"),
                job,
                GRANULARITIES,
                events,
                true);
    }
}
