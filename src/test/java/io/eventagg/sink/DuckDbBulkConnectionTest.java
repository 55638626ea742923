package io.eventagg.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.apache.flink.metrics.SimpleCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DuckDB's bulk statement as the JDBC sink drives it (through the failure-counting wrapper). */
class DuckDbBulkConnectionTest {
    @TempDir
    Path dir;

    @Test
    void theSinksWrapperKeepsTheWholeRowInterface() throws SQLException {
        SinkSettings settings = SinkSettings.of("jdbc:duckdb:" + dir.resolve("bulk.duckdb"));
        SchemaManager.apply(settings);
        try (Connection writer = EventaggConnectionProvider.countingWrites(ConnectionFactory.openForWriting(settings), new SimpleCounter());
                PreparedStatement ps = writer.prepareStatement(new DuckDbDialect().writeSql(Tables.TIMESERIES))) {
            assertThat(ps).isInstanceOf(DuckDbBulkConnection.RowBatch.class);
        }
    }
}
