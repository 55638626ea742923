package io.eventagg.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.config.RunOptions;
import io.eventagg.generate.EventGenerator;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.pipeline.JdbcOutputs;
import io.eventagg.sink.SchemaManager;
import io.eventagg.testing.ClickHouseServer;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.Tiers;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job with horizons into ClickHouse 18.16 (no TTL): the run writes no bucket beyond them, and
 * {@link ExpiredRows} deletes, by mutation, exactly the job's buckets a later clock no longer keeps.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
@ExtendWith(ClickHouseServer.class)
class ExpiredRowsClickHouseTest {
    @TempDir
    Path dir;

    @Test
    void horizonsOnClickHouse() throws Exception {
        Path input = dir.resolve("events.jsonl");
        new EventGenerator(600, 6, 4, Instant.parse("2024-02-20T00:00:00Z"), 0.0).write(input);
        JobDefinition job = JobLoader.parse("""
                name: ch_horizon
                timezone: Europe/Berlin
                granularities: [minute, hour, day]
                horizons: {minute: 2d, hour: 3d}
                """);
        JobDefinition other = JobLoader.parse("name: ch_other\ngranularities: [minute, hour, day]\n");
        try (ClickHouseServer.Database db = ClickHouseServer.createDatabase("test_expire")) {
            SchemaManager.apply(db.settings());
            Instant now = Instant.parse("2024-02-25T10:30:00Z");
            for (JobDefinition j : List.of(job, other))
                Pipelines.run(
                        j,
                        List.of(input),
                        RunOptions.batchDefaults().withNow(now),
                        IngestWatermarks.strategy(j.watermark()),
                        new JdbcOutputs(j.name(), db.settings()),
                        2);
            String rows = "SELECT count() FROM ea_activity WHERE job = '%s' AND granularity = '%s'";
            String before = rows + " AND bucket_start < toDateTime('%s', 'UTC')";
            assertThat(db.count(before.formatted("ch_horizon", "minute", "2024-02-23 10:30:00")))
                    .isZero();
            assertThat(db.count(before.formatted("ch_horizon", "hour", "2024-02-22 10:00:00")))
                    .isZero();
            long days = db.count(rows.formatted("ch_horizon", "day"));
            long otherMinutes = db.count(rows.formatted("ch_other", "minute"));
            long dayCount = db.count(
                    "SELECT sum(event_count) FROM ea_activity WHERE job = 'ch_horizon' AND granularity = 'day'");
            assertThat(dayCount)
                    .as("days hold every event")
                    .isEqualTo(db.count(
                            "SELECT sum(event_count) FROM ea_activity WHERE job = 'ch_other' AND granularity = 'day'"));

            ExpiredRows.delete(
                    db.settings(), job, Instant.parse("2024-02-26T10:30:00Z").toEpochMilli());
            assertThat(db.count(before.formatted("ch_horizon", "minute", "2024-02-24 10:30:00")))
                    .isZero();
            assertThat(db.count(rows.formatted("ch_horizon", "minute")))
                    .as("later minutes stay")
                    .isPositive();
            assertThat(db.count(before.formatted("ch_horizon", "hour", "2024-02-23 10:00:00")))
                    .isZero();
            assertThat(db.count("SELECT count() FROM ea_timeseries WHERE job = 'ch_horizon' AND granularity = 'minute'"
                            + " AND bucket_start < toDateTime('2024-02-24 10:30:00', 'UTC')"))
                    .isZero();
            assertThat(db.count(rows.formatted("ch_horizon", "day"))).isEqualTo(days);
            assertThat(db.count(rows.formatted("ch_other", "minute")))
                    .as("another job's rows are not touched")
                    .isEqualTo(otherMinutes);
        }
    }
}
