package io.eventagg.crosscheck;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.RawEventsLoader;
import io.eventagg.testing.RefEvent;
import io.eventagg.testing.RefParser;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.TableCopy;
import io.eventagg.testing.Tiers;
import io.eventagg.time.Granularity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trends answered at query time, with no state of their own: rolling active users per day and
 * answers in another time zone. Against a reference computed here from the raw events, against
 * ClickHouse's {@code uniqExact} and {@code count} grouped by {@code toDate(timestamp, zone)} on the
 * same events in the real server, and, for time zones, against jobs run in those zones. Five weeks
 * across both daylight-saving changes of March 2024 (New York's on the 10th, Berlin's on the 31st),
 * heavy-tailed users; each answer from DuckDB and from ClickHouse (the same rows copied).
 */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
@ExtendWith(ClickHouseServer.class)
class TrendsQueryTimeTest {
    static final Instant START = Instant.parse("2024-02-26T00:00:00Z");
    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    static final ZoneId KOLKATA = ZoneId.of("Asia/Kolkata");
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @TempDir
    static Path dir;

    static SinkSettings duck;
    static ClickHouseServer.Database ch;
    static List<RefEvent> events;
    static JobDefinition utc, newYork, kolkata;

    @BeforeAll
    static void prepare() throws Exception {
        Path file = dir.resolve("events.jsonl");
        new EventGenerator(3000, 38, 17, START, 0.0).write(file);
        utc = JobLoader.parse("""
                name: trends_utc
                timezone: UTC
                granularities: [minute, hour, day, week, month]
                breakdowns: [plan]
                breakdown_users: [hour, day, week, month]
                """);
        newYork = JobLoader.parse("""
                name: trends_ny
                timezone: America/New_York
                granularities: [day, week, month]
                breakdowns: [plan]
                """);
        kolkata = JobLoader.parse("""
                name: trends_kolkata
                timezone: Asia/Kolkata
                granularities: [day, week]
                breakdowns: [plan]
                """);
        String url = "jdbc:duckdb:" + dir.resolve("trends.duckdb");
        duck = SinkSettings.of(url);
        SchemaManager.apply(duck);
        for (JobDefinition j : List.of(utc, newYork, kolkata)) Pipelines.batchInto(j, List.of(file), duck);
        ch = ClickHouseServer.createDatabase("trends");
        SchemaManager.apply(ch.settings());
        TableCopy.duckDbToClickHouse(url, ch, Tables.TIMESERIES);
        TableCopy.duckDbToClickHouse(url, ch, Tables.ACTIVITY);
        RawEventsLoader.load(ch, Files.readAllLines(file, StandardCharsets.UTF_8));
        events = RefParser.read(file, "production").events();
    }

    @AfterAll
    static void close() throws Exception {
        if (ch != null) ch.close();
    }

    static AggregationResult ask(JobDefinition job, SinkSettings db, TimeSeriesQuery q) {
        try (JdbcAggregationStorage s = new JdbcAggregationStorage(job, db)) {
            return s.query(q);
        }
    }

    static Instant day(String date, ZoneId zone) {
        return LocalDate.parse(date).atStartOfDay(zone).toInstant();
    }

    /** Unique users exact up to 1,000, within 2 % above (the sketches' promise). */
    static void assertUsers(long actual, long expected, String what) {
        if (expected <= 1000) assertThat(actual).as(what).isEqualTo(expected);
        else
            assertThat(Math.abs(actual - expected) / (double) expected)
                    .as(what + ": " + actual + " vs " + expected)
                    .isLessThanOrEqualTo(0.02);
    }

    @Test
    void rollingActiveUsersAgreeWithTheEventsAndWithUniqExact() throws Exception {
        List<Integer> windows = List.of(7, 28, 30);
        Instant from = day("2024-03-03", NEW_YORK), to = day("2024-04-03", NEW_YORK);
        for (List<String> selected : List.of(List.<String>of(), List.of("pageview"))) {
            TimeSeriesQuery q =
                    new TimeSeriesQuery(selected, from, to, Granularity.DAY, null, List.of(), null, windows, null);
            AggregationResult fromDuck = ask(newYork, duck, q);
            AggregationResult fromClickHouse = ask(newYork, ch.settings(), q);
            assertThat(fromClickHouse).isEqualTo(fromDuck);
            assertThat(fromDuck.series()).hasSize(31);
            Map<LocalDate, Set<String>> byDay =
                    usersByDay(NEW_YORK, e -> selected.isEmpty() || selected.contains(e.event()));
            for (TimeSeriesPoint p : fromDuck.series()) {
                LocalDate d = p.timestamp().atZone(NEW_YORK).toLocalDate();
                assertThat(p.activeUsers()).containsOnlyKeys("7d", "28d", "30d");
                for (int w : windows) {
                    Set<String> users = new HashSet<>();
                    for (int i = 0; i < w; i++) users.addAll(byDay.getOrDefault(d.minusDays(i), Set.of()));
                    String what = selected + " " + w + "-day users on " + d;
                    assertUsers(p.activeUsers().get(w + "d"), users.size(), what);
                    String eventFilter = selected.isEmpty() ? "" : " AND event = 'pageview'";
                    long uniqExact = ch.count("SELECT uniqExact(distinct_id) FROM events WHERE toDate(timestamp, '"
                            + NEW_YORK + "') BETWEEN toDate('" + d.minusDays(w - 1) + "') AND toDate('" + d + "')"
                            + eventFilter);
                    assertThat(uniqExact)
                            .as("uniqExact agrees with the reference: " + what)
                            .isEqualTo(users.size());
                }
                // A window holds its last day's users.
                assertThat(p.activeUsers().get("7d")).isGreaterThanOrEqualTo(p.uniqueUsers());
            }
            // The first day's windows reach back before the range: they hold the days before "from".
            assertThat(fromDuck.series().get(0).activeUsers().get("7d"))
                    .isGreaterThan(fromDuck.series().get(0).uniqueUsers());
        }
    }

    @Test
    void anotherZoneAnswersAsAJobRunInThatZone() throws Exception {
        for (Granularity g : List.of(Granularity.DAY, Granularity.WEEK, Granularity.MONTH)) {
            Instant from = day("2024-03-01", NEW_YORK), to = day("2024-04-01", NEW_YORK);
            TimeSeriesQuery inNewYork =
                    new TimeSeriesQuery(List.of(), from, to, g, null, List.of("plan"), null, List.of(), NEW_YORK);
            AggregationResult fromHours = ask(utc, duck, inNewYork);
            AggregationResult own =
                    ask(newYork, duck, new TimeSeriesQuery(List.of(), from, to, g, null, List.of("plan"), null));
            assertSameBuckets(fromHours, own, "New York " + g.id());
            assertThat(ask(utc, ch.settings(), inNewYork)).isEqualTo(fromHours);
        }
        // India is 5:30 from UTC: its days are made of the UTC job's minutes.
        for (Granularity g : List.of(Granularity.DAY, Granularity.WEEK)) {
            Instant from = day("2024-02-26", KOLKATA), to = day("2024-03-25", KOLKATA);
            AggregationResult fromMinutes = ask(
                    utc,
                    duck,
                    new TimeSeriesQuery(
                            List.of("pageview"), from, to, g, null, List.of("plan"), null, List.of(), KOLKATA));
            AggregationResult own = ask(
                    kolkata, duck, new TimeSeriesQuery(List.of("pageview"), from, to, g, null, List.of("plan"), null));
            assertSameBuckets(fromMinutes, own, "Kolkata " + g.id());
        }
    }

    @Test
    void anotherZoneAgreesWithTheEventsAndClickHouse() throws Exception {
        for (ZoneId zone : List.of(NEW_YORK, BERLIN, KOLKATA)) {
            Instant from = day("2024-03-04", zone), to = day("2024-04-01", zone);
            TimeSeriesQuery q =
                    new TimeSeriesQuery(List.of(), from, to, Granularity.DAY, null, List.of(), null, List.of(7), zone);
            AggregationResult r = ask(utc, duck, q);
            assertThat(r.timezone()).isEqualTo(zone.getId());
            assertThat(r.series()).hasSize(28);
            Map<LocalDate, Set<String>> users = usersByDay(zone, e -> true);
            Map<LocalDate, Long> counts = new HashMap<>();
            for (RefEvent e : events)
                counts.merge(Instant.ofEpochMilli(e.timestamp()).atZone(zone).toLocalDate(), 1L, Long::sum);
            Map<String, Map<String, String>> clickhouse = new HashMap<>();
            for (Map<String, String> row : ch.query("SELECT toString(toDate(timestamp, '" + zone
                    + "')) AS d, count() AS n, uniqExact(distinct_id) AS u FROM events GROUP BY d"))
                clickhouse.put(row.get("d"), row);
            for (TimeSeriesPoint p : r.series()) {
                LocalDate d = p.timestamp().atZone(zone).toLocalDate();
                assertThat(p.timestamp()).isEqualTo(d.atStartOfDay(zone).toInstant());
                assertThat(p.count()).as(zone + " " + d).isEqualTo(counts.get(d));
                assertUsers(p.uniqueUsers(), users.get(d).size(), zone + " " + d);
                assertThat(Long.parseLong(clickhouse.get(d.toString()).get("n")))
                        .isEqualTo(p.count());
                assertThat(Long.parseLong(clickhouse.get(d.toString()).get("u")))
                        .isEqualTo(users.get(d).size());
            }
            // Week of the DST change in New York: 167 hours, still one bucket.
            LocalDate monday = LocalDate.parse("2024-03-04").with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            assertThat(ask(
                                    utc,
                                    duck,
                                    new TimeSeriesQuery(
                                            List.of(),
                                            from,
                                            to,
                                            Granularity.WEEK,
                                            null,
                                            List.of(),
                                            null,
                                            List.of(),
                                            zone))
                            .series())
                    .first()
                    .extracting(TimeSeriesPoint::timestamp)
                    .isEqualTo(monday.atStartOfDay(zone).toInstant());
        }
    }

    @Test
    void uniqueUsersPerBreakdownValueAgreeWithTheEventsAndUniqExact() throws Exception {
        Instant from = Instant.parse("2024-03-01T00:00:00Z"), to = Instant.parse("2024-04-01T00:00:00Z");
        for (List<String> selected : List.of(List.<String>of(), List.of("purchase", "pageview"))) {
            TimeSeriesQuery q = new TimeSeriesQuery(selected, from, to, Granularity.DAY, null, List.of("plan"), null);
            AggregationResult r = ask(utc, duck, q);
            assertThat(ask(utc, ch.settings(), q)).isEqualTo(r);
            Map<String, Set<String>> users = new HashMap<>();
            for (RefEvent e : events) {
                String plan = e.properties().get("plan");
                if (plan == null || e.timestamp() < from.toEpochMilli() || e.timestamp() >= to.toEpochMilli()) continue;
                if (!selected.isEmpty() && !selected.contains(e.event())) continue;
                users.computeIfAbsent(plan, k -> new HashSet<>()).add(e.distinctId());
            }
            String which = selected.isEmpty() ? "" : " AND event IN ('purchase', 'pageview')";
            Map<String, Long> uniqExact = new HashMap<>();
            for (Map<String, String> row : ch.query("SELECT visitParamExtractString(properties, 'plan') AS p,"
                    + " uniqExact(distinct_id) AS u FROM events WHERE p != '' AND timestamp_ms >= "
                    + from.toEpochMilli()
                    + " AND timestamp_ms < " + to.toEpochMilli() + which + " GROUP BY p"))
                uniqExact.put(row.get("p"), Long.parseLong(row.get("u")));
            Map<String, Long> ours = r.breakdownUniqueUsersTotals().get("plan");
            assertThat(ours.keySet()).as(selected + " plans").containsExactlyInAnyOrderElementsOf(users.keySet());
            assertThat(users).as("several plans").hasSizeGreaterThan(1);
            for (Map.Entry<String, Set<String>> e : users.entrySet()) {
                assertUsers(ours.get(e.getKey()), e.getValue().size(), selected + " users of plan " + e.getKey());
                assertThat(uniqExact.get(e.getKey()))
                        .as("uniqExact " + e.getKey())
                        .isEqualTo(e.getValue().size());
                assertThat(ours.get(e.getKey()))
                        .as("users of a value, never more than its events")
                        .isLessThanOrEqualTo(r.breakdownTotals().get("plan").get(e.getKey()));
            }
            // Per day as well: the union over the range is not the sum of the days.
            long summed = r.series().stream()
                    .mapToLong(p -> p.breakdownUniqueUsers().get("plan").getOrDefault("free", 0L))
                    .sum();
            assertThat(summed).isGreaterThan(ours.get("free"));
        }
    }

    /** The same buckets, counts and breakdown counts; unique users as the sketches' promise allows. */
    static void assertSameBuckets(AggregationResult actual, AggregationResult expected, String what) {
        assertThat(actual.series()).as(what).hasSameSizeAs(expected.series()).isNotEmpty();
        for (int i = 0; i < actual.series().size(); i++) {
            TimeSeriesPoint a = actual.series().get(i), e = expected.series().get(i);
            String at = what + " " + e.timestamp();
            assertThat(a.timestamp()).as(at).isEqualTo(e.timestamp());
            assertThat(a.count()).as(at).isEqualTo(e.count());
            assertThat(a.breakdown()).as(at).isEqualTo(e.breakdown());
            assertUsers(a.uniqueUsers(), e.uniqueUsers(), at);
            assertThat(a.uniqueSessions()).as(at).isEqualTo(e.uniqueSessions());
            if (a.breakdownUniqueUsers() == null) {
                // Made of minutes, which this job keeps no users per value for (breakdown_users).
                assertThat(what).startsWith("Kolkata");
                continue;
            }
            assertThat(a.breakdownUniqueUsers().get("plan").keySet())
                    .as(at)
                    .isEqualTo(e.breakdownUniqueUsers().get("plan").keySet());
            e.breakdownUniqueUsers()
                    .get("plan")
                    .forEach((v, n) ->
                            assertUsers(a.breakdownUniqueUsers().get("plan").get(v), n, at + " users of plan " + v));
        }
        assertThat(actual.total()).isEqualTo(expected.total());
        assertThat(actual.breakdownTotals()).isEqualTo(expected.breakdownTotals());
    }

    static Map<LocalDate, Set<String>> usersByDay(ZoneId zone, Function<RefEvent, Boolean> which) {
        Map<LocalDate, Set<String>> out = new HashMap<>();
        for (RefEvent e : events) {
            if (!which.apply(e)) continue;
            out.computeIfAbsent(Instant.ofEpochMilli(e.timestamp()).atZone(zone).toLocalDate(), k -> new HashSet<>())
                    .add(e.distinctId());
        }
        return out;
    }
}
