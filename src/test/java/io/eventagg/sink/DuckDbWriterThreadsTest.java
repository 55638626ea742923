package io.eventagg.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sink's DuckDB database runs on one thread, unless the sink's properties choose the threads. */
class DuckDbWriterThreadsTest {
    @TempDir
    Path dir;

    private static long threads(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_setting('threads')")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void writingConnectionsSetOneThread() throws SQLException {
        SinkSettings settings = SinkSettings.of("jdbc:duckdb:" + dir.resolve("one.duckdb"));
        try (Connection plain = ConnectionFactory.open(settings)) {
            // what DuckDB picks by itself here: one per core, so the test means something on any machine with two or more
            long own = threads(plain);
            try (Connection writer = ConnectionFactory.openForWriting(settings)) {
                assertThat(threads(writer.unwrap(Connection.class))).isEqualTo(DuckDbDialect.WRITER_THREADS);
            }
            if (Runtime.getRuntime().availableProcessors() > 1) assertThat(own).isGreaterThan(1);
        }
    }

    @Test
    void theSinksPropertiesWin() throws SQLException {
        SinkSettings settings = SinkSettings.of("jdbc:duckdb:" + dir.resolve("two.duckdb")).withProperties(Map.of("threads", "2"));
        try (Connection writer = ConnectionFactory.openForWriting(settings)) {
            assertThat(threads(writer.unwrap(Connection.class))).isEqualTo(2);
        }
    }
}
