package io.eventagg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventagg.testing.CliRun;
import io.eventagg.testing.RefEvent;
import io.eventagg.testing.RefParser;
import io.eventagg.testing.RefTimeSeries;
import io.eventagg.testing.Tiers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a user drives it: generate, run into DuckDB, then query timeseries as JSON, compared
 * with the reference. Also checks the exit status and message of a configuration error.
 */
@Tag(Tiers.SERVICES)
class CliRoundTripTest {
    @TempDir
    Path dir;

    static CliRun.Result cli(String... args) {
        return CliRun.of(args);
    }

    @Test
    void generateRunAndQueryAsJson() throws Exception {
        Path data = dir.resolve("events.jsonl.gz");
        Path job = dir.resolve("job.yaml");
        Files.writeString(job, """
                name: cli
                timezone: Asia/Kolkata
                granularities: [hour, day, week]
                breakdowns: [plan]
                """);
        String sink = "jdbc:duckdb:" + dir.resolve("cli.duckdb");
        assertThat(cli("generate", "--users", "800", "--days", "8", "--seed", "5", "--out", data.toString())
                        .status())
                .isZero();
        CliRun.Result run = cli("run", "--job", job.toString(), "--input", data.toString(), "--sink", sink);
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains("records read").contains("dead-lettered");

        CliRun.Result q = cli(
                "query",
                "timeseries",
                "--job",
                job.toString(),
                "--sink",
                sink,
                "--events",
                "pageview,signup",
                "--from",
                "2024-01-02",
                "--to",
                "2024-01-06",
                "--granularity",
                "day",
                "--breakdown",
                "plan",
                "--format",
                "json");
        assertThat(q.status()).as(q.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(q.out());

        RefParser.Parsed parsed = RefParser.read(data, "production");
        ZoneId zone = ZoneId.of("Asia/Kolkata");
        long from = LocalDate.parse("2024-01-02").atStartOfDay(zone).toInstant().toEpochMilli();
        long to = LocalDate.parse("2024-01-06").atStartOfDay(zone).toInstant().toEpochMilli();
        Map<Long, Long> counts = new HashMap<>();
        Map<Long, Set<String>> users = new HashMap<>();
        Set<String> allUsers = new HashSet<>();
        Map<String, Long> plans = new HashMap<>();
        long total = 0;
        for (RefEvent e : parsed.events()) {
            if (!e.event().equals("pageview") && !e.event().equals("signup")) continue;
            long day = RefTimeSeries.bucketStart("day", e.timestamp(), zone);
            if (day < from || day >= to) continue;
            counts.merge(day, 1L, Long::sum);
            users.computeIfAbsent(day, d -> new HashSet<>()).add(e.distinctId());
            allUsers.add(e.distinctId());
            if (e.properties().get("plan") != null) plans.merge(e.properties().get("plan"), 1L, Long::sum);
            total++;
        }
        assertThat(json.get("series")).hasSize(4);
        for (JsonNode p : json.get("series")) {
            long day = Instant.parse(p.get("timestamp").asText()).toEpochMilli();
            assertThat(p.get("timestamp").asText()).endsWith("Z");
            assertThat(p.get("count").asLong()).isEqualTo(counts.getOrDefault(day, 0L));
            assertThat(p.get("unique_users").asLong())
                    .isEqualTo(users.getOrDefault(day, Set.of()).size());
            assertThat(p.get("breakdown").get("plan")).isNotNull();
        }
        assertThat(json.get("total").asLong()).isEqualTo(total);
        assertThat(json.get("unique_users").asLong())
                .as("union over the range, not a sum")
                .isEqualTo(allUsers.size());
        Map<String, Long> stored = new HashMap<>();
        json.get("breakdown_totals")
                .get("plan")
                .fields()
                .forEachRemaining(f -> stored.put(f.getKey(), f.getValue().asLong()));
        assertThat(stored).isEqualTo(plans);
        assertThat(json.has("unique_sessions"))
                .as("only for all-events queries")
                .isFalse();

        CliRun.Result all = cli(
                "query",
                "timeseries",
                "--job",
                job.toString(),
                "--sink",
                sink,
                "--from",
                "2024-01-02",
                "--to",
                "2024-01-03",
                "--granularity",
                "hour",
                "--format",
                "csv");
        assertThat(all.status()).isZero();
        assertThat(all.out().lines().findFirst().orElseThrow())
                .isEqualTo("timestamp,count,unique_users,unique_sessions");
        assertThat(all.out().lines().count()).isEqualTo(25);
    }

    @Test
    void configurationErrorsExitWithStatusTwoAndNameTheField() throws Exception {
        Path job = dir.resolve("bad.yaml");
        Files.writeString(job, "name: x\ngranularities: [daily]\n");
        CliRun.Result r = cli(
                "run",
                "--job",
                job.toString(),
                "--input",
                job.toString(),
                "--sink",
                "jdbc:duckdb:" + dir.resolve("x.duckdb"));
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("granularities[0]").contains("daily");
        assertThat(Files.exists(dir.resolve("x.duckdb"))).as("nothing written").isFalse();

        CliRun.Result q = cli(
                "query",
                "timeseries",
                "--job",
                "jobs/example.yaml",
                "--sink",
                "jdbc:duckdb:" + dir.resolve("y.duckdb"),
                "--from",
                "2024-01-02",
                "--to",
                "2024-01-01",
                "--granularity",
                "day");
        assertThat(q.status()).isEqualTo(2);
        assertThat(q.err()).contains("--from must be before --to");
    }
}
