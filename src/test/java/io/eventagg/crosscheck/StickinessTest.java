package io.eventagg.crosscheck;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.generate.EventGenerator;
import io.eventagg.query.JdbcAggregationStorage;
import io.eventagg.query.StickinessQuery;
import io.eventagg.query.StickinessResult;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stickiness (users by number of active days per week and month) against a reference computed
 * here from the raw events with java.time, in New York's zone across its DST change; batch,
 * streaming and a backfill write the same table; the query layer answers the same from DuckDB and
 * ClickHouse, and as ClickHouse's {@code uniqExact(toDate(timestamp, zone))} per user and week does.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
@ExtendWith(ClickHouseServer.class)
class StickinessTest {
    static final ZoneId ZONE = ZoneId.of("America/New_York");
    static final Instant START = Instant.parse("2024-02-26T05:00:00Z");

    @TempDir
    static Path dir;

    static Path file;
    static JobDefinition job;
    static List<RefEvent> events;

    @BeforeAll
    static void prepare() throws Exception {
        file = dir.resolve("events.jsonl");
        new EventGenerator(2500, 40, 29, START, 0.01).write(file);
        job = JobLoader.parse("""
                name: sticky
                timezone: America/New_York
                granularities: [day]
                stickiness: {periods: [week, month]}
                """);
        events = RefParser.read(file, "production").events();
    }

    /** (environment, period, period start, days active) → users, from the raw events. */
    static Map<List<Object>, Long> reference() {
        Map<List<Object>, Set<LocalDate>> days = new HashMap<>();
        for (RefEvent e : events) {
            LocalDate d = Instant.ofEpochMilli(e.timestamp()).atZone(ZONE).toLocalDate();
            LocalDate week = d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            LocalDate month = d.withDayOfMonth(1);
            for (Object[] p : new Object[][] {{"week", week}, {"month", month}}) {
                long start = ((LocalDate) p[1]).atStartOfDay(ZONE).toInstant().toEpochMilli();
                days.computeIfAbsent(List.of(e.environment(), p[0], start, e.distinctId()), k -> new HashSet<>())
                        .add(d);
            }
        }
        Map<List<Object>, Long> out = new HashMap<>();
        days.forEach((k, v) -> out.merge(List.of(k.get(0), k.get(1), k.get(2), v.size()), 1L, Long::sum));
        return out;
    }

    static Map<List<Object>, Long> stored(String url) throws Exception {
        Map<List<Object>, Long> out = new HashMap<>();
        for (Map<String, Object> r : DuckTables.rows(url, "SELECT * FROM ea_stickiness")) {
            assertThat(r.get("is_final")).isEqualTo(true);
            long users = ((Number) r.get("users")).longValue();
            if (users == 0) continue;
            out.put(
                    List.of(
                            r.get("environment"),
                            r.get("period"),
                            FunnelTables.millis(r.get("period_start")),
                            ((Number) r.get("days_active")).intValue()),
                    users);
        }
        return out;
    }

    @Test
    void batchStreamingAndBackfillEqualTheReference() throws Exception {
        Map<List<Object>, Long> expected = reference();
        assertThat(expected.keySet()).anyMatch(k -> k.get(1).equals("week") && (Integer) k.get(3) == 7);

        Map<String, String> urls =
                Pipelines.threeWays(job, file, dir, START.minusSeconds(7 * 86_400), START.plusSeconds(60 * 86_400));
        for (Map.Entry<String, String> u : urls.entrySet())
            assertThat(stored(u.getValue())).as(u.getKey()).isEqualTo(expected);
        String batch = urls.get("batch");

        // The query layer, on DuckDB and on ClickHouse (the same rows), against ClickHouse's own count.
        try (ClickHouseServer.Database ch = ClickHouseServer.createDatabase("sticky")) {
            SchemaManager.apply(ch.settings());
            TableCopy.duckDbToClickHouse(batch, ch, Tables.STICKINESS);
            TableCopy.duckDbToClickHouse(batch, ch, Tables.PROGRESS);
            RawEventsLoader.load(ch, Files.readAllLines(file, StandardCharsets.UTF_8));
            Instant from = Instant.parse("2024-03-04T05:00:00Z"), to = Instant.parse("2024-04-01T04:00:00Z");
            StickinessQuery q = new StickinessQuery(Granularity.WEEK, from, to, null);
            StickinessResult duck, click;
            try (JdbcAggregationStorage s = new JdbcAggregationStorage(job, SinkSettings.of(batch))) {
                duck = s.stickiness(q);
            }
            try (JdbcAggregationStorage s = new JdbcAggregationStorage(job, ch.settings())) {
                click = s.stickiness(q);
            }
            assertThat(click).isEqualTo(duck);
            assertThat(duck.periods()).hasSize(4).allMatch(StickinessResult.Period::complete);
            Map<String, long[]> clickhouse = new HashMap<>();
            for (Map<String, String> row : ch.query("SELECT toString(w) AS w, d, count() AS n FROM (SELECT environment,"
                    + " distinct_id, toMonday(toDate(timestamp, 'America/New_York')) AS w,"
                    + " uniqExact(toDate(timestamp, 'America/New_York')) AS d FROM events GROUP BY environment,"
                    + " distinct_id, w) GROUP BY w, d"))
                clickhouse.computeIfAbsent(row.get("w"), k -> new long[7])[Integer.parseInt(row.get("d")) - 1] +=
                        Long.parseLong(row.get("n"));
            long[] total = new long[7];
            for (StickinessResult.Period p : duck.periods()) {
                String week = p.periodStart().atZone(ZONE).toLocalDate().toString();
                long[] expectedWeek = clickhouse.get(week);
                for (int k = 0; k < 7; k++) {
                    assertThat(p.usersByDays().get(k))
                            .as(week + " " + (k + 1) + " days")
                            .isEqualTo(expectedWeek[k]);
                    total[k] += expectedWeek[k];
                }
                assertThat(p.activeUsers())
                        .isEqualTo(java.util.Arrays.stream(expectedWeek).sum());
            }
            for (int k = 0; k < 7; k++) assertThat(duck.totalByDays().get(k)).isEqualTo(total[k]);
            assertThat(duck.averageDaysActive()).isBetween(1.0, 7.0);
        }
    }
}
