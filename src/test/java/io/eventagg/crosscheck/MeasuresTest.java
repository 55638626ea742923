package io.eventagg.crosscheck;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.query.JdbcAggregationStorage;
import io.eventagg.query.MeasureQuery;
import io.eventagg.query.MeasureResult;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import io.eventagg.sink.Tables;
import io.eventagg.sketch.Sketches;
import io.eventagg.testing.ClickHouseServer;
import io.eventagg.testing.DuckTables;
import io.eventagg.testing.FunnelTables;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.RawEventsLoader;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.TableCopy;
import io.eventagg.testing.Tiers;
import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Numeric measures against a reference kept while the test writes its events: order values drawn
 * from a heavy-tailed (log-normal) distribution, a heavy user with 50,000 orders, values that are
 * not numbers (numeric strings, booleans, objects) or absent or null, two environments, across New
 * York's DST change. Per bucket, in batch, streaming and a backfill: counts, sums, min and max
 * exact, quantiles within 1 %; the query layer on DuckDB and ClickHouse; ClickHouse's own
 * {@code sum}, {@code min}, {@code max} and {@code quantileExact} over the same events.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
@ExtendWith(ClickHouseServer.class)
class MeasuresTest {
    static final Instant START = Instant.parse("2024-03-06T05:00:00Z");
    static final long DAY = 86_400_000L;

    @TempDir
    static Path dir;

    static Path file;
    static JobDefinition job;
    /** (environment, granularity, bucket) → [events, non-numeric], values. */
    static final Map<List<Object>, long[]> counts = new HashMap<>();

    static final Map<List<Object>, List<Double>> values = new HashMap<>();
    static final List<String> lines = new ArrayList<>();

    @BeforeAll
    static void prepare() throws Exception {
        job = JobLoader.parse("""
                name: measured
                timezone: America/New_York
                granularities: [hour, day, week]
                measures:
                  order_value: {event: order, property: price}
                """);
        BucketCalendar cal = job.calendar();
        Random r = new Random(41);
        for (int i = 0; i < 70_000; i++) {
            boolean heavy = i < 50_000;
            String user = heavy ? "whale" : "u" + r.nextInt(3000);
            String env = r.nextInt(10) == 0 ? "staging" : "production";
            long ts = START.toEpochMilli() + (long) (r.nextDouble() * 9 * DAY);
            int kind = r.nextInt(100);
            String price;
            Double number = null;
            boolean nonNumeric = false;
            if (kind < 85) {
                number = Math.round(Math.exp(3 + 1.2 * r.nextGaussian()) * 100) / 100.0;
                price = "\"price\":" + number;
            } else if (kind < 90) {
                price = "\"price\":\"" + (r.nextInt(500) + 0.5) + "\"";
                nonNumeric = true;
            } else if (kind < 93) {
                price = "\"price\":true";
                nonNumeric = true;
            } else if (kind < 95) {
                price = "\"price\":{\"amount\":3}";
                nonNumeric = true;
            } else if (kind < 97) {
                price = "\"price\":null";
            } else {
                price = "\"other\":1";
            }
            lines.add(String.format(
                    Locale.ROOT,
                    "{\"event\":\"order\",\"distinct_id\":\"%s\",\"timestamp\":%d,\"environment\":\"%s\",\"properties\":{%s}}",
                    user,
                    ts,
                    env,
                    price));
            for (Granularity g : job.granularities()) {
                List<Object> key = List.of(env, g.id(), cal.start(g, ts));
                long[] c = counts.computeIfAbsent(key, k -> new long[2]);
                c[0]++;
                if (nonNumeric) c[1]++;
                if (number != null)
                    values.computeIfAbsent(key, k -> new ArrayList<>()).add(number);
            }
        }
        // Other events, which no measure reads.
        lines.add("{\"event\":\"pageview\",\"distinct_id\":\"u1\",\"timestamp\":" + START.toEpochMilli()
                + ",\"properties\":{\"price\":5}}");
        // In time order, as a stream delivers them (out-of-order events beyond the lateness are late).
        lines.sort(java.util.Comparator.comparingLong(
                l -> Long.parseLong(l.replaceAll(".*\"timestamp\":([0-9]+).*", "$1"))));
        file = dir.resolve("orders.jsonl");
        Files.write(file, lines);
    }

    /** The exact value at quantile q lies within 1 % of what the sketch answers (ranks q(n-1), rounded either way). */
    static void assertQuantile(Double actual, List<Double> sorted, double q, String what) {
        double rank = q * (sorted.size() - 1);
        double lo = sorted.get((int) Math.floor(rank)), hi = sorted.get((int) Math.ceil(rank));
        assertThat(actual).as(what).isBetween(lo * (1 - 0.0101), hi * (1 + 0.0101));
    }

    static void assertStored(String url, String how) throws Exception {
        Map<List<Object>, Map<String, Object>> rows = new HashMap<>();
        for (Map<String, Object> r : DuckTables.rows(url, "SELECT * FROM ea_measures"))
            rows.put(
                    List.of(r.get("environment"), r.get("granularity"), FunnelTables.millis(r.get("bucket_start"))), r);
        assertThat(rows.keySet()).as(how).containsExactlyInAnyOrderElementsOf(counts.keySet());
        for (Map.Entry<List<Object>, long[]> e : counts.entrySet()) {
            Map<String, Object> row = rows.get(e.getKey());
            String where = how + " " + e.getKey();
            List<Double> v = new ArrayList<>(values.getOrDefault(e.getKey(), List.of()));
            v.sort(null);
            assertThat(((Number) row.get("event_count")).longValue()).as(where).isEqualTo(e.getValue()[0]);
            assertThat(((Number) row.get("non_numeric")).longValue()).as(where).isEqualTo(e.getValue()[1]);
            assertThat(((Number) row.get("value_count")).longValue()).as(where).isEqualTo(v.size());
            assertThat(row.get("is_final")).isEqualTo(true);
            if (v.isEmpty()) {
                assertThat(row.get("value_min")).isNull();
                continue;
            }
            double sum = v.stream().mapToDouble(Double::doubleValue).sum();
            assertThat((Double) row.get("value_sum"))
                    .as(where)
                    .isCloseTo(sum, org.assertj.core.data.Offset.offset(1e-6 * Math.abs(sum) + 1e-9));
            assertThat((Double) row.get("value_min")).as(where).isEqualTo(v.get(0));
            assertThat((Double) row.get("value_max")).as(where).isEqualTo(v.get(v.size() - 1));
            var sketch = Sketches.quantilesFromBytes(Sketches.fromBase64((String) row.get("quantiles_sketch")));
            assertQuantile(Sketches.quantile(sketch, 0.5), v, 0.5, "p50 " + where);
            assertQuantile(Sketches.quantile(sketch, 0.9), v, 0.9, "p90 " + where);
        }
    }

    @Test
    void everyWayOfRunningAgreesWithTheReferenceAndClickHouse() throws Exception {
        Map<String, String> urls =
                Pipelines.threeWays(job, file, dir, START.minusMillis(7 * DAY), START.plusMillis(14 * DAY));
        for (Map.Entry<String, String> u : urls.entrySet()) assertStored(u.getValue(), u.getKey());
        String batch = urls.get("batch");

        try (ClickHouseServer.Database ch = ClickHouseServer.createDatabase("measured")) {
            SchemaManager.apply(ch.settings());
            TableCopy.duckDbToClickHouse(batch, ch, Tables.MEASURES);
            RawEventsLoader.load(ch, lines);
            Instant from = START, to = Instant.parse("2024-03-13T04:00:00Z"); // seven New York days, DST included
            MeasureQuery q = new MeasureQuery("order_value", from, to, Granularity.DAY, null);
            MeasureResult duck, click;
            try (JdbcAggregationStorage s = new JdbcAggregationStorage(job, SinkSettings.of(batch))) {
                duck = s.measure(q);
            }
            try (JdbcAggregationStorage s = new JdbcAggregationStorage(job, ch.settings())) {
                click = s.measure(q);
            }
            assertThat(click).isEqualTo(duck);
            assertThat(duck.series()).hasSize(7);
            assertThat(duck.property()).isEqualTo("price");
            // ClickHouse over the raw events: numbers only (its visitParam functions read a string as 0).
            String numeric = "event = 'order' AND visitParamHas(properties, 'price')"
                    + " AND match(properties, '\"price\":-?[0-9]') AND timestamp_ms >= " + from.toEpochMilli()
                    + " AND timestamp_ms < " + to.toEpochMilli();
            Map<String, String> exact = ch.query("SELECT count() AS n, sum(p) AS s, min(p) AS lo, max(p) AS hi,"
                            + " quantileExact(0.5)(p) AS q50, quantileExact(0.99)(p) AS q99 FROM (SELECT"
                            + " visitParamExtractFloat(properties, 'price') AS p FROM events WHERE " + numeric + ")")
                    .get(0);
            MeasureResult.Stats t = duck.total();
            assertThat(t.values()).isEqualTo(Long.parseLong(exact.get("n")));
            assertThat(t.sum())
                    .isCloseTo(Double.parseDouble(exact.get("s")), org.assertj.core.data.Offset.offset(1e-6 * t.sum()));
            assertThat(t.min()).isEqualTo(Double.parseDouble(exact.get("lo")));
            assertThat(t.max()).isEqualTo(Double.parseDouble(exact.get("hi")));
            assertThat(t.average()).isCloseTo(t.sum() / t.values(), org.assertj.core.data.Offset.offset(1e-9));
            assertThat(t.p50())
                    .isCloseTo(
                            Double.parseDouble(exact.get("q50")),
                            org.assertj.core.data.Percentage.withPercentage(1.01));
            assertThat(t.p99())
                    .isCloseTo(
                            Double.parseDouble(exact.get("q99")),
                            org.assertj.core.data.Percentage.withPercentage(1.01));
            long nonNumeric = counts.entrySet().stream()
                    .filter(e -> e.getKey().get(1).equals("day")
                            && (Long) e.getKey().get(2) >= from.toEpochMilli()
                            && (Long) e.getKey().get(2) < to.toEpochMilli())
                    .mapToLong(e -> e.getValue()[1])
                    .sum();
            assertThat(t.nonNumeric()).isEqualTo(nonNumeric).isPositive();
            assertThat(t.events()).isGreaterThan(t.values() + t.nonNumeric());
        }
    }

    @Test
    void unknownMeasuresAreRefused() throws Exception {
        String url = "jdbc:duckdb:" + dir.resolve("empty.duckdb");
        SchemaManager.apply(SinkSettings.of(url));
        try (JdbcAggregationStorage s = new JdbcAggregationStorage(job, SinkSettings.of(url))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                            s.measure(new MeasureQuery("revenue", START, START.plusMillis(DAY), Granularity.DAY, null)))
                    .hasMessage("measure 'revenue' is not defined in job 'measured' (measures: order_value)");
            MeasureResult empty =
                    s.measure(new MeasureQuery("order_value", START, START.plusMillis(DAY), Granularity.HOUR, null));
            assertThat(empty.series()).hasSize(24);
            assertThat(empty.total().values()).isZero();
            assertThat(empty.total().average()).isNull();
        }
    }
}
