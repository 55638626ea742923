package io.eventagg.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.generate.EventGenerator;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.pipeline.JdbcOutputs;
import io.eventagg.runtime.FlinkSettings;
import io.eventagg.sink.SchemaManager;
import io.eventagg.testing.ClickHouseServer;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.QuerySnapshot;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.TestJobs;
import io.eventagg.testing.Tiers;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repair and idempotence on the real ClickHouse server, where replaced rows stay until merges and
 * stale rows are deleted by an asynchronous mutation: inside the refreshed range the answers become
 * those of a run over the complete data, rows that should no longer exist are gone, answers outside
 * the range are unchanged, and a second identical refresh changes no answer.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
@ExtendWith(ClickHouseServer.class)
class ClickHouseRefreshTest {

    @TempDir
    Path dir;

    @Test
    void refreshRepairsTheRangeOnClickHouse() throws Exception {
        Instant start = Instant.parse("2024-03-25T00:00:00Z");
        Path complete = dir.resolve("complete.jsonl");
        new EventGenerator(1500, 10, 21, start, 0.0).write(complete);
        List<String> lines = Files.readAllLines(complete, StandardCharsets.UTF_8);
        List<String> damaged = new ArrayList<>();
        for (String l : lines) {
            if (!(l.contains("\"u3") && (l.contains("2024-03-28T") || l.contains("2024-03-29T")))) damaged.add(l);
        }
        damaged.add("{\"event\":\"bogus\",\"distinct_id\":\"x\",\"timestamp\":\"2024-03-29T12:00:00Z\"}");
        damaged.add("{\"event\":\"bogus\",\"distinct_id\":\"x\",\"timestamp\":\"2024-04-03T12:00:00Z\"}");
        Path damagedFile = dir.resolve("damaged.jsonl");
        Files.write(damagedFile, damaged, StandardCharsets.UTF_8);

        JobDefinition job = TestJobs.full("chrefresh", "UTC");
        try (ClickHouseServer.Database truth = ClickHouseServer.createDatabase("truth");
                ClickHouseServer.Database repaired = ClickHouseServer.createDatabase("repaired")) {
            for (var db : List.of(truth, repaired)) SchemaManager.apply(db.settings());
            Pipelines.run(
                    job,
                    List.of(complete),
                    RunOptions.batchDefaults(),
                    IngestWatermarks.strategy(job.watermark()),
                    new JdbcOutputs(job.name(), truth.settings()),
                    2);
            Pipelines.run(
                    job,
                    List.of(damagedFile),
                    RunOptions.batchDefaults(),
                    IngestWatermarks.strategy(job.watermark()),
                    new JdbcOutputs(job.name(), repaired.settings()),
                    2);
            Instant from = Instant.parse("2024-03-28T00:00:00Z"), to = Instant.parse("2024-03-30T00:00:00Z");
            Instant laterFrom = Instant.parse("2024-04-02T00:00:00Z"), laterTo = Instant.parse("2024-04-04T00:00:00Z");
            Map<String, String> outsideBefore = QuerySnapshot.of(job, repaired.settings(), laterFrom, laterTo);
            Map<String, String> insideBefore = QuerySnapshot.of(job, repaired.settings(), from, to);
            Map<String, String> insideTruth = QuerySnapshot.of(job, truth.settings(), from, to);
            assertThat(insideBefore).as("the damage shows").isNotEqualTo(insideTruth);

            for (int run = 1; run <= 2; run++) {
                Backfill.run(
                        FlinkSettings.base(false),
                        job,
                        new RefreshRange(job, from, to),
                        new FilesBackfillSource(List.of(complete.toString())),
                        repaired.settings(),
                        new PrintStream(OutputStream.nullOutputStream()));
                Map<String, String> inside = QuerySnapshot.of(job, repaired.settings(), from, to);
                Map<String, String> outside = QuerySnapshot.of(job, repaired.settings(), laterFrom, laterTo);
                for (String k : insideTruth.keySet())
                    assertThat(inside.get(k)).as("run " + run + " inside: " + k).isEqualTo(insideTruth.get(k));
                for (String k : outsideBefore.keySet())
                    assertThat(outside.get(k))
                            .as("run " + run + " outside: " + k)
                            .isEqualTo(outsideBefore.get(k));
                assertThat(
                                repaired.count(
                                        "SELECT count() FROM ea_timeseries FINAL WHERE event = 'bogus' AND bucket_start < toDateTime('2024-04-01 00:00:00', 'UTC')"))
                        .as("the bogus rows of March are deleted")
                        .isZero();
                assertThat(
                                repaired.count(
                                        "SELECT count() FROM ea_timeseries FINAL WHERE event = 'bogus' AND granularity = 'day'"))
                        .as("the April one stays")
                        .isEqualTo(1);
            }
            assertThat(repaired.count("SELECT count() FROM ea_refreshes FINAL WHERE status = 'done'"))
                    .isEqualTo(2);
        }
    }
}
