package io.eventagg.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.generate.EventGenerator;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.pipeline.JdbcOutputs;
import io.eventagg.query.FunnelQuery;
import io.eventagg.query.JdbcAggregationStorage;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import io.eventagg.testing.FunnelTables;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.RefEvent;
import io.eventagg.testing.RefFunnels;
import io.eventagg.testing.RefJobFunnels;
import io.eventagg.testing.RefParser;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.TestJobs;
import io.eventagg.testing.Tiers;
import io.eventagg.testing.Watermarks;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Funnels on a MiniCluster at parallelism 2 over a generated dataset of 20,000 users, compared per
 * entry day and step with the plain reference implementation: ordered with an exclusion, strict,
 * and a second ordered funnel; batch, and streaming with late events.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
class FunnelPipelineTest {

    @TempDir
    static Path dir;

    static Path input;
    static RefParser.Parsed parsed;

    @BeforeAll
    static void generate() throws Exception {
        input = dir.resolve("events.jsonl");
        new EventGenerator(20_000, 12, 11, Instant.parse("2024-03-05T00:00:00Z"), 0.005).write(input);
        parsed = RefParser.read(input, "production");
    }

    @Test
    void batchMatchesReference() throws Exception {
        JobDefinition job = TestJobs.withFunnels("funnels_batch", "America/New_York");
        String url = "jdbc:duckdb:" + dir.resolve("fb.duckdb");
        SchemaManager.apply(SinkSettings.of(url));
        Pipelines.run(
                job,
                List.of(input),
                RunOptions.batchDefaults(),
                IngestWatermarks.strategy(job.watermark()),
                new JdbcOutputs(job.name(), SinkSettings.of(url)),
                2);
        FunnelTables.assertMatchReference(url, job.timezone(), parsed.events());
        assertRangeQueries(url, job, parsed.events());
    }

    @Test
    void streamingWithLateEventsMatchesReferenceOfOnTimeEvents() throws Exception {
        JobDefinition job = TestJobs.withFunnels("funnels_stream", "America/New_York");
        String url = "jdbc:duckdb:" + dir.resolve("fs.duckdb");
        SchemaManager.apply(SinkSettings.of(url));
        Pipelines.run(
                job,
                List.of(input),
                RunOptions.streamingDefaults(),
                Watermarks.perEvent(job.watermark().outOfOrderness()),
                new JdbcOutputs(job.name(), SinkSettings.of(url)),
                2);
        List<RefEvent> onTime = Watermarks.onTimeUnderPerEvent(
                parsed.events(),
                job.watermark().outOfOrderness(),
                job.watermark().allowedLateness());
        assertThat(onTime.size()).isLessThan(parsed.events().size());
        FunnelTables.assertMatchReference(url, job.timezone(), onTime);
    }

    /** query funnel over ranges of entry days equals the reference's union of users and pooled times. */
    private static void assertRangeQueries(String url, JobDefinition job, List<RefEvent> events) throws Exception {
        ZoneId zone = job.timezone();
        try (var storage = new JdbcAggregationStorage(job, SinkSettings.of(url))) {
            for (int f = 0; f < RefJobFunnels.NAMES.size(); f++) {
                Map<RefFunnels.Key, RefFunnels.Cell> cells =
                        RefFunnels.compute(events, RefJobFunnels.all().get(f), zone);
                for (String[] range : new String[][] {{"2024-03-05", "2024-03-17"}, {"2024-03-08", "2024-03-11"}}) {
                    long from = LocalDate.parse(range[0])
                            .atStartOfDay(zone)
                            .toInstant()
                            .toEpochMilli();
                    long to = LocalDate.parse(range[1])
                            .atStartOfDay(zone)
                            .toInstant()
                            .toEpochMilli();
                    var result = storage.funnel(new FunnelQuery(
                            RefJobFunnels.NAMES.get(f), Instant.ofEpochMilli(from), Instant.ofEpochMilli(to), null));
                    List<Set<String>> users = new ArrayList<>();
                    List<List<Double>> fromPrev = new ArrayList<>();
                    for (int k = 0; k < 3; k++) {
                        users.add(new HashSet<>());
                        fromPrev.add(new ArrayList<>());
                    }
                    for (Map.Entry<RefFunnels.Key, RefFunnels.Cell> c : cells.entrySet()) {
                        if (c.getKey().entryDay() < from || c.getKey().entryDay() >= to) continue;
                        int k = c.getKey().step() - 1;
                        for (String u : c.getValue().users)
                            users.get(k).add(c.getKey().environment() + "/" + u);
                        fromPrev.get(k).addAll(c.getValue().fromPrevious);
                    }
                    String where = RefJobFunnels.NAMES.get(f) + " " + range[0] + ".." + range[1];
                    for (int k = 0; k < 3; k++) {
                        var step = result.steps().get(k);
                        int exact = users.get(k).size();
                        if (exact <= 1000)
                            assertThat(step.users())
                                    .as(where + " step " + (k + 1))
                                    .isEqualTo(exact);
                        else
                            assertThat(Math.abs(step.users() - exact) / (double) exact)
                                    .as(where)
                                    .isLessThan(0.02);
                        if (k > 0 && !fromPrev.get(k).isEmpty()) {
                            double mean = fromPrev.get(k).stream()
                                    .mapToDouble(Double::doubleValue)
                                    .average()
                                    .orElseThrow();
                            assertThat(step.avgTimeFromPreviousSeconds())
                                    .as(where)
                                    .isCloseTo(mean, Offset.offset(1e-6));
                            assertThat(step.conversionRate())
                                    .isCloseTo(
                                            step.users()
                                                    / (double) result.steps()
                                                            .get(k - 1)
                                                            .users(),
                                            Offset.offset(1e-12));
                        }
                    }
                    assertThat(result.overallConversionRate())
                            .isCloseTo(
                                    result.steps().get(0).users() == 0
                                            ? 0
                                            : result.steps().get(2).users()
                                                    / (double) result.steps()
                                                            .get(0)
                                                            .users(),
                                    Offset.offset(1e-12));
                    long dataEnd =
                            events.stream().mapToLong(RefEvent::timestamp).max().orElseThrow();
                    assertThat(result.incomplete())
                            .as(where + ": open while a window reaches past the data")
                            .isEqualTo(to + RefJobFunnels.all().get(f).windowMs() > dataEnd);
                }
            }
        }
    }
}
