package io.eventagg.crosscheck;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.config.RunOptions;
import io.eventagg.generate.EventGenerator;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.pipeline.JdbcOutputs;
import io.eventagg.query.FunnelQuery;
import io.eventagg.query.FunnelResult;
import io.eventagg.query.JdbcAggregationStorage;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import io.eventagg.testing.ClickHouseServer;
import io.eventagg.testing.DuckTables;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.RawEventsLoader;
import io.eventagg.testing.RefEvent;
import io.eventagg.testing.RefFunnels;
import io.eventagg.testing.RefJobFunnels;
import io.eventagg.testing.RefParser;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.Tiers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * eventagg's funnels and retention against ClickHouse's own functions on the same events loaded
 * into the real server: {@code windowFunnel} for ordered funnels (per user, the highest step; and
 * the users per step of a query over the whole range) and {@code retention} with {@code toMonday}
 * for first-time weekly retention (cohort sizes and per-period counts). Strict funnels, which the
 * old server's windowFunnel cannot express, are checked against the reference implementation.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
@ExtendWith(ClickHouseServer.class)
class ClickHouseCrossCheckTest {

    static final Instant START = Instant.parse("2024-04-01T00:00:00Z");
    static final Instant END = Instant.parse("2024-04-22T00:00:00Z");

    @TempDir
    static Path dir;

    static JobDefinition job;
    static SinkSettings duck;
    static ClickHouseServer.Database ch;
    static List<RefEvent> events;

    @BeforeAll
    static void prepare() throws Exception {
        Path file = dir.resolve("events.jsonl");
        new EventGenerator(5000, 21, 31, START, 0.0).write(file);
        job = JobLoader.parse("""
                name: crosscheck
                timezone: UTC
                granularities: [day]
                funnels:
                  - name: onboarding
                    conversion_window_seconds: 86400
                    steps: [{event: signup}, {event: created_project}, {event: invited_teammate}]
                  - name: pricing_ordered
                    conversion_window_seconds: 604800
                    steps:
                      - {event: pageview, filters: [{property: path, operator: eq, value: /pricing}]}
                      - {event: signup}
                      - {event: purchase}
                  - name: pricing_strict
                    conversion_window_seconds: 3600
                    strict_order: true
                    steps:
                      - {event: pageview, filters: [{property: path, operator: eq, value: /pricing}]}
                      - {event: signup}
                      - {event: purchase}
                retention:
                  - {name: weekly_signup, start_event: signup, return_event: pageview, cohort_period: week, periods: 2}
                """);
        duck = SinkSettings.of("jdbc:duckdb:" + dir.resolve("check.duckdb"));
        SchemaManager.apply(duck);
        Pipelines.run(
                job,
                List.of(file),
                RunOptions.batchDefaults(),
                IngestWatermarks.strategy(job.watermark()),
                new JdbcOutputs(job.name(), duck),
                2);
        ch = ClickHouseServer.createDatabase("crosscheck");
        RawEventsLoader.load(ch, Files.readAllLines(file, StandardCharsets.UTF_8));
        events = RefParser.read(file, "production").events();
    }

    @AfterAll
    static void close() throws Exception {
        if (ch != null) ch.close();
    }

    @Test
    void orderedFunnelsAgreeWithWindowFunnel() throws Exception {
        Map<String, String> conditions = Map.of(
                "onboarding", "event = 'signup', event = 'created_project', event = 'invited_teammate'",
                "pricing_ordered",
                        "event = 'pageview' AND visitParamExtractString(properties, 'path') = '/pricing', event = 'signup', event = 'purchase'");
        Map<String, Long> windows = Map.of("onboarding", 86_400L, "pricing_ordered", 604_800L);
        Map<String, RefFunnels.Funnel> reference = Map.of(
                "onboarding",
                RefJobFunnels.onboarding(),
                "pricing_ordered",
                new RefFunnels.Funnel(
                        List.of(
                                RefJobFunnels.pricingToPurchase().steps().get(0),
                                e -> e.event().equals("signup"),
                                e -> e.event().equals("purchase")),
                        604_800_000L,
                        false,
                        List.of()));
        for (String name : conditions.keySet()) {
            // windowFunnel on the old server works on second-precision DateTime.
            List<Map<String, String>> rows = ch.query("SELECT environment, distinct_id, windowFunnel("
                    + windows.get(name) + ")(timestamp, " + conditions.get(name)
                    + ") AS level FROM events GROUP BY environment, distinct_id HAVING level > 0");
            Map<String, Integer> clickhouse = new HashMap<>();
            for (Map<String, String> r : rows)
                clickhouse.put(
                        r.get("environment") + "\u0001" + r.get("distinct_id"), Integer.parseInt(r.get("level")));
            Map<String, Integer> ref = RefFunnels.highestStep(events, reference.get(name), job.timezone());
            int differ = 0;
            for (String user : union(clickhouse.keySet(), ref.keySet())) {
                if (!clickhouse.getOrDefault(user, 0).equals(ref.getOrDefault(user, 0))) differ++;
            }
            assertThat(clickhouse).as(name + ": users who entered").hasSizeGreaterThan(100);
            // Only sub-second ties can differ: windowFunnel compares whole seconds.
            assertThat(differ)
                    .as(name + ": users whose highest step differs from windowFunnel")
                    .isLessThanOrEqualTo(clickhouse.size() / 200);

            FunnelResult ours;
            try (JdbcAggregationStorage s = new JdbcAggregationStorage(job, duck)) {
                ours = s.funnel(new FunnelQuery(name, START.minusSeconds(86_400), END.plusSeconds(86_400), null));
            }
            for (int k = 1; k <= 3; k++) {
                int step = k;
                long fromClickHouse =
                        clickhouse.values().stream().filter(l -> l >= step).count();
                long users = ours.steps().get(k - 1).users();
                assertThat(Math.abs(users - fromClickHouse))
                        .as(name + " step " + k + ": " + users + " vs windowFunnel " + fromClickHouse)
                        .isLessThanOrEqualTo(Math.max(2, (long) (0.02 * fromClickHouse)));
            }
        }
    }

    @Test
    void strictFunnelAgreesWithTheReference() throws Exception {
        FunnelResult ours;
        try (JdbcAggregationStorage s = new JdbcAggregationStorage(job, duck)) {
            ours = s.funnel(
                    new FunnelQuery("pricing_strict", START.minusSeconds(86_400), END.plusSeconds(86_400), null));
        }
        Map<String, Integer> ref = RefFunnels.highestStep(events, RefJobFunnels.pricingStrict(), job.timezone());
        for (int k = 1; k <= 3; k++) {
            int step = k;
            long expected = ref.values().stream().filter(l -> l >= step).count();
            long users = ours.steps().get(k - 1).users();
            if (expected <= 1000) assertThat(users).as("strict step " + k).isEqualTo(expected);
            else
                assertThat(Math.abs(users - expected) / (double) expected)
                        .as("strict step " + k + " (HLL estimate)")
                        .isLessThanOrEqualTo(0.02);
        }
        assertThat(ours.steps().get(2).users()).isPositive();
    }

    @Test
    void firstTimeWeeklyRetentionAgreesWithClickHouseRetention() throws Exception {
        List<Map<String, String>> rows = ch.query("""
                SELECT environment, toString(cohort) AS cohort, count() AS size, sum(r[2]) AS p0, sum(r[3]) AS p1, sum(r[4]) AS p2
                FROM (
                  SELECT environment, distinct_id, cohort,
                         retention(event = 'signup' AND timestamp_ms = first_ms,
                                   event = 'pageview' AND timestamp_ms >= first_ms AND toMonday(timestamp) = cohort,
                                   event = 'pageview' AND timestamp_ms >= first_ms AND toMonday(timestamp) = cohort + 7,
                                   event = 'pageview' AND timestamp_ms >= first_ms AND toMonday(timestamp) = cohort + 14) AS r
                  FROM events
                  ANY INNER JOIN (
                    SELECT environment, distinct_id, min(timestamp_ms) AS first_ms, toMonday(min(timestamp)) AS cohort
                    FROM events WHERE event = 'signup' GROUP BY environment, distinct_id
                  ) USING (environment, distinct_id)
                  GROUP BY environment, distinct_id, cohort
                )
                GROUP BY environment, cohort ORDER BY environment, cohort""");
        assertThat(rows).hasSizeGreaterThan(3);
        List<Map<String, Object>> cohorts = DuckTables.rows(
                duck.url(),
                "SELECT environment, strftime(cohort_start, '%Y-%m-%d') AS cohort, cohort_size FROM ea_retention_cohorts WHERE cohort_size > 0");
        List<Map<String, Object>> periods = DuckTables.rows(
                duck.url(),
                "SELECT environment, strftime(cohort_start, '%Y-%m-%d') AS cohort, period, users_on FROM ea_retention_periods");
        Map<String, Long> ours = new HashMap<>();
        for (Map<String, Object> c : cohorts)
            ours.put(
                    c.get("environment") + " " + c.get("cohort") + " size",
                    ((Number) c.get("cohort_size")).longValue());
        for (Map<String, Object> p : periods) {
            long v = ((Number) p.get("users_on")).longValue();
            if (v != 0) ours.put(p.get("environment") + " " + p.get("cohort") + " p" + p.get("period"), v);
        }
        Map<String, Long> theirs = new HashMap<>();
        for (Map<String, String> r : rows) {
            String key = r.get("environment") + " " + r.get("cohort");
            theirs.put(key + " size", Long.parseLong(r.get("size")));
            for (int k = 0; k <= 2; k++) {
                long v = Long.parseLong(r.get("p" + k));
                if (v != 0) theirs.put(key + " p" + k, v);
            }
        }
        assertThat(ours).isEqualTo(theirs);
    }

    static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new HashSet<>(a);
        u.addAll(b);
        return u;
    }
}
