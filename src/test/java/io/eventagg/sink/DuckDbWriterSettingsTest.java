package io.eventagg.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.testing.Tiers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sink's DuckDB database runs on one thread and checkpoints at a larger write-ahead log, unless
 * the sink's properties choose.
 */
@Tag(Tiers.SERVICES)
class DuckDbWriterSettingsTest {
    @TempDir
    Path dir;

    private static String setting(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_setting('" + name + "')")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long threads(Connection c) throws SQLException {
        return Long.parseLong(setting(c, "threads"));
    }

    /** How DuckDB shows a checkpoint threshold once set to {@code value} (it prints sizes in its own units). */
    private static String thresholdShownFor(String value) throws SQLException {
        try (Connection scratch = DriverManager.getConnection("jdbc:duckdb:");
                Statement s = scratch.createStatement()) {
            s.execute("SET checkpoint_threshold = '" + value + "'");
            return setting(scratch, "checkpoint_threshold");
        }
    }

    @Test
    void writingConnectionsSetOneThread() throws SQLException {
        SinkSettings settings = SinkSettings.of("jdbc:duckdb:" + dir.resolve("one.duckdb"));
        try (Connection plain = ConnectionFactory.open(settings)) {
            // what DuckDB picks by itself here: one per core, so the test means something on any machine with two or
            // more
            long own = threads(plain);
            try (Connection writer = ConnectionFactory.openForWriting(settings)) {
                assertThat(threads(writer)).isEqualTo(DuckDbDialect.WRITER_THREADS);
            }
            if (Runtime.getRuntime().availableProcessors() > 1) assertThat(own).isGreaterThan(1);
        }
    }

    @Test
    void writingConnectionsCheckpointAtTheLargerLog() throws SQLException {
        SinkSettings settings = SinkSettings.of("jdbc:duckdb:" + dir.resolve("log.duckdb"));
        String writers = thresholdShownFor(DuckDbDialect.WRITER_CHECKPOINT_THRESHOLD);
        try (Connection plain = ConnectionFactory.open(settings)) {
            assertThat(setting(plain, "checkpoint_threshold"))
                    .as("DuckDB's own default")
                    .isNotEqualTo(writers);
            try (Connection writer = ConnectionFactory.openForWriting(settings)) {
                assertThat(setting(writer, "checkpoint_threshold")).isEqualTo(writers);
            }
        }
    }

    @Test
    void theSinksPropertiesWin() throws SQLException {
        SinkSettings settings = SinkSettings.of("jdbc:duckdb:" + dir.resolve("two.duckdb"))
                .withProperties(Map.of("threads", "2", "checkpoint_threshold", "64MB"));
        try (Connection writer = ConnectionFactory.openForWriting(settings)) {
            assertThat(threads(writer)).isEqualTo(2);
            assertThat(setting(writer, "checkpoint_threshold")).isEqualTo(thresholdShownFor("64MB"));
        }
    }
}
