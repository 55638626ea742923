package io.eventagg.crosscheck;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.generate.EventGenerator;
import io.eventagg.query.AggregationResult;
import io.eventagg.query.JdbcAggregationStorage;
import io.eventagg.query.TimeSeriesPoint;
import io.eventagg.query.TimeSeriesQuery;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import io.eventagg.sink.Tables;
import io.eventagg.testing.ClickHouseServer;
import io.eventagg.testing.DuckTables;
import io.eventagg.testing.FunnelTables;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.RawEventsLoader;
import io.eventagg.testing.RefEvent;
import io.eventagg.testing.RefParser;
import io.eventagg.testing.RefTimeSeries;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.StoredBreakdownUsers;
import io.eventagg.testing.TableCopy;
import io.eventagg.testing.Tiers;
import io.eventagg.time.Granularity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Actions (filtered series) against a reference: the raw events each action matches, selected in
 * the test by predicates written independently of the filter code, then bucketed by the
 * time-series reference; in batch, streaming and a backfill, in New York's zone across its DST
 * change; and against ClickHouse's {@code count} and {@code uniqExact} with the same conditions in
 * SQL. The all-events answers do not count an action's events twice.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
@ExtendWith(ClickHouseServer.class)
class ActionsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant START = Instant.parse("2024-03-04T00:00:00Z");
    static final Instant END = Instant.parse("2024-03-18T00:00:00Z");

    static final Map<String, Predicate<RefEvent>> ACTIONS = Map.of(
            "action:pricing_views",
            e -> e.event().equals("pageview")
                    && "/pricing".equals(e.properties().get("path")),
            "action:activated",
            e -> e.event().equals("signup") || e.event().equals("created_project"),
            "action:paid_or_exported",
            e -> (e.event().equals("purchase")
                            && e.properties().get("amount") != null
                            && Double.parseDouble(e.properties().get("amount")) > 100)
                    || (e.event().equals("exported_report")
                            && !"free".equals(e.properties().get("plan"))));

    @TempDir
    static Path dir;

    static Path file;
    static JobDefinition job;
    static List<RefEvent> events;

    @BeforeAll
    static void prepare() throws Exception {
        file = dir.resolve("events.jsonl");
        new EventGenerator(3000, 14, 23, START, 0.0).write(file);
        job = JobLoader.parse("""
                name: actions
                timezone: America/New_York
                granularities: [hour, day, week]
                breakdowns: [plan]
                actions:
                  pricing_views: {event: pageview, filters: [{property: path, operator: eq, value: /pricing}]}
                  activated: {events: [signup, created_project]}
                  paid_or_exported:
                    any_of:
                      - {event: purchase, filters: [{property: amount, operator: gt, value: 100}]}
                      - {event: exported_report, filters: [{property: plan, operator: neq, value: free}]}
                """);
        events = RefParser.read(file, "production").events();
    }

    /** The reference: each action's events under its stored name, bucketed like any series. */
    static Map<RefTimeSeries.Key, RefTimeSeries.Bucket> reference() {
        List<RefEvent> renamed = new ArrayList<>();
        for (RefEvent e : events)
            ACTIONS.forEach((name, p) -> {
                if (p.test(e))
                    renamed.add(new RefEvent(
                            e.line(),
                            e.uuid(),
                            name,
                            e.distinctId(),
                            e.timestamp(),
                            e.environment(),
                            e.sessionId(),
                            e.properties()));
            });
        Map<RefTimeSeries.Key, RefTimeSeries.Bucket> all =
                RefTimeSeries.compute(renamed, job.timezone(), List.of("hour", "day", "week"), job.breakdowns());
        all.keySet().removeIf(k -> k.event() == null);
        return all;
    }

    static void assertActionRows(String url, String how) throws Exception {
        Map<RefTimeSeries.Key, RefTimeSeries.Bucket> expected = reference();
        Map<RefTimeSeries.Key, Map<String, Object>> actual = new HashMap<>();
        for (Map<String, Object> r : DuckTables.rows(url, "SELECT * FROM ea_timeseries WHERE event LIKE 'action:%'"))
            actual.put(
                    new RefTimeSeries.Key(
                            (String) r.get("environment"),
                            (String) r.get("event"),
                            (String) r.get("granularity"),
                            FunnelTables.millis(r.get("bucket_start"))),
                    r);
        assertThat(actual.keySet()).as(how).containsExactlyInAnyOrderElementsOf(expected.keySet());
        Set<String> seen = new HashSet<>();
        for (Map.Entry<RefTimeSeries.Key, RefTimeSeries.Bucket> e : expected.entrySet()) {
            Map<String, Object> row = actual.get(e.getKey());
            String where = how + " " + e.getKey();
            assertThat(((Number) row.get("event_count")).longValue()).as(where).isEqualTo(e.getValue().count);
            assertThat(((Number) row.get("unique_users")).longValue())
                    .as(where)
                    .isEqualTo(e.getValue().users.size());
            Map<String, Map<String, Long>> stored =
                    JSON.readValue((String) row.get("breakdowns"), new TypeReference<>() {});
            assertThat(stored).as(where).isEqualTo(e.getValue().topBreakdowns(job.breakdownLimit()));
            if (job.breakdownUsersAt(Granularity.parse(e.getKey().granularity())))
                StoredBreakdownUsers.assertMatch(
                        (String) row.get("breakdown_users"),
                        e.getValue().topBreakdownUsers(job.breakdownLimit()),
                        where);
            else assertThat(row.get("breakdown_users")).as(where).isNull();
            seen.add(e.getKey().event());
        }
        assertThat(seen).as("every action has rows").containsExactlyInAnyOrderElementsOf(ACTIONS.keySet());
    }

    @Test
    void batchStreamingAndBackfillCountWhatTheReferenceMatches() throws Exception {
        Map<String, String> urls =
                Pipelines.threeWays(job, file, dir, START.minusSeconds(86_400), END.plusSeconds(86_400));
        for (Map.Entry<String, String> u : urls.entrySet()) assertActionRows(u.getValue(), u.getKey());
        String batch = urls.get("batch");

        // Queried by name, on DuckDB and ClickHouse (the same rows), against uniqExact and count.
        try (ClickHouseServer.Database ch = ClickHouseServer.createDatabase("actions")) {
            SchemaManager.apply(ch.settings());
            TableCopy.duckDbToClickHouse(batch, ch, Tables.TIMESERIES);
            TableCopy.duckDbToClickHouse(batch, ch, Tables.ACTIVITY);
            RawEventsLoader.load(ch, Files.readAllLines(file, StandardCharsets.UTF_8));
            Map<String, String> sql = Map.of(
                    "pricing_views",
                    "event = 'pageview' AND visitParamExtractString(properties, 'path') = '/pricing'",
                    "activated",
                    "event IN ('signup', 'created_project')",
                    "paid_or_exported",
                    "(event = 'purchase' AND visitParamExtractFloat(properties, 'amount') > 100)"
                            + " OR (event = 'exported_report' AND visitParamExtractString(properties, 'plan') != 'free')");
            Instant from = Instant.parse("2024-03-05T05:00:00Z"), to = Instant.parse("2024-03-15T04:00:00Z");
            for (String action : sql.keySet()) {
                TimeSeriesQuery q =
                        new TimeSeriesQuery(List.of(action), from, to, Granularity.DAY, null, List.of(), null);
                AggregationResult duck, click;
                try (JdbcAggregationStorage s = new JdbcAggregationStorage(job, SinkSettings.of(batch))) {
                    duck = s.query(q);
                }
                try (JdbcAggregationStorage s = new JdbcAggregationStorage(job, ch.settings())) {
                    click = s.query(q);
                }
                assertThat(click).isEqualTo(duck);
                Map<String, Map<String, String>> byDay = new HashMap<>();
                for (Map<String, String> row : ch.query("SELECT toString(toDate(timestamp, 'America/New_York')) AS d,"
                        + " count() AS n, uniqExact(distinct_id) AS u FROM events WHERE " + sql.get(action)
                        + " GROUP BY d")) byDay.put(row.get("d"), row);
                long total = 0;
                for (TimeSeriesPoint p : duck.series()) {
                    String d =
                            p.timestamp().atZone(job.timezone()).toLocalDate().toString();
                    Map<String, String> row = byDay.getOrDefault(d, Map.of("n", "0", "u", "0"));
                    assertThat(p.count()).as(action + " " + d).isEqualTo(Long.parseLong(row.get("n")));
                    assertThat(p.uniqueUsers()).as(action + " " + d).isEqualTo(Long.parseLong(row.get("u")));
                    total += p.count();
                }
                assertThat(total).as(action + " has events").isPositive();
                long uniqExact = ch.count("SELECT uniqExact(distinct_id) FROM events WHERE (" + sql.get(action)
                        + ") AND timestamp_ms >= " + from.toEpochMilli() + " AND timestamp_ms < " + to.toEpochMilli());
                assertThat(duck.uniqueUsers()).as(action + " over the range").isEqualTo(uniqExact);
            }
        }
    }

    /** All events' answers hold each event once: the actions' rows are not summed into them. */
    @Test
    void allEventsCountEachEventOnce() throws Exception {
        String url = "jdbc:duckdb:" + dir.resolve("all.duckdb");
        Pipelines.batchInto(job, List.of(file), SinkSettings.of(url));
        try (JdbcAggregationStorage s = new JdbcAggregationStorage(job, SinkSettings.of(url))) {
            AggregationResult all = s.query(new TimeSeriesQuery(
                    List.of(),
                    START.minusSeconds(86_400),
                    END.plusSeconds(86_400),
                    Granularity.WEEK,
                    null,
                    List.of("plan"),
                    null));
            long withPlan = events.stream()
                    .filter(e -> e.properties().get("plan") != null)
                    .count();
            assertThat(all.total()).isEqualTo(events.size());
            assertThat(all.breakdownTotals().get("plan").values().stream()
                            .mapToLong(Long::longValue)
                            .sum())
                    .isEqualTo(withPlan);
            assertThat(s.catalog().actions()).containsExactly("pricing_views", "activated", "paid_or_exported");
            assertThat(s.catalog().events())
                    .noneMatch(e -> e.startsWith("action:"))
                    .contains("pageview");
        }
    }
}
