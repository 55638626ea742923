package io.eventagg.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.generate.EventGenerator;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.pipeline.JdbcOutputs;
import io.eventagg.query.FunnelQuery;
import io.eventagg.query.JdbcAggregationStorage;
import io.eventagg.query.TimeSeriesQuery;
import io.eventagg.runtime.FlinkSettings;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import io.eventagg.sink.TableSpec;
import io.eventagg.sink.Tables;
import io.eventagg.testing.DuckTables;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.QuerySnapshot;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.TestJobs;
import io.eventagg.testing.Tiers;
import io.eventagg.testing.Watermarks;
import io.eventagg.time.Granularity;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The refresh invariants on DuckDB with files: streaming = batch = backfill; a backfill repairs a
 * range exactly (including rows that must disappear) and leaves everything outside untouched; a
 * second identical backfill changes nothing; late events kept by a live job are counted once.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
class RefreshTest {

    static final Instant START = Instant.parse("2024-02-20T00:00:00Z");
    static final Instant END = Instant.parse("2024-03-11T00:00:00Z");
    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    static Path dir;

    static Path complete;
    static List<String> lines;
    static JobDefinition job;

    @BeforeAll
    static void generate() throws Exception {
        Path raw = dir.resolve("raw.jsonl");
        new EventGenerator(2500, 20, 5, START, 0.005).write(raw);
        lines = Files.readAllLines(raw, StandardCharsets.UTF_8);
        // In timestamp order, then shuffled within 10-minute blocks: out of order, but never by more
        // than the allowed lateness, so a streaming run sees every event on time.
        List<String[]> keyed = new ArrayList<>();
        ObjectMapper m = new ObjectMapper();
        for (String l : lines) {
            long ts;
            try {
                var n = m.readTree(l);
                var t = n.get("timestamp");
                ts = t.isNumber()
                        ? t.asLong()
                        : OffsetDateTime.parse(t.asText()).toInstant().toEpochMilli();
            } catch (Exception e) {
                ts = 0;
            }
            keyed.add(new String[] {Long.toString(ts / 600_000L), l});
        }
        keyed.sort(Comparator.comparingLong(k -> Long.parseLong(k[0])));
        Random r = new Random(9);
        List<String> shuffled = new ArrayList<>();
        for (int i = 0; i < keyed.size(); ) {
            int j = i;
            while (j < keyed.size() && keyed.get(j)[0].equals(keyed.get(i)[0])) j++;
            List<String> block = new ArrayList<>();
            for (int k = i; k < j; k++) block.add(keyed.get(k)[1]);
            Collections.shuffle(block, r);
            shuffled.addAll(block);
            i = j;
        }
        complete = dir.resolve("complete.jsonl");
        Files.write(complete, shuffled, StandardCharsets.UTF_8);
        lines = shuffled;
        job = TestJobs.full("refresh", "Europe/Berlin");
    }

    static SinkSettings db(String name) throws Exception {
        SinkSettings s = SinkSettings.of("jdbc:duckdb:" + dir.resolve(name + ".duckdb"));
        SchemaManager.apply(s);
        return s;
    }

    static void batch(Path input, SinkSettings sink) throws Exception {
        Pipelines.run(
                job,
                List.of(input),
                RunOptions.batchDefaults(),
                IngestWatermarks.strategy(job.watermark()),
                new JdbcOutputs(job.name(), sink),
                2);
    }

    static Backfill.Summary backfill(Path input, SinkSettings sink, Instant from, Instant to) throws Exception {
        return Backfill.run(
                FlinkSettings.base(false),
                job,
                new RefreshRange(job, from, to),
                new FilesBackfillSource(List.of(input.toString())),
                sink,
                QUIET);
    }

    @Test
    void streamingEqualsBatchEqualsBackfill() throws Exception {
        SinkSettings batchDb = db("b"), streamDb = db("s"), backfillDb = db("f");
        batch(complete, batchDb);
        Pipelines.Counts streamed = Pipelines.run(
                job,
                List.of(complete),
                RunOptions.streamingDefaults(),
                Watermarks.perEvent(job.watermark().outOfOrderness()),
                new JdbcOutputs(job.name(), streamDb),
                2);
        assertThat(streamed.late())
                .as("shuffled within the allowed lateness: nothing is late")
                .isZero();
        Backfill.Summary s = backfill(complete, backfillDb, START, END);
        assertThat(s.generation()).isEqualTo(1);

        Map<String, String> b = QuerySnapshot.of(job, batchDb, START, END);
        Map<String, String> st = QuerySnapshot.of(job, streamDb, START, END);
        Map<String, String> bf = QuerySnapshot.of(job, backfillDb, START, END);
        assertThat(st.keySet()).isEqualTo(b.keySet());
        for (String k : b.keySet()) {
            assertThat(st.get(k)).as("streaming = batch: " + k).isEqualTo(b.get(k));
            assertThat(bf.get(k)).as("backfill = batch: " + k).isEqualTo(b.get(k));
        }
        assertThat(b.get("funnel pricing_to_purchase")).contains("\"users\"");
    }

    @Test
    void backfillRepairsTheRangeExactlyAndLeavesTheRestAlone() throws Exception {
        // A damaged dataset: some users' events of Feb 27..29 missing, and a bogus event on Feb 28
        // (inside the range) and Mar 5 (outside).
        List<String> damaged = new ArrayList<>();
        for (String l : lines) {
            boolean inHole = (l.contains("\"u1") || l.contains("\"u2"))
                    && (l.contains("2024-02-27T") || l.contains("2024-02-28T"));
            if (!inHole) damaged.add(l);
        }
        damaged.add(
                "{\"event\":\"bogus\",\"distinct_id\":\"x\",\"timestamp\":\"2024-02-28T12:00:00Z\",\"properties\":{\"plan\":\"zzz\"}}");
        damaged.add(
                "{\"event\":\"bogus\",\"distinct_id\":\"x\",\"timestamp\":\"2024-03-05T12:00:00Z\",\"properties\":{\"plan\":\"zzz\"}}");
        Path damagedFile = dir.resolve("damaged.jsonl");
        Files.write(damagedFile, damaged, StandardCharsets.UTF_8);

        SinkSettings truth = db("truth"), repaired = db("repaired");
        batch(complete, truth);
        batch(damagedFile, repaired);
        Map<TableSpec, Map<List<Object>, List<Object>>> before = allRows(repaired);

        Instant from = Instant.parse("2024-02-27T00:00:00+01:00"), to = Instant.parse("2024-02-29T00:00:00+01:00");
        RefreshRange range = new RefreshRange(job, from, to);
        backfill(complete, repaired, from, to);
        Map<TableSpec, Map<List<Object>, List<Object>>> after = allRows(repaired);
        Map<TableSpec, Map<List<Object>, List<Object>>> expected = allRows(truth);

        int inside = 0, outside = 0;
        for (TableSpec t : after.keySet()) {
            Map<List<Object>, List<Object>> want = new HashMap<>();
            before.get(t).forEach((k, v) -> {
                if (!targeted(t, k, range)) want.put(k, v);
            });
            expected.get(t).forEach((k, v) -> {
                if (targeted(t, k, range)) want.put(k, v);
            });
            assertThat(after.get(t)).as(t.name()).isEqualTo(want);
            for (List<Object> k : after.get(t).keySet()) {
                if (targeted(t, k, range)) inside++;
                else outside++;
            }
        }
        assertThat(inside).as("rows rewritten").isGreaterThan(100);
        assertThat(outside).as("rows untouched").isGreaterThan(100);
        assertThat(after.get(Tables.TIMESERIES).keySet().stream()
                        .filter(k -> "bogus".equals(k.get(2)))
                        .map(k -> (String) k.get(3)))
                .as(
                        "of the bogus event only the rows outside the range are left: March's minute, hour, day, week, month")
                .containsExactlyInAnyOrder("minute", "hour", "day", "week", "month");
        assertThat(DuckTables.count(
                        repaired.url(),
                        "SELECT count(*) FROM ea_timeseries WHERE event = 'bogus' AND granularity = 'day'"
                                + " AND bucket_start < TIMESTAMP '2024-03-01'"))
                .isZero();
        assertThat(DuckTables.count(
                        repaired.url(),
                        "SELECT count(*) FROM ea_timeseries WHERE event = 'bogus' AND granularity = 'day'"
                                + " AND bucket_start > TIMESTAMP '2024-03-04'"))
                .isEqualTo(1);

        // The same refresh again changes no value (only the generation in the versions).
        backfill(complete, repaired, from, to);
        assertThat(allRows(repaired)).isEqualTo(after);
        assertThat(DuckTables.count(repaired.url(), "SELECT count(*) FROM ea_refreshes WHERE status = 'done'"))
                .isEqualTo(2);
    }

    @Test
    void lateEventsKeptByALiveJobAreCountedOnceByARefresh() throws Exception {
        // Live: the last line is a pageview three hours older than everything before it.
        List<String> withLate = new ArrayList<>(lines);
        withLate.add(
                "{\"uuid\":\"late-1\",\"event\":\"pageview\",\"distinct_id\":\"late-user\",\"timestamp\":\"2024-03-10T09:00:00Z\","
                        + "\"properties\":{\"plan\":\"free\",\"path\":\"/\"}}");
        Path file = dir.resolve("with-late.jsonl");
        Files.write(file, withLate, StandardCharsets.UTF_8);
        SinkSettings live = db("live"), truth = db("late-truth");
        Pipelines.Counts c = Pipelines.run(
                job,
                List.of(file),
                RunOptions.streamingDefaults(),
                Watermarks.perEvent(job.watermark().outOfOrderness()),
                new JdbcOutputs(job.name(), live),
                2);
        assertThat(c.late()).isEqualTo(1);
        assertThat(DuckTables.count(live.url(), "SELECT count(*) FROM ea_late_events WHERE distinct_id = 'late-user'"))
                .isEqualTo(1);
        batch(file, truth);

        Instant from = Instant.parse("2024-03-10T00:00:00+01:00"), to = Instant.parse("2024-03-11T00:00:00+01:00");
        Backfill.Summary s = backfill(file, live, from, to);
        assertThat(s.lateEventsTable()).isEqualTo(1);
        // One row per environment: compared as a whole, in a fixed order.
        String day =
                "SELECT environment, event_count FROM ea_timeseries WHERE event = 'pageview' AND granularity = 'day'"
                        + " AND bucket_start = TIMESTAMP '2024-03-09 23:00:00' ORDER BY environment";
        assertThat(DuckTables.rows(truth.url(), day)).isNotEmpty();
        assertThat(DuckTables.rows(live.url(), day))
                .as("the late event is counted, and only once")
                .isEqualTo(DuckTables.rows(truth.url(), day));
    }

    @Test
    void answersOverARangeBeingRefreshedSaySo() throws Exception {
        SinkSettings sink = db("flag");
        batch(complete, sink);
        RefreshRange range =
                new RefreshRange(job, Instant.parse("2024-03-01T00:00:00Z"), Instant.parse("2024-03-02T00:00:00Z"));
        long g = RefreshLog.begin(sink, job.name(), range);
        try (var s = new JdbcAggregationStorage(job, sink)) {
            var inside = s.query(new TimeSeriesQuery(
                    List.of(),
                    Instant.parse("2024-03-01T00:00:00Z"),
                    Instant.parse("2024-03-03T00:00:00Z"),
                    Granularity.DAY,
                    null,
                    List.of(),
                    null));
            var before = s.query(new TimeSeriesQuery(
                    List.of(),
                    Instant.parse("2024-02-20T00:00:00Z"),
                    Instant.parse("2024-02-24T00:00:00Z"),
                    Granularity.DAY,
                    null,
                    List.of(),
                    null));
            assertThat(inside.refreshInProgress()).isTrue();
            assertThat(before.refreshInProgress())
                    .as("outside everything the refresh may rewrite")
                    .isNull();
            assertThat(s.funnel(new FunnelQuery(
                                    "onboarding",
                                    Instant.parse("2024-03-01T00:00:00Z"),
                                    Instant.parse("2024-03-02T00:00:00Z"),
                                    null))
                            .refreshInProgress())
                    .isTrue();
            RefreshLog.finish(sink, g, job.name(), range, "failed");
            var after = s.query(new TimeSeriesQuery(
                    List.of(),
                    Instant.parse("2024-03-01T00:00:00Z"),
                    Instant.parse("2024-03-03T00:00:00Z"),
                    Granularity.DAY,
                    null,
                    List.of(),
                    null));
            assertThat(after.refreshInProgress()).isNull();
        }
    }

    /** Whether a row of table t with key k is inside the refresh's target ranges. */
    static boolean targeted(TableSpec t, List<Object> k, RefreshRange range) {
        if (t == Tables.TIMESERIES)
            return range.buckets(Granularity.parse((String) k.get(3))).contains(millis(k.get(4)));
        if (t == Tables.ACTIVITY)
            return range.buckets(Granularity.parse((String) k.get(2))).contains(millis(k.get(3)));
        if (t == Tables.FUNNELS) return range.entryDays((String) k.get(1)).contains(millis(k.get(3)));
        return range.cohorts((String) k.get(1)).contains(millis(k.get(3)));
    }

    /** Result tables by natural key, values without the version. */
    static Map<TableSpec, Map<List<Object>, List<Object>>> allRows(SinkSettings sink) throws Exception {
        Map<TableSpec, Map<List<Object>, List<Object>>> out = new HashMap<>();
        for (TableSpec t : List.of(
                Tables.TIMESERIES,
                Tables.ACTIVITY,
                Tables.FUNNELS,
                Tables.RETENTION_COHORTS,
                Tables.RETENTION_PERIODS)) {
            Map<List<Object>, List<Object>> rows = new HashMap<>();
            for (Map<String, Object> r : DuckTables.rows(sink.url(), "SELECT * FROM " + t.name())) {
                List<Object> key = new ArrayList<>();
                for (String c : t.key()) key.add(r.get(c));
                List<Object> values = new ArrayList<>();
                for (var c : t.columns())
                    if (!t.key().contains(c.name()) && !c.name().equals("version")) values.add(r.get(c.name()));
                rows.put(key, values);
            }
            out.put(t, rows);
        }
        return out;
    }

    static long millis(Object ts) {
        if (ts instanceof Timestamp t) return t.toInstant().toEpochMilli();
        if (ts instanceof LocalDateTime l) return l.toInstant(ZoneOffset.UTC).toEpochMilli();
        throw new IllegalArgumentException(String.valueOf(ts));
    }
}
