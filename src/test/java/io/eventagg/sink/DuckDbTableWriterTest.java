package io.eventagg.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.testing.HostileCorpus;
import io.eventagg.testing.Tiers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DuckDB's table writer as the sink drives it (one {@code write} per batch, on a connection opened
 * for writing): values arrive verbatim on both of its paths (the direct append of new keys and the
 * merge), versions decide, and a direct append that meets a stored key is undone and merged.
 */
@Tag(Tiers.SERVICES)
class DuckDbTableWriterTest {
    private static final DuckDbDialect DIALECT = new DuckDbDialect();
    private static final long DAY = 86_400_000L;

    @TempDir
    Path dir;

    private SinkSettings settings;
    private Connection writer;
    private Connection reader;

    @BeforeEach
    void open() throws SQLException {
        settings = SinkSettings.of("jdbc:duckdb:" + dir.resolve("bulk.duckdb"));
        SchemaManager.apply(settings);
        writer = ConnectionFactory.openForWriting(settings);
        reader = ConnectionFactory.open(settings);
    }

    @AfterEach
    void close() throws SQLException {
        writer.close();
        reader.close();
    }

    private DuckDbTableWriter writerFor(TableSpec table) throws SQLException {
        return (DuckDbTableWriter) DIALECT.tableWriter(writer, table);
    }

    /** Writes one batch; the writer's counts so far (they add up over its batches). */
    private static DuckDbTableWriter.Counts write(DuckDbTableWriter w, TableSpec table, List<Object[]> rows)
            throws SQLException {
        w.write(rows);
        return w.counts();
    }

    private List<List<Object>> read(String sql) throws SQLException {
        List<List<Object>> out = new ArrayList<>();
        try (Statement s = reader.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) row.add(rs.getObject(i));
                out.add(row);
            }
        }
        return out;
    }

    /** Late events: the table with the most text, nullable and timestamp columns; not versioned. */
    private static List<Object[]> lateEvents(List<String> texts, String suffix) {
        long[] times = {
            0,
            -1,
            1,
            -DAY * 365 * 300,
            1_704_067_200_123L,
            DuckDbTableWriter.MIN_APPENDED_MS,
            DuckDbTableWriter.MAX_APPENDED_MS
        };
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String t = texts.get(i) + suffix;
            long ts = times[i % times.length];
            // the key (job, source, partition, offset) does not depend on the suffix
            rows.add(new Object[] {
                "job",
                "source " + texts.get(i),
                i % 3 - 1,
                (long) i,
                i % 4 == 0 ? null : t,
                t,
                "user " + t,
                ts,
                ts,
                t.isEmpty() ? "production" : t,
                i % 5 == 0 ? null : t,
                i % 2 == 0 ? null : "{\"p\":\"" + t + "\"}",
                times[(i + 3) % times.length]
            });
        }
        return rows;
    }

    private static List<String> hostileTexts() {
        List<String> texts = new ArrayList<>(HostileCorpus.ODD_NAMES);
        texts.addAll(List.of(
                "",
                "nul \u0000 in the middle\u0000",
                "\u0000",
                "a,b,\"c\"\n\"d\"",
                "\\N",
                "'quoted' ''twice''",
                "日本語 🎉 \u202E bidi",
                "x".repeat(3 << 20),
                "tab\tand\r\nCRLF",
                "short"));
        return texts;
    }

    private void assertStored(List<Object[]> rows) throws SQLException {
        List<List<Object>> stored = read(
                "SELECT job, source, src_partition, src_offset, uuid, event, distinct_id, epoch_ms(timestamp),"
                        + " timestamp_ms, environment, session_id, properties, epoch_ms(watermark) FROM ea_late_events ORDER BY src_offset");
        assertThat(stored).hasSize(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            assertThat(stored.get(i)).as("row %d", i).containsExactlyElementsOf(Arrays.asList(rows.get(i)));
        }
    }

    @Test
    void theDialectWritesThroughTheDuckDbTableWriter() throws SQLException {
        try (TableWriter w = DIALECT.tableWriter(writer, Tables.TIMESERIES)) {
            assertThat(w).isInstanceOf(DuckDbTableWriter.class);
        }
    }

    @Test
    void hostileValuesArriveVerbatimAppendedAndMerged() throws SQLException {
        List<Object[]> first = lateEvents(hostileTexts(), "");
        try (DuckDbTableWriter w = writerFor(Tables.LATE_EVENTS)) {
            DuckDbTableWriter.Counts c = write(w, Tables.LATE_EVENTS, first);
            assertThat(c.appendedRows()).as("new keys are appended").isEqualTo(first.size());
            assertThat(c.mergedRows()).isZero();
            assertStored(first);

            // The same keys with other values: not versioned, so the new rows replace them, by the merge.
            List<Object[]> second = lateEvents(hostileTexts(), " \u0000second\n");
            c = write(w, Tables.LATE_EVENTS, second);
            assertThat(c.mergedRows()).as("keys written before are merged").isEqualTo(second.size());
            assertThat(c.fallbacks()).isZero();
            assertStored(second);
        }
    }

    @Test
    void aTimestampBeyondWhatTheAppenderTakesIsConvertedByEpochMs() throws SQLException {
        long beyond = DuckDbTableWriter.MAX_APPENDED_MS + 1;
        List<Object[]> rows = lateEvents(List.of("a", "b"), "");
        rows.get(1)[12] = beyond;
        try (DuckDbTableWriter w = writerFor(Tables.LATE_EVENTS)) {
            DuckDbTableWriter.Counts c = write(w, Tables.LATE_EVENTS, rows);
            assertThat(c.fallbacks()).isEqualTo(1);
            assertThat(c.mergedRows()).isEqualTo(2);
        }
        assertStored(rows);
        assertThat(read("SELECT epoch_ms(watermark) = epoch_ms(epoch_ms(CAST(" + beyond
                        + " AS BIGINT))) FROM ea_late_events WHERE src_offset = 1"))
                .containsExactly(List.of(true));
    }

    private static Object[] series(String event, long bucket, long count, long version) {
        return new Object[] {
            "job",
            "production",
            event,
            "minute",
            bucket,
            count,
            count,
            "sketch" + count,
            "{\"n\":" + count + "}",
            false,
            version,
            "{\"n\":\"u" + count + "\"}"
        };
    }

    private List<List<Object>> series() throws SQLException {
        return read(
                "SELECT event, epoch_ms(bucket_start), event_count, users_sketch, breakdowns, version FROM ea_timeseries"
                        + " ORDER BY event, bucket_start");
    }

    @Test
    void theNewestVersionWinsWithinABatchAndAcrossBatchesAndReplaysChangeNothing() throws SQLException {
        long t = 1_704_067_200_000L;
        try (DuckDbTableWriter w = writerFor(Tables.TIMESERIES)) {
            write(
                    w,
                    Tables.TIMESERIES,
                    List.of(
                            series("a", t, 1, 1),
                            series("a", t, 3, 3),
                            series("a", t, 2, 2),
                            series("b", t + 60_000, 5, 5),
                            series("b", t + 60_000, 6, 5),
                            series("c", t + 120_000, 7, 1)));
            assertThat(series())
                    .containsExactly(
                            List.of("a", t, 3L, "sketch3", "{\"n\":3}", 3L),
                            List.of("b", t + 60_000, 6L, "sketch6", "{\"n\":6}", 5L),
                            List.of("c", t + 120_000, 7L, "sketch7", "{\"n\":7}", 1L));

            // Known keys, merged: a lower version is ignored, an equal one replaces, a higher one too;
            // the keys at both ends of the batch's bucket range must be matched (the merge's range conditions).
            List<Object[]> updates =
                    List.of(series("a", t, 2, 2), series("b", t + 60_000, 9, 5), series("c", t + 120_000, 8, 2));
            DuckDbTableWriter.Counts c = write(w, Tables.TIMESERIES, updates);
            assertThat(c.mergedRows()).isEqualTo(3);
            List<List<Object>> expected = List.of(
                    List.of("a", t, 3L, "sketch3", "{\"n\":3}", 3L),
                    List.of("b", t + 60_000, 9L, "sketch9", "{\"n\":9}", 5L),
                    List.of("c", t + 120_000, 8L, "sketch8", "{\"n\":8}", 2L));
            assertThat(series()).containsExactlyElementsOf(expected);

            // A replay of both batches leaves the table as it is.
            write(
                    w,
                    Tables.TIMESERIES,
                    List.of(
                            series("a", t, 1, 1),
                            series("a", t, 3, 3),
                            series("a", t, 2, 2),
                            series("b", t + 60_000, 5, 5),
                            series("b", t + 60_000, 6, 5),
                            series("c", t + 120_000, 7, 1)));
            write(w, Tables.TIMESERIES, updates);
            assertThat(series()).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void aMergedBatchLeavesNothingBehindForTheNext() throws SQLException {
        long t = 1_704_067_200_000L;
        try (DuckDbTableWriter w = writerFor(Tables.TIMESERIES)) {
            write(w, Tables.TIMESERIES, List.of(series("x", t, 1, 1), series("y", t, 1, 1)));
            write(w, Tables.TIMESERIES, List.<Object[]>of(series("x", t, 2, 2))); // known: merged
            try (Statement s = reader.createStatement()) {
                s.execute("DELETE FROM ea_timeseries WHERE event = 'x'"); // as a refresh does
            }
            write(w, Tables.TIMESERIES, List.<Object[]>of(series("y", t, 3, 3))); // merged again
            assertThat(w.counts().mergedRows()).isEqualTo(2);
        }
        assertThat(series()).containsExactly(List.of("y", t, 3L, "sketch3", "{\"n\":3}", 3L));
    }

    @Test
    void aDirectAppendThatMeetsAStoredKeyIsUndoneAndTheBatchMerged() throws SQLException {
        // in the first of the appender's chunks of 2,048 rows, and in the last, partial one
        directAppendMeets(500, 4990);
    }

    @Test
    void aStoredKeyInTheLastPartialChunkIsFoundToo() throws SQLException {
        // the appender hands over its last chunk when flushed, and close() would ignore the error
        directAppendMeets(4990);
    }

    /**
     * Rows this statement does not know about (another writer's, or a failed attempt's before a
     * restart): a stored version 10 of the first key, version 1 of the others; then 5,000 new rows
     * of version 5 including those keys.
     */
    private void directAppendMeets(int... stored) throws SQLException {
        long t = 1_704_067_200_000L;
        try (Statement s = reader.createStatement()) {
            for (int k = 0; k < stored.length; k++) {
                s.execute("INSERT INTO ea_timeseries VALUES ('job', 'production', 'k" + stored[k]
                        + "', 'minute', epoch_ms(" + (t + stored[k] * 60_000L) + "), 99, 99, 's', '{}', true, "
                        + (k == 0 ? 10 : 1) + ", NULL)");
            }
        }
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 5000; i++) rows.add(series("k" + i, t + i * 60_000L, i, 5));
        try (DuckDbTableWriter w = writerFor(Tables.TIMESERIES)) {
            DuckDbTableWriter.Counts c = write(w, Tables.TIMESERIES, rows);
            assertThat(c.fallbacks()).isEqualTo(1);
            assertThat(c.appendedRows()).isZero();
            assertThat(c.mergedRows()).isEqualTo(5000);
        }
        assertThat(
                        read(
                                "SELECT count(*), count(DISTINCT (event, bucket_start)), CAST(sum(event_count) AS BIGINT) FROM ea_timeseries"))
                .as("every row once, the first stored one kept (99 instead of its count)")
                .containsExactly(List.of(5000L, 5000L, 5000L * 4999 / 2 - stored[0] + 99));
        assertThat(read("SELECT version FROM ea_timeseries WHERE event = 'k" + stored[0] + "'"))
                .containsExactly(List.of(10L));
        if (stored.length > 1) {
            assertThat(read("SELECT event_count, version FROM ea_timeseries WHERE event = 'k" + stored[1] + "'"))
                    .as("version 1 replaced by 5")
                    .containsExactly(List.of((long) stored[1], 5L));
        }
    }

    @Test
    void aFailedBatchLeavesTheStatementUsable() throws SQLException {
        List<Object[]> rows = lateEvents(List.of("a", "b", "c"), "");
        try (DuckDbTableWriter w = writerFor(Tables.LATE_EVENTS)) {
            write(w, Tables.LATE_EVENTS, rows.subList(0, 1));
            // a known row with a watermark no timestamp can hold, and a new row: the merge fails in the
            // transaction that also appended the new row (and created the staging table)
            Object[] impossible = rows.get(0).clone();
            impossible[12] = Long.MAX_VALUE / 2;
            Assertions.assertThatThrownBy(() -> w.write(List.of(impossible, rows.get(1))))
                    .isInstanceOf(SQLException.class);
            // what the sink does next (a retry, or the next batch) works
            write(w, Tables.LATE_EVENTS, rows);
        }
        assertStored(rows);
    }

    @Test
    void aTableWithColumnsInAnotherOrderIsMergedByName() throws SQLException {
        try (Statement s = reader.createStatement()) {
            s.execute("DROP TABLE ea_retention_cohorts");
            s.execute(
                    "CREATE TABLE ea_retention_cohorts (version BIGINT NOT NULL, job VARCHAR NOT NULL, retention VARCHAR NOT NULL,"
                            + " environment VARCHAR NOT NULL, cohort_start TIMESTAMP NOT NULL, is_final BOOLEAN NOT NULL, cohort_size BIGINT NOT NULL,"
                            + " PRIMARY KEY (job, retention, environment, cohort_start))");
        }
        try (DuckDbTableWriter w = writerFor(Tables.RETENTION_COHORTS)) {
            DuckDbTableWriter.Counts c = write(w, Tables.RETENTION_COHORTS, List.<Object[]>of(new Object[] {
                "job", "r", "production", 7 * DAY, 12L, true, 3L
            }));
            assertThat(c.appendedRows()).isZero();
            assertThat(c.mergedRows()).isEqualTo(1);
        }
        assertThat(
                        read(
                                "SELECT version, job, retention, environment, epoch_ms(cohort_start), is_final, cohort_size FROM ea_retention_cohorts"))
                .containsExactly(List.of(3L, "job", "r", "production", 7 * DAY, true, 12L));
    }

    @Test
    void everyColumnTypeSurvivesBothPaths() throws SQLException {
        Object[] step = {
            "job",
            "f",
            "production",
            3 * DAY,
            2,
            "step \u0000 two",
            5L,
            null,
            4L,
            -0.5e-7,
            "dd",
            3L,
            Double.MAX_VALUE,
            null,
            true,
            1L
        };
        Object[] update = step.clone();
        update[9] = Double.NaN;
        update[15] = 2L;
        try (DuckDbTableWriter w = writerFor(Tables.FUNNELS)) {
            assertThat(write(w, Tables.FUNNELS, List.<Object[]>of(step)).appendedRows())
                    .isEqualTo(1);
            String sql =
                    "SELECT job, funnel, environment, epoch_ms(entry_day), step, step_name, users, users_sketch, from_previous_count,"
                            + " from_previous_sum_seconds, from_previous_sketch, from_start_count, from_start_sum_seconds, from_start_sketch, is_final,"
                            + " version FROM ea_funnel_steps";
            assertThat(read(sql)).containsExactly(Arrays.asList(step));
            assertThat(write(w, Tables.FUNNELS, List.<Object[]>of(update)).mergedRows())
                    .isEqualTo(1);
            assertThat(read(sql)).containsExactly(Arrays.asList(update));
        }
    }
}
