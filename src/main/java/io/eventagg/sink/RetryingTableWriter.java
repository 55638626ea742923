package io.eventagg.sink;

import io.eventagg.config.Redact;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A table's connection and its {@link TableWriter}, and how a batch gets through them: up to
 * {@code 1 + max_retries} attempts, 0 s, 1 s, 2 s … apart, reopening the connection when it broke;
 * then an error with the URL (password masked), the table and the database's message, which fails
 * the task (the job restarts from its last checkpoint and replays the rows). Failed writes and
 * failed (re)connections are counted into the two counters.
 */
final class RetryingTableWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RetryingTableWriter.class);

    private final SinkSettings settings;
    private final TableSpec table;
    private final Counter writeFailures;
    private final Counter connectFailures;
    private Connection connection;
    private TableWriter writer;

    RetryingTableWriter(SinkSettings settings, TableSpec table, Counter writeFailures, Counter connectFailures) {
        this.settings = settings;
        this.table = table;
        this.writeFailures = writeFailures;
        this.connectFailures = connectFailures;
    }

    /** Opens the connection (set up for writing) and the table's writer, unless open. */
    void open() throws SQLException {
        if (writer != null) return;
        try {
            connection = ConnectionFactory.openForWriting(settings);
            writer = settings.dialect().tableWriter(connection, table);
        } catch (SQLException | RuntimeException e) {
            connectFailures.inc();
            close();
            throw e;
        }
    }

    /** Writes the rows, retrying; the list is only read. */
    void write(List<Object[]> rows) throws IOException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                attempt(rows);
                return;
            } catch (SQLException | RuntimeException e) {
                String message = Redact.text(String.valueOf(e.getMessage()), password());
                if (attempt >= settings.maxRetries()) {
                    throw new IOException(
                            "writing " + rows.size() + " rows into " + table.name() + " at "
                                    + Redact.url(settings.url()) + " failed " + (attempt + 1) + " times: " + message,
                            ConnectionFactory.scrub(e, password()));
                }
                LOG.warn(
                        "{}: writing {} rows failed (attempt {} of {}), trying again: {}",
                        table.name(),
                        rows.size(),
                        attempt + 1,
                        settings.maxRetries() + 1,
                        message);
                Thread.sleep(1000L * attempt);
            }
        }
    }

    private void attempt(List<Object[]> rows) throws SQLException {
        open();
        try {
            writer.write(rows);
        } catch (SQLException | RuntimeException e) {
            writeFailures.inc();
            if (!valid()) close(); // the next attempt reopens it
            throw e;
        }
    }

    private boolean valid() {
        try {
            return connection.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    private String password() {
        return settings.password() == null ? null : settings.password().reveal();
    }

    /** Closes the writer and the connection; never throws. */
    @Override
    public void close() {
        if (writer != null) writer.close();
        writer = null;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("{}: closing the connection: {}", table.name(), e.toString());
            }
        }
        connection = null;
    }
}
