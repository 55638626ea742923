package io.eventagg.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventagg.testing.ClickHouseServer;
import io.eventagg.testing.Tiers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The ClickHouse dialect against the real server (Debian's 18.16): rows written through the table
 * writer the sink uses, read back exactly; the newest version wins at read time
 * (FINAL) before any merge; big batches are split; errors say what went wrong and never show the
 * password; the v1 client is chosen by a sink property, without a JVM flag.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(ClickHouseServer.class)
class ClickHouseSinkTest {
    /** The password of the local server's `eventagg` user (scripts/clickhouse.sh). */
    static final String LOCAL_PASSWORD = "eventagg-local-7c1e";

    static ClickHouseServer.Database db;
    static SinkSettings settings;

    @BeforeAll
    static void schema() throws Exception {
        db = ClickHouseServer.createDatabase("test_sink");
        settings = db.settings();
        SchemaManager.apply(settings);
    }

    @AfterAll
    static void drop() throws Exception {
        if (db != null) db.close();
    }

    /** Writes rows as one batch, the way the sink does: its table writer on a connection opened for writing. */
    static void write(SinkSettings s, TableSpec table, List<Object[]> rows) throws SQLException {
        try (Connection c = ConnectionFactory.openForWriting(s);
                TableWriter w = s.dialect().tableWriter(c, table)) {
            w.write(rows);
        }
    }

    static Object[] series(
            String event, long bucket, long count, String sketch, String breakdowns, boolean fin, long version) {
        return new Object[] {
            "sinktest", "production", event, "hour", bucket, count, count / 2, sketch, breakdowns, fin, version, null
        };
    }

    @Test
    void valuesRoundTripExactly() throws Exception {
        String awkward = "tab\there, newline\nthere, back\\slash, quote ' \" , nul \0, cr \r, ünïcødé 𝄞 ☃";
        List<Object[]> rows = List.of(
                series("ev1 " + awkward, 1704067200000L, 10, null, "{\"plan\":{\"pro\":3}}", false, 5),
                series("ev2", 1704070800999L, Long.MAX_VALUE, "c2tldGNo", "{}", true, RowVersion.of(3, 77, true)));
        write(settings, Tables.TIMESERIES, rows);
        List<Map<String, String>> back = db.query(
                "SELECT event, toInt64(toUnixTimestamp(bucket_start)) AS b, event_count, unique_users,"
                        + " users_sketch, breakdowns, is_final, version FROM ea_timeseries FINAL WHERE event LIKE 'ev_%' ORDER BY b");
        assertThat(back).hasSize(2);
        assertThat(back.get(0).get("event")).isEqualTo("ev1 " + awkward);
        assertThat(back.get(0).get("b")).isEqualTo("1704067200");
        assertThat(back.get(0).get("users_sketch")).isNull();
        assertThat(back.get(0).get("breakdowns")).isEqualTo("{\"plan\":{\"pro\":3}}");
        assertThat(back.get(0).get("is_final")).isEqualTo("0");
        assertThat(back.get(1).get("b")).as("seconds precision").isEqualTo("1704070800");
        assertThat(back.get(1).get("event_count")).isEqualTo(String.valueOf(Long.MAX_VALUE));
        assertThat(back.get(1).get("users_sketch")).isEqualTo("c2tldGNo");
        assertThat(back.get(1).get("is_final")).isEqualTo("1");
        assertThat(back.get(1).get("version")).isEqualTo(String.valueOf(RowVersion.of(3, 77, true)));

        write(settings, Tables.FUNNELS, List.<Object[]>of(new Object[] {
            "sinktest",
            "f",
            "production",
            1704067200000L,
            2,
            "step two",
            5L,
            null,
            4L,
            12.5,
            null,
            3L,
            Double.NaN,
            "kll",
            false,
            1L
        }));
        Map<String, String> f = db.query(
                        "SELECT step, from_previous_sum_seconds, from_start_sum_seconds, from_start_sketch FROM ea_funnel_steps FINAL")
                .get(0);
        assertThat(f)
                .containsEntry("step", "2")
                .containsEntry("from_previous_sum_seconds", "12.5")
                .containsEntry("from_start_sum_seconds", "nan")
                .containsEntry("from_start_sketch", "kll");
    }

    @Test
    void newestVersionWinsBeforeAnyMerge() throws Exception {
        long bucket = 1704153600000L;
        // Three inserts = three parts; ClickHouse has not merged them when we read.
        write(settings, Tables.TIMESERIES, List.<Object[]>of(series("v", bucket, 1, null, "{}", false, 10)));
        write(settings, Tables.TIMESERIES, List.<Object[]>of(series("v", bucket, 3, null, "{}", true, 30)));
        write(settings, Tables.TIMESERIES, List.<Object[]>of(series("v", bucket, 2, null, "{}", false, 20)));
        // A replay inside one batch: the same key twice.
        write(
                settings,
                Tables.TIMESERIES,
                List.of(series("w", bucket, 1, null, "{}", false, 1), series("w", bucket, 9, null, "{}", true, 2)));
        assertThat(db.count("SELECT count() FROM ea_timeseries WHERE event = 'v'"))
                .as("rows stored")
                .isEqualTo(3);
        assertThat(
                        db.query(
                                "SELECT event, event_count, is_final FROM ea_timeseries FINAL WHERE event IN ('v', 'w') ORDER BY event"))
                .extracting(r -> r.get("event") + "=" + r.get("event_count") + "/" + r.get("is_final"))
                .containsExactly("v=3/1", "w=9/1");
        assertThat(db.query(
                        "SELECT argMax(event_count, version) AS c FROM ea_timeseries WHERE event = 'v' GROUP BY job, environment, event,"
                                + " granularity, bucket_start"))
                .extracting(r -> r.get("c"))
                .containsExactly("3");
    }

    @Test
    void bigBatchesAreSplitIntoSeveralInserts() throws Exception {
        String sketch = "x".repeat(20_000);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 4000; i++) rows.add(series("big", 1704240000000L + 60_000L * i, i, sketch, "{}", true, 1));
        // Background merges would make the count of parts meaningless.
        db.execute("SYSTEM STOP MERGES ea_timeseries");
        long parts = activeParts();
        long t0 = System.nanoTime();
        write(settings, Tables.TIMESERIES, rows);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("4,000 rows of 20 KB (80 MB) into ClickHouse in %.1f s%n", s);
        assertThat(db.count("SELECT count() FROM ea_timeseries FINAL WHERE event = 'big'"))
                .isEqualTo(4000);
        assertThat(activeParts() - parts)
                .as("80 MB went as several inserts of at most 32 MiB")
                .isGreaterThanOrEqualTo(3);
        db.execute("SYSTEM START MERGES ea_timeseries");
    }

    static long activeParts() throws Exception {
        return db.count(
                "SELECT count() FROM system.parts WHERE database = currentDatabase() AND table = 'ea_timeseries' AND active");
    }

    @Test
    void throughputOfSmallRows() throws Exception {
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            rows.add(new Object[] {
                "sinktest", "topic", i % 4, (long) i, "invalid JSON: unexpected end", "{\"event\":", 9L
            });
        }
        long t0 = System.nanoTime();
        write(settings, Tables.DEAD_LETTERS, rows);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
                "20,000 dead-letter rows into ClickHouse in one batch: %.2f s (%,.0f rows/s)%n", s, 20_000 / s);
        assertThat(db.count("SELECT count() FROM ea_dead_letters FINAL WHERE job = 'sinktest'"))
                .isEqualTo(20_000);
    }

    @Test
    void theV1ClientIsChosenByASinkPropertyWithoutJvmFlag() throws Exception {
        assertThat(System.getProperty("clickhouse.jdbc.v1"))
                .as("no JVM flag in tests")
                .isNull();
        try (Connection c = ConnectionFactory.open(settings)) {
            assertThat(ClickHouseTableWriter.isV1(c)).isTrue();
        }
        Map<String, String> props = new HashMap<>(settings.properties());
        props.remove(ConnectionFactory.CLICKHOUSE_V1);
        SinkSettings inUrl =
                SinkSettings.of(settings.url() + "?clickhouse.jdbc.v1=true").withProperties(props);
        try (Connection c = ConnectionFactory.open(inUrl)) {
            assertThat(ClickHouseTableWriter.isV1(c)).isTrue();
        }
        assertThat(ConnectionFactory.driverUrl(settings)).endsWith("?clickhouse.jdbc.v1=true");
        assertThat(ConnectionFactory.driverUrl(inUrl)).isEqualTo(inUrl.url());
    }

    @Test
    void aDatabaseTheServerIgnoresIsAnErrorNotSilentlyDefault() {
        Map<String, String> props = new HashMap<>(settings.properties());
        props.put("custom_http_params", "default_format=TabSeparatedWithNamesAndTypes");
        SinkSettings s = settings.withProperties(props);
        assertThatThrownBy(() -> ConnectionFactory.open(s).close())
                .hasMessageContaining("database 'default' although the URL names '" + db.name() + "'")
                .hasMessageContaining("custom_http_params");
    }

    @Test
    void credentialsWorkAndTheWrongPasswordIsNeverShown() throws Exception {
        try (Connection c = ConnectionFactory.open(settings.withCredentials("eventagg", Secret.of(LOCAL_PASSWORD)))) {
            assertThat(c.isValid(5)).isTrue();
        }
        String wrong = "wrong-secret-" + System.nanoTime();
        SinkSettings bad = settings.withCredentials("eventagg", Secret.of(wrong));
        assertThat(bad.toString()).doesNotContain(wrong).contains("password=****");
        Throwable t = catchAll(() -> ConnectionFactory.open(bad).close());
        assertThat(t).isInstanceOf(SQLException.class).hasMessageContaining("Wrong password");
        assertThat(fullText(t)).doesNotContain(wrong);
        SinkSettings inUrl =
                SinkSettings.of("jdbc:clickhouse://eventagg:" + wrong + "@127.0.0.1:1/x?password=" + wrong);
        assertThat(inUrl.toString()).doesNotContain(wrong);
        assertThat(fullText(catchAll(() -> ConnectionFactory.open(inUrl).close())))
                .doesNotContain(wrong);
    }

    @Test
    void unreachableServerAndRejectedStatementsGiveClearErrors() throws Exception {
        SinkSettings nowhere = SinkSettings.of("jdbc:clickhouse://127.0.0.1:1/x")
                .withProperties(ClickHouseServer.driverProperties("x"));
        assertThatThrownBy(() -> SchemaManager.apply(nowhere))
                .hasMessageStartingWith("cannot connect to jdbc:clickhouse://127.0.0.1:1/x")
                .hasMessageContaining("Connection refused");

        try (ClickHouseServer.Database other = ClickHouseServer.createDatabase("test_sink_rejected")) {
            SinkSettings s = other.settings();
            SchemaManager.apply(s);
            other.execute("DROP TABLE ea_dead_letters");
            assertThatThrownBy(() -> write(
                            s, Tables.DEAD_LETTERS, List.<Object[]>of(new Object[] {"j", "t", 0, 1L, "r", "x", 1L})))
                    .hasMessageContaining("inserting 1 rows into ClickHouse table ea_dead_letters failed")
                    .hasMessageContaining("doesn't exist");
        }
    }

    @Test
    void aRetriedBatchIsSentOnceNotTwice() throws Exception {
        try (ClickHouseServer.Database other = ClickHouseServer.createDatabase("test_sink_retry")) {
            SinkSettings s = other.settings();
            SchemaManager.apply(s);
            other.execute("DROP TABLE ea_dead_letters");
            List<Object[]> rows =
                    List.of(new Object[] {"j", "t", 0, 1L, "r", "x", 1L}, new Object[] {"j", "t", 0, 2L, "r", "y", 1L});
            try (Connection c = ConnectionFactory.openForWriting(s);
                    TableWriter w = s.dialect().tableWriter(c, Tables.DEAD_LETTERS)) {
                // What the sink does: the batch, and on failure the same batch again.
                assertThatThrownBy(() -> w.write(rows)).isInstanceOf(SQLException.class);
                SchemaManager.apply(s); // the table is back
                w.write(rows);
            }
            assertThat(other.count("SELECT count() FROM ea_dead_letters"))
                    .as("rows stored, before any merge")
                    .isEqualTo(2);
        }
    }

    static Throwable catchAll(ThrowingRunnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected an exception");
    }

    static String fullText(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
