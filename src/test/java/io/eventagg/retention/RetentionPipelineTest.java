package io.eventagg.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.generate.EventGenerator;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.pipeline.JdbcOutputs;
import io.eventagg.query.JdbcAggregationStorage;
import io.eventagg.query.RetentionQuery;
import io.eventagg.query.RetentionResult;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.RefEvent;
import io.eventagg.testing.RefJobRetention;
import io.eventagg.testing.RefParser;
import io.eventagg.testing.RefRetention;
import io.eventagg.testing.RefTimeSeries;
import io.eventagg.testing.RetentionTables;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.TestJobs;
import io.eventagg.testing.Tiers;
import io.eventagg.testing.Watermarks;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Retention on a MiniCluster at parallelism 2 compared with the plain reference: weekly first-time,
 * daily recurring and monthly first-time definitions over 70 days that include a leap day and
 * month ends, in UTC and America/New_York (DST), in batch and in streaming with late events.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
class RetentionPipelineTest {

    @TempDir
    static Path dir;

    static Path input;
    static RefParser.Parsed parsed;

    @BeforeAll
    static void generate() throws Exception {
        input = dir.resolve("events.jsonl");
        new EventGenerator(4000, 70, 23, Instant.parse("2024-01-20T00:00:00Z"), 0.005).write(input);
        parsed = RefParser.read(input, "production");
    }

    @ParameterizedTest
    @CsvSource({"UTC,batch", "America/New_York,batch", "America/New_York,streaming"})
    void matchesReference(String zone, String mode) throws Exception {
        JobDefinition job = TestJobs.withRetention("ret_" + mode, zone);
        String url = "jdbc:duckdb:" + dir.resolve("r-" + mode + zone.replace('/', '_') + ".duckdb");
        SchemaManager.apply(SinkSettings.of(url));
        boolean streaming = mode.equals("streaming");
        Pipelines.run(
                job,
                List.of(input),
                streaming ? RunOptions.streamingDefaults() : RunOptions.batchDefaults(),
                streaming
                        ? Watermarks.perEvent(job.watermark().outOfOrderness())
                        : IngestWatermarks.strategy(job.watermark()),
                new JdbcOutputs(job.name(), SinkSettings.of(url)),
                2);
        List<RefEvent> events = parsed.events();
        if (streaming) {
            events = Watermarks.onTimeUnderPerEvent(
                    events, job.watermark().outOfOrderness(), job.watermark().allowedLateness());
        }

        RetentionTables.assertMatchReference(url, job.timezone(), events);
        for (int d = 0; d < RefJobRetention.NAMES.size(); d++) {
            String name = RefJobRetention.NAMES.get(d);
            RefRetention.Definition def = RefJobRetention.all().get(d);
            Map<RefRetention.Key, RefRetention.Cohort> expected = RefRetention.compute(events, def, job.timezone());
            assertQuery(url, job, name, def, expected, events);
        }
    }

    /** query retention: shares per cohort for elapsed periods only, and the size-weighted overall curve. */
    private static void assertQuery(
            String url,
            JobDefinition job,
            String name,
            RefRetention.Definition def,
            Map<RefRetention.Key, RefRetention.Cohort> expected,
            List<RefEvent> events) {
        long dataEnd = events.stream().mapToLong(RefEvent::timestamp).max().orElseThrow();
        Instant from = Instant.parse("2024-01-01T00:00:00Z"), to = Instant.parse("2024-04-01T00:00:00Z");
        for (boolean onOrAfter : new boolean[] {false, true}) {
            RetentionResult r;
            try (var storage = new JdbcAggregationStorage(job, SinkSettings.of(url))) {
                r = storage.retention(new RetentionQuery(name, from, to, onOrAfter, null));
            }
            Map<Long, long[]> byCohort = new TreeMap<>();
            expected.forEach((k, c) -> {
                long[] acc = byCohort.computeIfAbsent(k.cohortStart(), x -> new long[def.periods() + 2]);
                acc[0] += c.size;
                for (int p = 0; p <= def.periods(); p++) acc[1 + p] += onOrAfter ? c.onOrAfter[p] : c.on[p];
            });
            assertThat(r.cohorts()).as(name).hasSize(byCohort.size());
            double[] num = new double[def.periods() + 1], den = new double[def.periods() + 1];
            int i = 0;
            for (Map.Entry<Long, long[]> c : byCohort.entrySet()) {
                var got = r.cohorts().get(i++);
                assertThat(got.cohortDate().toEpochMilli()).isEqualTo(c.getKey());
                assertThat(got.cohortSize()).isEqualTo(c.getValue()[0]);
                assertThat(got.retention().get(0)).isEqualTo(1.0);
                for (int p = 0; p <= def.periods(); p++) {
                    long periodEnd = RefTimeSeries.bucketStart(
                            def.period(), nthBucket(def.period(), c.getKey(), p + 1, job.timezone()), job.timezone());
                    boolean elapsed = dataEnd >= periodEnd;
                    assertThat(got.complete().get(p))
                            .as(name + " " + c.getKey() + " P" + p)
                            .isEqualTo(elapsed);
                    if (!elapsed) {
                        if (p > 0) assertThat(got.retention().get(p)).isNull();
                        continue;
                    }
                    if (p > 0)
                        assertThat(got.retention().get(p))
                                .isCloseTo(c.getValue()[1 + p] / (double) c.getValue()[0], Offset.offset(1e-12));
                    num[p] += p == 0 ? c.getValue()[0] : c.getValue()[1 + p];
                    den[p] += c.getValue()[0];
                }
            }
            for (int p = 0; p <= def.periods(); p++) {
                if (den[p] == 0) assertThat(r.overallRetention().get(p)).isNull();
                else assertThat(r.overallRetention().get(p)).isCloseTo(num[p] / den[p], Offset.offset(1e-12));
            }
        }
    }

    private static long nthBucket(String period, long start, int n, ZoneId zone) {
        LocalDate d = Instant.ofEpochMilli(start).atZone(zone).toLocalDate();
        d = switch (period) {
            case "day" -> d.plusDays(n);
            case "week" -> d.plusWeeks(n);
            default -> d.plusMonths(n);
        };
        return d.atStartOfDay(zone).toInstant().toEpochMilli();
    }
}
