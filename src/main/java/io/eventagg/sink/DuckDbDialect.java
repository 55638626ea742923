package io.eventagg.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * DuckDB, the embedded default. Tables have primary keys on their natural key; writes are
 * set-based ({@link DuckDbTableWriter}: rows handed over in bulk with DuckDB's appender, appended
 * where the key is new, else merged with {@code WHEN MATCHED AND excluded.version >= version THEN
 * UPDATE}), because DuckDB executes JDBC batches row by row at a few hundred rows per second. Its
 * batches are large by default ({@value #DEFAULT_BATCH_SIZE} rows): every batch is one
 * transaction, and fewer of them mean fewer commits and checkpoints. (A batch below DuckDB's row
 * group of 122,880 rows goes to the write-ahead log first and is written again at the next
 * checkpoint; whole row groups would go straight into the file, but 122,880-row batches measured no
 * faster end to end and left files a quarter larger: docs/benchmark-journal.md, sixth round.)
 */
public final class DuckDbDialect implements SqlDialect {
    private static final long serialVersionUID = 1L;
    /** Rows per write unless the settings say otherwise (a waiting row is its record and its values, under a kilobyte for most rows). */
    public static final int DEFAULT_BATCH_SIZE = 100_000;

    /** DuckDB's setting (and driver property) for its worker threads. */
    static final String THREADS = "threads";
    /** DuckDB threads of a database that a sink writes to (see {@link #prepareForWriting}). */
    static final int WRITER_THREADS = 1;
    /** DuckDB's setting (and driver property) for the write-ahead log's size that triggers a checkpoint. */
    static final String CHECKPOINT_THRESHOLD = "checkpoint_threshold";
    /** Its other name. */
    static final String WAL_AUTOCHECKPOINT = "wal_autocheckpoint";
    /** The checkpoint threshold of a database that a sink writes to (DuckDB's own: 16 MB). */
    static final String WRITER_CHECKPOINT_THRESHOLD = "256MB";

    @Override
    public boolean hasColumn(Connection connection, String table, String column) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT count(*) FROM information_schema.columns"
                + " WHERE table_schema = current_schema() AND table_name = ? AND column_name = ?")) {
            ps.setString(1, table);
            ps.setString(2, column);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) > 0;
            }
        }
    }

    @Override
    public String name() {
        return "duckdb";
    }

    @Override
    public String driverClass() {
        return "org.duckdb.DuckDBDriver";
    }

    @Override
    public int defaultBatchSize() {
        return DEFAULT_BATCH_SIZE;
    }

    /**
     * Settings of the database a sink writes to, each unless the sink's properties set it. Both are
     * settings of the database instance, so they hold for every connection of this JVM to that file.
     *
     * <ul>
     *   <li>One DuckDB thread ({@code threads}): every writer is a Flink task thread already, and
     *       DuckDB's own worker threads (as many as there are cores) mostly wait for the writers'
     *       small tasks, polling, on cores the pipeline needs (docs/benchmark-journal.md, fourth round: a tenth
     *       less CPU for the whole job).
     *   <li>A checkpoint once the write-ahead log holds {@value #WRITER_CHECKPOINT_THRESHOLD}
     *       ({@code checkpoint_threshold}), not DuckDB's 16 MB: every checkpoint rewrites the tables'
     *       open row groups and their primary-key indexes, and runs inside whichever writer's commit
     *       crosses the threshold, while every other writer's commit waits for it. With 16 MB a
     *       streaming job checkpointed about every second; commits took three times the CPU, the
     *       database file grew half again from rewritten blocks (docs/benchmark-journal.md, sixth round). The
     *       cost: up to that much log to replay after a crash, and as much not-yet-checkpointed data
     *       in DuckDB's memory.
     * </ul>
     */
    @Override
    public void prepareForWriting(Connection connection, Map<String, String> properties) throws SQLException {
        try (Statement s = connection.createStatement()) {
            if (!properties.containsKey(THREADS)) s.execute("SET threads = " + WRITER_THREADS);
            if (!properties.containsKey(CHECKPOINT_THRESHOLD) && !properties.containsKey(WAL_AUTOCHECKPOINT)) {
                s.execute("SET checkpoint_threshold = '" + WRITER_CHECKPOINT_THRESHOLD + "'");
            }
        }
    }

    @Override
    public TableWriter tableWriter(Connection connection, TableSpec table) throws SQLException {
        return new DuckDbTableWriter(connection, table);
    }

    @Override
    public String current(TableSpec table) {
        return table.name();
    }

    @Override
    public String epochMillis(String column) {
        return "epoch_ms(" + column + ")";
    }

    @Override
    public String timestampParam() {
        return "epoch_ms(CAST(? AS BIGINT))";
    }

    @Override
    public void delete(Connection c, TableSpec table, String condition) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DELETE FROM " + table.name() + " WHERE " + condition);
        }
    }
}
