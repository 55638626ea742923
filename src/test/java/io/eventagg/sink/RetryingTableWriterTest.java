package io.eventagg.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventagg.testing.DuckTables;
import io.eventagg.testing.Tiers;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import org.apache.flink.metrics.SimpleCounter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sink's batch write: {@code 1 + max_retries} attempts, each failure counted, then an error that
 * names the table, the URL and the database's message; the writer stays usable afterwards; a
 * connection that cannot be opened is counted as such.
 */
@Tag(Tiers.SERVICES)
class RetryingTableWriterTest {
    @TempDir
    Path dir;

    private final SimpleCounter writeFailures = new SimpleCounter();
    private final SimpleCounter connectFailures = new SimpleCounter();

    @Test
    void aBatchThatKeepsFailingFailsAfterEveryAttemptAndSaysWhereAndWhy() throws Exception {
        SinkSettings settings =
                SinkSettings.of("jdbc:duckdb:" + dir.resolve("r.duckdb")).withMaxRetries(2);
        List<Object[]> rows = List.<Object[]>of(new Object[] {"job", 1_704_067_200_000L, 7L});
        try (RetryingTableWriter writer =
                new RetryingTableWriter(settings, Tables.PROGRESS, writeFailures, connectFailures)) {
            writer.open();
            // no schema yet: every attempt fails
            assertThatThrownBy(() -> writer.write(rows))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("writing 1 rows into ea_progress at " + settings.url() + " failed 3 times")
                    .hasMessageContaining("ea_progress does not exist")
                    .hasCauseInstanceOf(SQLException.class);
            assertThat(writeFailures.getCount()).isEqualTo(3);
            SchemaManager.apply(settings);
            writer.write(rows);
        }
        assertThat(DuckTables.count(settings.url(), "SELECT count(*) FROM ea_progress WHERE version = 7"))
                .isEqualTo(1);
        assertThat(connectFailures.getCount()).isZero();
    }

    @Test
    void aConnectionThatCannotBeOpenedIsCounted() {
        SinkSettings settings = SinkSettings.of("jdbc:duckdb:/proc/no-such-dir/x.duckdb");
        try (RetryingTableWriter writer =
                new RetryingTableWriter(settings, Tables.PROGRESS, writeFailures, connectFailures)) {
            assertThatThrownBy(writer::open)
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("cannot connect to " + settings.url());
        }
        assertThat(connectFailures.getCount()).isEqualTo(1);
        assertThat(writeFailures.getCount()).isZero();
    }
}
