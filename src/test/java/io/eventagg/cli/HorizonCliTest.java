package io.eventagg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventagg.testing.CliRun;
import io.eventagg.testing.DuckTables;
import io.eventagg.testing.RefEvent;
import io.eventagg.testing.RefParser;
import io.eventagg.testing.Tiers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job with a minute horizon, as a user drives it: a replay of history as of a set time
 * ({@code --now}), minute queries refused before the horizon and answered after it (against the
 * raw events), hours whole, and {@code expire} deleting what a later clock no longer keeps.
 */
@Tag(Tiers.SERVICES)
class HorizonCliTest {
    @TempDir
    Path dir;

    @Test
    void replayQueryAndExpire() throws Exception {
        Path data = dir.resolve("events.jsonl");
        Path job = dir.resolve("job.yaml");
        Files.writeString(job, """
                name: h
                timezone: UTC
                granularities: [minute, hour, day]
                horizons: {minute: 2d}
                """);
        String sink = "jdbc:duckdb:" + dir.resolve("h.duckdb");
        assertThat(CliRun.of("generate", "--users", "400", "--days", "8", "--seed", "9", "--out", data.toString())
                        .status())
                .isZero();
        String now = "2024-01-08T12:00:30Z";
        CliRun.Result run =
                CliRun.of("run", "--job", job.toString(), "--input", data.toString(), "--sink", sink, "--now", now);
        assertThat(run.status()).as(run.err()).isZero();

        CliRun.Result refused = query(job, sink, "minute", "2024-01-06T00:00:00Z", "2024-01-07T00:00:00Z", now);
        assertThat(refused.status()).isEqualTo(2);
        assertThat(refused.err())
                .contains("--from: job 'h' keeps minute buckets for 2d (horizons.minute): the oldest is"
                        + " 2024-01-06T12:00:00Z");
        CliRun.Result wallClock = query(job, sink, "minute", "2024-01-07T00:00:00Z", "2024-01-07T01:00:00Z", null);
        assertThat(wallClock.status())
                .as("without --now the horizon is measured from the wall clock, years after the data")
                .isEqualTo(2);

        Map<Long, Long> perMinute = new HashMap<>();
        Map<Long, Long> perHour = new HashMap<>();
        for (RefEvent e : RefParser.read(data, "production").events()) {
            perMinute.merge(e.timestamp() / 60_000 * 60_000, 1L, Long::sum);
            perHour.merge(e.timestamp() / 3_600_000 * 3_600_000, 1L, Long::sum);
        }
        CliRun.Result minutes = query(job, sink, "minute", "2024-01-06T12:00:00Z", "2024-01-06T14:00:00Z", now);
        assertThat(minutes.status()).as(minutes.err()).isZero();
        JsonNode series = new ObjectMapper().readTree(minutes.out()).get("series");
        assertThat(series).hasSize(120);
        long nonZero = 0;
        for (JsonNode p : series) {
            long t = Instant.parse(p.get("timestamp").asText()).toEpochMilli();
            assertThat(p.get("count").asLong())
                    .as("minute %s", p.get("timestamp"))
                    .isEqualTo(perMinute.getOrDefault(t, 0L));
            if (p.get("count").asLong() > 0) nonZero++;
        }
        assertThat(nonZero).as("the data has events in those minutes").isPositive();
        CliRun.Result hours = query(job, sink, "hour", "2024-01-01T00:00:00Z", "2024-01-09T00:00:00Z", now);
        assertThat(hours.status()).as(hours.err()).isZero();
        for (JsonNode p : new ObjectMapper().readTree(hours.out()).get("series")) {
            long t = Instant.parse(p.get("timestamp").asText()).toEpochMilli();
            assertThat(p.get("count").asLong())
                    .as("hour %s", p.get("timestamp"))
                    .isEqualTo(perHour.getOrDefault(t, 0L));
        }

        String old = "SELECT count(*) FROM ea_activity WHERE granularity = 'minute' AND bucket_start < TIMESTAMP ";
        assertThat(DuckTables.count(sink, old + "'2024-01-06 12:00:00'"))
                .as("none before the horizon")
                .isZero();
        long kept = DuckTables.count(sink, old + "'2024-01-07 12:00:00'");
        assertThat(kept).isPositive();
        long hourRows = DuckTables.count(sink, "SELECT count(*) FROM ea_timeseries WHERE granularity = 'hour'");

        CliRun.Result expire =
                CliRun.of("expire", "--job", job.toString(), "--sink", sink, "--now", "2024-01-09T12:00:00Z");
        assertThat(expire.status()).as(expire.err()).isZero();
        assertThat(expire.out()).contains("minute buckets before 2024-01-07T12:00:00Z deleted");
        assertThat(DuckTables.count(sink, old + "'2024-01-07 12:00:00'")).isZero();
        assertThat(DuckTables.count(sink, "SELECT count(*) FROM ea_timeseries WHERE granularity = 'minute'"))
                .as("the newer minutes stay")
                .isPositive();
        assertThat(DuckTables.count(sink, "SELECT count(*) FROM ea_timeseries WHERE granularity = 'hour'"))
                .isEqualTo(hourRows);
    }

    private static CliRun.Result query(Path job, String sink, String granularity, String from, String to, String now) {
        String[] base = {
            "query",
            "timeseries",
            "--job",
            job.toString(),
            "--sink",
            sink,
            "--granularity",
            granularity,
            "--from",
            from,
            "--to",
            to,
            "--format",
            "json"
        };
        if (now == null) return CliRun.of(base);
        String[] args = java.util.Arrays.copyOf(base, base.length + 2);
        args[base.length] = "--now";
        args[base.length + 1] = now;
        return CliRun.of(args);
    }
}
