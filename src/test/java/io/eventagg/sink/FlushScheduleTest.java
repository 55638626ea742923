package io.eventagg.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.testing.DuckTables;
import io.eventagg.testing.Tiers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.runtime.operators.sink.SinkWriterOperatorFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the sink writes its rows: {@link FlushSchedule}'s rules, and the writer following them on processing time. */
@Tag(Tiers.SERVICES)
class FlushScheduleTest {
    @TempDir
    Path dir;

    @Test
    void aBurstIsWrittenAFifthOfTheIntervalAfterItsLastRow() {
        FlushSchedule s = new FlushSchedule(100, 1000);
        assertThat(s.written(10_000)).as("the first row held arms a check").isTrue();
        assertThat(s.written(10_030)).isFalse();
        assertThat(s.written(10_060)).isFalse();
        assertThat(s.nextCheck(10_060)).isEqualTo(10_260);
        assertThat(s.due(10_259)).isFalse();
        assertThat(s.due(10_260)).isTrue();
        s.flushed(10_260);
        assertThat(s.pending()).isZero();
        assertThat(s.due(20_000)).as("nothing held").isFalse();
    }

    @Test
    void aSteadyFlowIsWrittenEveryIntervalFromItsOldestRow() {
        FlushSchedule s = new FlushSchedule(100_000, 1000);
        long first = 5_000;
        s.written(first);
        for (long t = first + 50; t < first + 1000; t += 50) {
            s.written(t);
            assertThat(s.due(t)).as("rows keep coming at %d", t).isFalse();
        }
        assertThat(s.nextCheck(first + 950)).isEqualTo(first + 1000);
        assertThat(s.due(first + 1000)).isTrue();
    }

    @Test
    void aTrickleIsWrittenAtMostEveryHalfInterval() {
        FlushSchedule s = new FlushSchedule(100, 1000);
        s.written(0);
        assertThat(s.due(200)).isTrue();
        s.flushed(200);
        // The next row comes 250 ms later; quiet from 450, but the last write was at 200.
        s.written(450);
        assertThat(s.due(650))
                .as("quiet, but only 450 ms after the previous write")
                .isFalse();
        assertThat(s.nextCheck(650)).isEqualTo(700);
        assertThat(s.due(700)).isTrue();
    }

    @Test
    void aFullBatchIsTheConnectorsWrite() {
        FlushSchedule s = new FlushSchedule(3, 1000);
        assertThat(s.written(0)).isTrue();
        s.written(1);
        assertThat(s.written(2))
                .as("the third row fills the batch: the connector writes it")
                .isFalse();
        assertThat(s.pending()).isZero();
        assertThat(s.due(5_000)).isFalse();
        assertThat(s.written(3)).as("a new batch").isTrue();
        assertThat(s.due(3 + 200)).as("quiet, but the connector wrote at 2").isFalse();
        assertThat(s.due(502)).isTrue();
    }

    @Test
    void noIntervalMeansFullBatchesAndCheckpointsOnly() {
        FlushSchedule s = new FlushSchedule(100, 0);
        assertThat(s.written(0)).isFalse();
        assertThat(s.due(1_000_000)).isFalse();
        assertThat(s.pending()).isEqualTo(1);
    }

    /** The writer on a test harness (processing time set by hand) into a DuckDB table, rows counted by a second connection. */
    @Test
    void theWriterWritesABurstOnceItEndsAndATrickleByTheInterval() throws Exception {
        String url = "jdbc:duckdb:" + dir.resolve("flush.duckdb");
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (v INTEGER)");
        }
        TableSpec table = new TableSpec("t", List.of(Column.of("v", ColumnType.INT)), List.of("v"), false);
        JdbcTableSink<Integer> sink = new JdbcTableSink<>(
                SinkSettings.of(url).withBatch(1000, 1000).withMaxRetries(0), table, (RowMapper<Integer>)
                        v -> new Object[] {v});
        try (OneInputStreamOperatorTestHarness<Integer, CommittableMessage<Object>> h =
                new OneInputStreamOperatorTestHarness<>(
                        new SinkWriterOperatorFactory<Integer, Object>(sink), IntSerializer.INSTANCE)) {
            h.setProcessingTime(0);
            h.open();
            for (int i = 0; i < 5; i++) {
                h.setProcessingTime(i * 20L);
                h.processElement(i, 0);
            }
            h.setProcessingTime(279);
            assertThat(count(url))
                    .as("the burst ended at 80 ms; quiet until 280")
                    .isZero();
            h.setProcessingTime(280);
            assertThat(count(url)).isEqualTo(5);

            // A row every 150 ms: never quiet for 200 ms, so the interval writes them.
            for (long t = 2_000; t < 3_000; t += 150) {
                h.setProcessingTime(t);
                h.processElement((int) t, t);
            }
            assertThat(count(url))
                    .as("at 2,900 ms, 900 ms after the oldest held row")
                    .isEqualTo(5);
            h.setProcessingTime(3_000);
            assertThat(count(url)).isEqualTo(12);

            h.processElement(-1, 3_000);
            h.prepareSnapshotPreBarrier(1);
            assertThat(count(url)).as("a checkpoint writes what is held").isEqualTo(13);
            h.setProcessingTime(10_000);
            assertThat(count(url))
                    .as("and the check armed before it writes nothing twice")
                    .isEqualTo(13);
        }
    }

    private static long count(String url) throws Exception {
        return DuckTables.count(url, "SELECT count(*) FROM t");
    }
}
