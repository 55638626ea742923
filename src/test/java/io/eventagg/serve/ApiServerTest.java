package io.eventagg.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.eventagg.config.ConfigException;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.generate.EventGenerator;
import io.eventagg.sink.SinkSettings;
import io.eventagg.testing.CliRun;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.Tiers;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * {@code serve} over DuckDB: the API answers every question with the JSON the CLI prints for it,
 * its errors name the parameter (400, 404, 401), every response matches the OpenAPI document, final
 * answers are cached and open ones are not.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
class ApiServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Path JOB = Path.of("jobs/example.yaml");

    @TempDir
    static Path dir;

    static String url;
    static ApiServer server;
    static JsonNode openApi;

    @BeforeAll
    static void runAndServe() throws Exception {
        Path input = dir.resolve("events.jsonl");
        new EventGenerator(1500, 30, 3, Instant.parse("2024-01-01T00:00:00Z"), 0.01).write(input);
        JobDefinition job = JobLoader.load(JOB);
        url = "jdbc:duckdb:" + dir.resolve("api.duckdb");
        Pipelines.batchInto(job, List.of(input), SinkSettings.of(url));
        server = ApiServer.start(
                new ServeSettings(job, "127.0.0.1", 0, null, 2, Duration.ofMinutes(5)),
                SinkSettings.of(url),
                Clock.systemUTC());
        openApi = JSON.readTree(ApiServer.resource(ApiServer.OPENAPI));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** A question as CLI arguments after {@code query}, and as the API's path and parameters. */
    record Question(List<String> cli, String path, Map<String, String> params, String schema) {}

    static Stream<Question> questions() {
        return Stream.of(
                series(List.of("--from", "2024-01-02", "--to", "2024-01-20", "--granularity", "day")),
                series(List.of(
                        "--events",
                        "pageview,signup",
                        "--from",
                        "2024-01-05T00:00:00Z",
                        "--to",
                        "2024-01-06T00:00:00Z",
                        "--granularity",
                        "hour",
                        "--breakdown",
                        "plan")),
                series(List.of(
                        "--from",
                        "2024-01-01",
                        "--to",
                        "2024-02-01",
                        "--granularity",
                        "week",
                        "--environment",
                        "production")),
                series(List.of(
                        "--events",
                        "pageview",
                        "--from",
                        "2024-01-08",
                        "--to",
                        "2024-01-20",
                        "--granularity",
                        "day",
                        "--active-windows",
                        "7,28",
                        "--timezone",
                        "America/New_York")),
                new Question(
                        List.of(
                                "funnel",
                                "--funnel",
                                "pricing_to_purchase",
                                "--from",
                                "2024-01-01",
                                "--to",
                                "2024-01-25"),
                        "/api/v1/funnels/pricing_to_purchase",
                        Map.of("from", "2024-01-01", "to", "2024-01-25"),
                        "FunnelResult"),
                new Question(
                        List.of(
                                "measure",
                                "--measure",
                                "revenue",
                                "--granularity",
                                "week",
                                "--from",
                                "2024-01-01",
                                "--to",
                                "2024-02-05"),
                        "/api/v1/measures/revenue",
                        Map.of("granularity", "week", "from", "2024-01-01", "to", "2024-02-05"),
                        "MeasureResult"),
                new Question(
                        List.of("stickiness", "--period", "week", "--from", "2024-01-01", "--to", "2024-02-01"),
                        "/api/v1/stickiness",
                        Map.of("period", "week", "from", "2024-01-01", "to", "2024-02-01"),
                        "StickinessResult"),
                series(List.of(
                        "--events",
                        "pricing_views",
                        "--from",
                        "2024-01-01",
                        "--to",
                        "2024-01-20",
                        "--granularity",
                        "day",
                        "--breakdown",
                        "plan")),
                new Question(
                        List.of(
                                "retention",
                                "--retention",
                                "weekly_signup_retention",
                                "--from",
                                "2024-01-01",
                                "--to",
                                "2024-02-01",
                                "--mode",
                                "on_or_after"),
                        "/api/v1/retention/weekly_signup_retention",
                        Map.of("from", "2024-01-01", "to", "2024-02-01", "mode", "on_or_after"),
                        "RetentionResult"));
    }

    static Question series(List<String> flags) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < flags.size(); i += 2)
            params.put(flags.get(i).substring(2).replace('-', '_'), flags.get(i + 1));
        List<String> cli = new ArrayList<>(List.of("timeseries"));
        cli.addAll(flags);
        return new Question(cli, "/api/v1/timeseries", params, "AggregationResult");
    }

    @ParameterizedTest
    @MethodSource("questions")
    void theApiAnswersWithTheCliJson(Question q) throws Exception {
        List<String> args = new ArrayList<>(List.of("query"));
        args.addAll(q.cli());
        args.addAll(List.of("--job", JOB.toString(), "--sink", url, "--format", "json"));
        CliRun.Result cli = CliRun.of(args.toArray(new String[0]));
        assertThat(cli.status()).as(cli.err()).isZero();

        HttpResponse<String> r = get(q.path(), q.params());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/json");
        assertThat(JSON.readTree(r.body())).isEqualTo(JSON.readTree(cli.out()));
        assertThat(JSON.readTree(r.body()).toString())
                .as("a question with data")
                .containsPattern("[1-9]");
        assertMatchesSchema(r.body(), q.schema());
    }

    @Test
    void errorsNameTheParameter() throws Exception {
        expectError(
                get("/api/v1/timeseries", Map.of("from", "2024-01-05", "to", "2024-01-02", "granularity", "day")),
                400,
                "from",
                "empty_range",
                "from must be before to");
        expectError(
                get("/api/v1/timeseries", Map.of("from", "2024-01-01", "to", "2024-01-02")),
                400,
                "granularity",
                "invalid",
                "granularity: is required");
        expectError(
                get("/api/v1/timeseries", Map.of("from", "2024-01-01", "to", "2024-01-02", "granularty", "day")),
                400,
                "granularty",
                "invalid",
                "unknown parameter");
        expectError(
                get("/api/v1/timeseries", Map.of("from", "yesterday", "to", "2024-01-02", "granularity", "day")),
                400,
                "from",
                "invalid",
                "'yesterday' is not a date");
        expectError(
                get("/api/v1/timeseries", Map.of("from", "2023-01-01", "to", "2024-06-01", "granularity", "minute")),
                400,
                "granularity",
                "too_many_buckets",
                "more than the 50,000 one answer of the API may hold");
        expectError(
                get(
                        "/api/v1/timeseries",
                        Map.of("from", "2024-01-01", "to", "2024-01-02", "granularity", "day", "breakdown", "browser")),
                400,
                "breakdown",
                "not_in_job",
                "'browser'");
        expectError(
                get(
                        "/api/v1/timeseries",
                        Map.of("from", "2024-01-01", "to", "2024-01-09", "granularity", "week", "active_windows", "7")),
                400,
                "active_windows",
                "invalid",
                "ask with granularity day");
        expectError(
                get(
                        "/api/v1/timeseries",
                        Map.of("from", "2024-01-01", "to", "2024-01-09", "granularity", "day", "active_windows", "a")),
                400,
                "active_windows",
                "invalid",
                "'a' is not a number of days");
        expectError(
                get(
                        "/api/v1/timeseries",
                        Map.of(
                                "from",
                                "2024-01-01",
                                "to",
                                "2024-01-09",
                                "granularity",
                                "day",
                                "timezone",
                                "Mars/Base")),
                400,
                "timezone",
                "invalid",
                "'Mars/Base' is not an IANA time zone");
        expectError(
                get("/api/v1/funnels/nope", Map.of("from", "2024-01-01", "to", "2024-01-02")),
                404,
                "funnel",
                "not_in_job",
                "nope");
        expectError(
                get("/api/v1/retention/nope", Map.of("from", "2024-01-01", "to", "2024-01-02")),
                404,
                "retention",
                "not_in_job",
                "nope");
    }

    private static void expectError(HttpResponse<String> r, int status, String parameter, String problem, String text)
            throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode e = JSON.readTree(r.body());
        assertThat(e.path("parameter").asText()).as(r.body()).isEqualTo(parameter);
        assertThat(e.path("problem").asText()).isEqualTo(problem);
        assertThat(e.path("error").asText()).contains(text);
        assertMatchesSchema(r.body(), "Error");
    }

    @Test
    void theCatalogNamesWhatTheJobAnswers() throws Exception {
        HttpResponse<String> r = get("/api/v1/catalog", Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
        assertMatchesSchema(r.body(), "Catalog");
        JsonNode c = JSON.readTree(r.body());
        assertThat(c.path("job").asText()).isEqualTo("example");
        assertThat(c.path("events").toString()).contains("\"pageview\"", "\"signup\"", "\"purchase\"");
        assertThat(c.path("funnels").get(0).path("steps").toString())
                .isEqualTo("[\"Viewed pricing\",\"Signed up\",\"Purchased\"]");
        assertThat(c.path("environments").toString()).contains("production");
        Instant watermark = Instant.parse(c.path("watermark").asText());
        assertThat(watermark)
                .as("a batch run ends at the end of time's watermark or the data's")
                .isAfter(Instant.parse("2024-01-30T00:00:00Z"));
    }

    @Test
    void finalAnswersAreCachedOpenOnesAreNot() throws Exception {
        Map<String, String> closed = Map.of("from", "2024-01-03", "to", "2024-01-04", "granularity", "day");
        String before = get("/api/v1/timeseries", closed).body();
        assertThat(JSON.readTree(before).path("total").asLong()).isPositive();
        // Rows change under the server (as a backfill would rewrite them): the final answer is
        // served from memory, a question not asked before reads the table.
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
                java.sql.Statement st = c.createStatement()) {
            assertThat(st.executeUpdate("DELETE FROM ea_activity WHERE bucket_start < TIMESTAMP '2024-01-10'"))
                    .isPositive();
        }
        assertThat(get("/api/v1/timeseries", closed).body()).isEqualTo(before);
        Map<String, String> other = Map.of("from", "2024-01-03", "to", "2024-01-05", "granularity", "day");
        assertThat(JSON.readTree(get("/api/v1/timeseries", other).body())
                        .path("total")
                        .asLong())
                .isZero();
    }

    @Test
    void aTokenGuardsTheApiAndAnOpenBindNeedsOne() throws Exception {
        JobDefinition job = JobLoader.load(JOB);
        assertThatThrownBy(() -> new ServeSettings(job, "0.0.0.0", 0, null, 1, Duration.ZERO))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("needs a bearer token");
        String secret = "s3cret-token-0123456789";
        try (ApiServer guarded = ApiServer.start(
                new ServeSettings(job, "127.0.0.1", 0, AccessToken.of(secret), 1, Duration.ZERO),
                SinkSettings.of(url),
                Clock.systemUTC())) {
            String base = "http://127.0.0.1:" + guarded.port() + "/api/v1/catalog";
            HttpResponse<String> none =
                    HTTP.send(HttpRequest.newBuilder(URI.create(base)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.body()).doesNotContain(secret);
            HttpResponse<String> wrong = HTTP.send(
                    HttpRequest.newBuilder(URI.create(base))
                            .header("Authorization", "Bearer s3cret-token-0123456780")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).isEqualTo(401);
            HttpResponse<String> right = HTTP.send(
                    HttpRequest.newBuilder(URI.create(base))
                            .header("Authorization", "Bearer " + secret)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(right.statusCode()).isEqualTo(200);
        }
    }

    static HttpResponse<String> get(String path, Map<String, String> params) throws Exception {
        StringBuilder q = new StringBuilder();
        for (Map.Entry<String, String> e : params.entrySet()) {
            q.append(q.length() == 0 ? "?" : "&")
                    .append(e.getKey())
                    .append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path + q))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Validates a response against a schema of the OpenAPI document (OpenAPI 3.1: JSON Schema 2020-12). */
    static void assertMatchesSchema(String body, String schema) throws Exception {
        ObjectNode root = JSON.createObjectNode();
        root.put("$ref", "#/components/schemas/" + schema);
        root.set("components", openApi.get("components"));
        Schema s = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31()).getSchema(root);
        assertThat(s.validate(JSON.readTree(body)).stream()
                        .map(Object::toString)
                        .toList())
                .as("%s against %s", body.length() > 300 ? body.substring(0, 300) : body, schema)
                .isEmpty();
    }
}
