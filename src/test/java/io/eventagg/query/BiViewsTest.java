package io.eventagg.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.generate.EventGenerator;
import io.eventagg.serve.ApiServer;
import io.eventagg.serve.ServeSettings;
import io.eventagg.sink.ConnectionFactory;
import io.eventagg.sink.SinkSettings;
import io.eventagg.testing.CliRun;
import io.eventagg.testing.ClickHouseServer;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.Tiers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The views for BI tools ({@code ea_bi_*}, in both schema files) hold the numbers the query layer
 * answers with, per bucket, entry day and cohort, on DuckDB and on ClickHouse 18.16: the same run
 * of the example job written to both.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
@ExtendWith(ClickHouseServer.class)
class BiViewsTest {
    @TempDir
    static Path dir;

    static JobDefinition job;
    static SinkSettings duck;
    static ClickHouseServer.Database clickHouse;

    @BeforeAll
    static void runIntoBoth() throws Exception {
        Path input = dir.resolve("events.jsonl");
        new EventGenerator(1200, 30, 12, Instant.parse("2024-01-01T00:00:00Z"), 0.0).write(input);
        job = JobLoader.load(Path.of("jobs/example.yaml"));
        duck = SinkSettings.of("jdbc:duckdb:" + dir.resolve("bi.duckdb"));
        clickHouse = ClickHouseServer.createDatabase("test_bi");
        for (SinkSettings s : List.of(duck, clickHouse.settings())) Pipelines.batchInto(job, List.of(input), s);
    }

    @AfterAll
    static void drop() throws Exception {
        if (clickHouse != null) clickHouse.close();
    }

    static SinkSettings sink(String db) {
        return db.equals("duckdb") ? duck : clickHouse.settings();
    }

    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "clickhouse"})
    void theViewsHoldTheQueryLayersNumbers(String db) throws Exception {
        SinkSettings s = sink(db);
        Instant from = Instant.parse("2024-01-03T00:00:00Z"), to = Instant.parse("2024-01-20T00:00:00Z");
        try (AggregationStorage storage = new JdbcAggregationStorage(job, s);
                Connection c = ConnectionFactory.open(s)) {
            // Per-day counts and unique users of one event.
            AggregationResult pageviews = storage.query(new TimeSeriesQuery(
                    List.of("pageview"), from, to, io.eventagg.time.Granularity.DAY, "production", List.of(), null));
            List<String> expected = new ArrayList<>();
            for (TimeSeriesPoint p : pageviews.series())
                expected.add(p.timestamp() + " " + p.count() + " " + p.uniqueUsers());
            assertThat(rows(
                            c,
                            "SELECT " + millis(db, "bucket_start") + ", event_count, unique_users FROM ea_bi_timeseries"
                                    + " WHERE job = 'example' AND environment = 'production' AND event = 'pageview'"
                                    + " AND granularity = 'day' AND bucket_start >= " + ts(db, from)
                                    + " AND bucket_start < " + ts(db, to) + " ORDER BY bucket_start"))
                    .isEqualTo(expected);

            // The all-events rollup per hour of one day, with sessions.
            Instant day = Instant.parse("2024-01-10T00:00:00Z"), next = Instant.parse("2024-01-11T00:00:00Z");
            AggregationResult all = storage.query(new TimeSeriesQuery(
                    List.of(), day, next, io.eventagg.time.Granularity.HOUR, "production", List.of(), null));
            expected.clear();
            for (TimeSeriesPoint p : all.series())
                if (p.count() > 0)
                    expected.add(p.timestamp() + " " + p.count() + " " + p.uniqueUsers() + " " + p.uniqueSessions());
            assertThat(rows(
                            c,
                            "SELECT " + millis(db, "bucket_start") + ", event_count, unique_users, unique_sessions"
                                    + " FROM ea_bi_activity WHERE job = 'example' AND environment = 'production'"
                                    + " AND granularity = 'hour' AND bucket_start >= " + ts(db, day)
                                    + " AND bucket_start < " + ts(db, next) + " ORDER BY bucket_start"))
                    .isEqualTo(expected)
                    .isNotEmpty();

            // Funnel steps of one entry day.
            FunnelResult funnel = storage.funnel(new FunnelQuery("pricing_to_purchase", day, next, "production"));
            expected.clear();
            for (FunnelStepResult st : funnel.steps()) expected.add(st.name() + " " + st.users());
            assertThat(rows(
                            c,
                            "SELECT step_name, users FROM ea_bi_funnel_steps WHERE job = 'example'"
                                    + " AND funnel = 'pricing_to_purchase' AND environment = 'production'"
                                    + " AND entry_day = " + ts(db, day) + " ORDER BY step"))
                    .isEqualTo(expected);
            assertThat(funnel.steps().get(0).users()).isPositive();

            // Retention cells of the cohorts of a range: sizes, users and shares per period.
            RetentionResult r =
                    storage.retention(new RetentionQuery("weekly_signup_retention", from, to, false, "production"));
            expected.clear();
            for (CohortRetention cohort : r.cohorts()) {
                for (int k = 0; k < cohort.retention().size(); k++) {
                    Double share = cohort.retention().get(k);
                    if (share == null) continue; // an open period: the view shows it with is_final false
                    expected.add(cohort.cohortDate() + " " + cohort.cohortSize() + " P" + k + " "
                            + cohort.users().get(k) + " " + String.format(Locale.ROOT, "%.6f", share));
                }
            }
            List<String> shown = rows(
                    c,
                    "SELECT " + millis(db, "cohort_start") + ", cohort_size, period, users_on, retention_on"
                            + " FROM ea_bi_retention WHERE job = 'example' AND retention = 'weekly_signup_retention'"
                            + " AND environment = 'production' AND cohort_start >= " + ts(db, from)
                            + " AND cohort_start < " + ts(db, to) + " ORDER BY cohort_start, period");
            // The cells whose period has elapsed (the API leaves the others open) must agree.
            List<String> finished = new ArrayList<>();
            for (String row : shown) {
                String[] f = row.split(" ");
                String cell = f[0] + " " + f[1] + " P" + f[2] + " " + f[3] + " "
                        + String.format(Locale.ROOT, "%.6f", Double.parseDouble(f[4]));
                if (expected.stream().anyMatch(e -> e.startsWith(f[0] + " " + f[1] + " P" + f[2] + " ")))
                    finished.add(cell);
            }
            assertThat(shown).hasSizeGreaterThan(finished.size());
            assertThat(finished).isEqualTo(expected).isNotEmpty();
        }
    }

    /** The HTTP API answers funnels and retention with the CLI's JSON, on both databases. */
    @ParameterizedTest
    @ValueSource(strings = {"duckdb", "clickhouse"})
    void theApiAnswersFunnelsAndRetentionAsTheCli(String db) throws Exception {
        List<String> sinkArgs = new ArrayList<>(List.of("--sink", sink(db).url()));
        if (db.equals("clickhouse"))
            ClickHouseServer.driverProperties(clickHouse.name())
                    .forEach((k, v) -> sinkArgs.addAll(List.of("--sink-property", k + "=" + v)));
        try (ApiServer server = ApiServer.start(
                new ServeSettings(job, "127.0.0.1", 0, null, 2, Duration.ZERO), sink(db), Clock.systemUTC())) {
            ObjectMapper json = new ObjectMapper();
            HttpClient http = HttpClient.newHttpClient();
            String[][] questions = {
                {"/api/v1/funnels/onboarding?from=2024-01-02&to=2024-01-25", "funnel", "--funnel", "onboarding", "", ""
                },
                {
                    "/api/v1/retention/weekly_signup_retention?from=2024-01-01&to=2024-02-01&mode=on_or_after",
                    "retention",
                    "--retention",
                    "weekly_signup_retention",
                    "--mode",
                    "on_or_after"
                }
            };
            for (String[] q : questions) {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + q[0]))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                String from = q[0].replaceAll(".*from=([0-9-]+).*", "$1"),
                        to = q[0].replaceAll(".*to=([0-9-]+).*", "$1");
                List<String> args = new ArrayList<>(List.of(
                        "query",
                        q[1],
                        q[2],
                        q[3],
                        "--job",
                        "jobs/example.yaml",
                        "--from",
                        from,
                        "--to",
                        to,
                        "--format",
                        "json"));
                if (!q[4].isEmpty()) args.addAll(List.of(q[4], q[5]));
                args.addAll(sinkArgs);
                CliRun.Result cli = CliRun.of(args.toArray(new String[0]));
                assertThat(cli.status()).as(cli.err()).isZero();
                assertThat(json.readTree(r.body())).as(q[0]).isEqualTo(json.readTree(cli.out()));
                assertThat(r.body()).containsPattern("\\d");
            }
        }
    }

    private static String ts(String db, Instant t) {
        return db.equals("duckdb")
                ? "TIMESTAMP '" + t.toString().replace("T", " ").replace("Z", "") + "'"
                : "toDateTime('" + t.toString().replace("T", " ").replace("Z", "") + "', 'UTC')";
    }

    private static String millis(String db, String column) {
        return db.equals("duckdb") ? "epoch_ms(" + column + ")" : "toInt64(toUnixTimestamp(" + column + ")) * 1000";
    }

    /** Each row as its columns joined by spaces; the first column (epoch ms) as an ISO instant. */
    private static List<String> rows(Connection c, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    String v = rs.getString(i);
                    if (i == 1 && v != null && v.matches("-?\\d{10,}"))
                        v = Instant.ofEpochMilli(Long.parseLong(v)).toString();
                    if (i > 1) b.append(' ');
                    b.append(v);
                }
                out.add(b.toString());
            }
        }
        return out;
    }
}
