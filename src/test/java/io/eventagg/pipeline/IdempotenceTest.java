package io.eventagg.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.generate.EventGenerator;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.query.AggregationResult;
import io.eventagg.query.JdbcAggregationStorage;
import io.eventagg.query.TimeSeriesQuery;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import io.eventagg.testing.DuckTables;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.TestJobs;
import io.eventagg.testing.Tiers;
import io.eventagg.time.Granularity;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Running the same input twice into the same database leaves tables and answers exactly as before. */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
class IdempotenceTest {

    @TempDir
    Path dir;

    @Test
    void secondRunChangesNothing() throws Exception {
        Path input = dir.resolve("e.jsonl");
        new EventGenerator(1500, 10, 3, Instant.parse("2024-01-25T00:00:00Z"), 0.01).write(input);
        JobDefinition job = TestJobs.timeSeries("idem", "Europe/Berlin");
        String url = "jdbc:duckdb:" + dir.resolve("idem.duckdb");
        SchemaManager.apply(SinkSettings.of(url));

        Pipelines.run(
                job,
                List.of(input),
                RunOptions.batchDefaults(),
                IngestWatermarks.strategy(job.watermark()),
                new JdbcOutputs(job.name(), SinkSettings.of(url)),
                2);
        List<Object> first = snapshot(url, job);
        Pipelines.run(
                job,
                List.of(input),
                RunOptions.batchDefaults(),
                IngestWatermarks.strategy(job.watermark()),
                new JdbcOutputs(job.name(), SinkSettings.of(url)),
                2);
        List<Object> second = snapshot(url, job);

        assertThat(second).isEqualTo(first);
        assertThat(DuckTables.count(url, "SELECT count(*) FROM ea_timeseries")).isPositive();
    }

    private static List<Object> snapshot(String url, JobDefinition job) throws Exception {
        List<Object> all = new ArrayList<>();
        for (String t : List.of("ea_timeseries", "ea_activity", "ea_dead_letters", "ea_late_events", "ea_progress")) {
            List<Map<String, Object>> rows = DuckTables.rows(url, "SELECT * FROM " + t + " ORDER BY ALL");
            all.add(rows.toString());
        }
        try (JdbcAggregationStorage s = new JdbcAggregationStorage(job, SinkSettings.of(url))) {
            for (Granularity g : job.granularities()) {
                Instant from = Instant.parse("2024-01-20T00:00:00Z"), to = Instant.parse("2024-02-10T00:00:00Z");
                if (g == Granularity.MINUTE) to = Instant.parse("2024-01-27T00:00:00Z");
                AggregationResult all1 =
                        s.query(new TimeSeriesQuery(List.of(), from, to, g, null, List.of("plan"), null));
                AggregationResult some = s.query(new TimeSeriesQuery(
                        List.of("signup", "purchase"), from, to, g, "production", List.of("plan", "country"), null));
                all.add(all1.toString());
                all.add(some.toString());
            }
        }
        return all;
    }
}
