package io.eventagg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.config.RunOptions;
import io.eventagg.generate.EventGenerator;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.pipeline.JdbcOutputs;
import io.eventagg.serve.ApiServer;
import io.eventagg.serve.ServeSettings;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import io.eventagg.sink.Tables;
import io.eventagg.testing.ClickHouseServer;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.TableCopy;
import io.eventagg.testing.Tiers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code query timeseries} answers the same JSON from ClickHouse as from DuckDB on the same data:
 * a generated file aggregated into DuckDB, the resulting rows written to ClickHouse through its
 * sink, then the same queries against both.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
@ExtendWith(ClickHouseServer.class)
class ClickHouseQueryTest {

    @TempDir
    static Path dir;

    static ClickHouseServer.Database db;
    static Path jobFile;
    static Path profile;
    static String duckUrl;

    @BeforeAll
    static void aggregateIntoBoth() throws Exception {
        Path input = dir.resolve("events.jsonl");
        new EventGenerator(2000, 40, 11, Instant.parse("2024-02-20T00:00:00Z"), 0.01).write(input);
        jobFile = dir.resolve("job.yaml");
        Files.writeString(jobFile, """
                name: query_parity
                timezone: UTC
                granularities: [minute, hour, day, week, month]
                breakdowns: [plan, country, path]
                breakdown_limit: 5
                """);
        JobDefinition job = JobLoader.load(jobFile);

        duckUrl = "jdbc:duckdb:" + dir.resolve("parity.duckdb");
        SchemaManager.apply(SinkSettings.of(duckUrl));
        Pipelines.run(
                job,
                List.of(input),
                RunOptions.batchDefaults(),
                IngestWatermarks.strategy(job.watermark()),
                new JdbcOutputs(job.name(), SinkSettings.of(duckUrl)),
                2);

        db = ClickHouseServer.createDatabase("test_query");
        StringBuilder yaml = new StringBuilder("url: " + db.url() + "\nproperties:\n");
        for (Map.Entry<String, String> e :
                ClickHouseServer.driverProperties(db.name()).entrySet()) {
            yaml.append("  ")
                    .append(e.getKey())
                    .append(": \"")
                    .append(e.getValue())
                    .append("\"\n");
        }
        profile = dir.resolve("clickhouse.yaml");
        Files.writeString(profile, yaml);
        assertThat(Main.execute("schema", "--profile", profile.toString())).isZero();
        TableCopy.duckDbToClickHouse(duckUrl, db, Tables.TIMESERIES);
        TableCopy.duckDbToClickHouse(duckUrl, db, Tables.ACTIVITY);
    }

    @AfterAll
    static void drop() throws Exception {
        if (db != null) db.close();
    }

    static Stream<List<String>> queries() {
        return Stream.of(
                List.of("--from", "2024-02-20", "--to", "2024-03-05", "--granularity", "day", "--breakdown", "plan"),
                List.of(
                        "--events",
                        "pageview,signup",
                        "--from",
                        "2024-02-25",
                        "--to",
                        "2024-02-27",
                        "--granularity",
                        "hour",
                        "--environment",
                        "production"),
                List.of(
                        "--events",
                        "purchase",
                        "--from",
                        "2024-02-19",
                        "--to",
                        "2024-04-01",
                        "--granularity",
                        "week",
                        "--breakdown",
                        "country,plan"),
                List.of("--from", "2024-01-01", "--to", "2024-06-01", "--granularity", "month"),
                List.of(
                        "--events",
                        "pageview",
                        "--from",
                        "2024-03-01T10:00:00Z",
                        "--to",
                        "2024-03-01T12:00:00Z",
                        "--granularity",
                        "minute",
                        "--breakdown",
                        "path"),
                List.of(
                        "--from",
                        "2024-03-10",
                        "--to",
                        "2024-03-12",
                        "--granularity",
                        "hour",
                        "--environment",
                        "staging"),
                List.of(
                        "--from",
                        "2024-02-25",
                        "--to",
                        "2024-03-20",
                        "--granularity",
                        "day",
                        "--active-windows",
                        "7,28,30"),
                List.of(
                        "--events",
                        "pageview",
                        "--from",
                        "2024-03-01",
                        "--to",
                        "2024-03-15",
                        "--granularity",
                        "day",
                        "--active-windows",
                        "7",
                        "--timezone",
                        "America/New_York",
                        "--breakdown",
                        "plan"),
                List.of(
                        "--from",
                        "2024-02-26",
                        "--to",
                        "2024-04-01",
                        "--granularity",
                        "week",
                        "--timezone",
                        "Asia/Kolkata"));
    }

    @ParameterizedTest
    @MethodSource("queries")
    void sameJsonFromClickHouseAndDuckDb(List<String> query) throws Exception {
        String duck = run(query, "--sink", duckUrl);
        String click = run(query, "--profile", profile.toString());
        assertThat(duck).contains("\"series\"");
        assertThat(click).isEqualTo(duck);
    }

    /** The HTTP API over ClickHouse answers each question with the CLI's JSON for it. */
    @Test
    void theApiOverClickHouseAnswersAsTheCli() throws Exception {
        JobDefinition job = JobLoader.load(jobFile);
        try (ApiServer server = ApiServer.start(
                new ServeSettings(job, "127.0.0.1", 0, null, 2, Duration.ZERO), db.settings(), Clock.systemUTC())) {
            HttpClient http = HttpClient.newHttpClient();
            ObjectMapper json = new ObjectMapper();
            for (List<String> query : queries().toList()) {
                StringBuilder q = new StringBuilder();
                for (int i = 0; i < query.size(); i += 2) {
                    q.append(q.length() == 0 ? "?" : "&")
                            .append(query.get(i).substring(2).replace('-', '_'))
                            .append('=')
                            .append(URLEncoder.encode(query.get(i + 1), StandardCharsets.UTF_8));
                }
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + server.port() + "/api/v1/timeseries" + q))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(json.readTree(r.body()))
                        .as(query.toString())
                        .isEqualTo(json.readTree(run(query, "--profile", profile.toString())));
            }
        }
    }

    private static String run(List<String> query, String... sink) {
        List<String> args =
                new ArrayList<>(List.of("query", "timeseries", "--job", jobFile.toString(), "--format", "json"));
        args.addAll(query);
        args.addAll(List.of(sink));
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            rc = Main.execute(args.toArray(new String[0]));
        } finally {
            System.setOut(old);
        }
        assertThat(rc).as("exit status of " + args).isZero();
        return buf.toString(StandardCharsets.UTF_8);
    }
}
