package io.eventagg.sink;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.Map;

/**
 * DuckDB, the embedded default. Tables have primary keys on their natural key; writes are
 * set-based (rows handed over in bulk with DuckDB's appender, see {@link DuckDbBulkConnection}:
 * appended where the key is new, else merged with {@code WHEN MATCHED AND excluded.version >=
 * version THEN UPDATE}), because DuckDB executes JDBC batches row by row at a few hundred rows per
 * second. Its batches are large by default ({@value #DEFAULT_BATCH_SIZE} rows): every batch is one
 * transaction, and fewer of them mean fewer commits and checkpoints. (A batch below DuckDB's row
 * group of 122,880 rows goes to the write-ahead log first and is written again at the next
 * checkpoint; whole row groups would go straight into the file, but 122,880-row batches measured no
 * faster end to end and left files a quarter larger: BENCHMARKS.md, sixth round.)
 */
public final class DuckDbDialect implements SqlDialect {
    private static final long serialVersionUID = 1L;
    static final String BULK_MARKER = "/* eventagg:bulk-upsert */ ";
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

    @Override
    public String writeSql(TableSpec table) {
        return BULK_MARKER + table.name();
    }

    @Override
    public void bind(PreparedStatement ps, TableSpec table, Object[] row) throws SQLException {
        if (ps instanceof DuckDbBulkConnection.RowBatch batch) {
            batch.setRow(row);
            return;
        }
        for (int i = 0; i < row.length; i++) {
            Object v = row[i];
            if (v == null) {
                ps.setNull(i + 1, Types.NULL);
            } else {
                ps.setObject(i + 1, v);
            }
        }
    }

    /**
     * Settings of the database a sink writes to, each unless the sink's properties set it. Both are
     * settings of the database instance, so they hold for every connection of this JVM to that file.
     *
     * <ul>
     *   <li>One DuckDB thread ({@code threads}): every writer is a Flink task thread already, and
     *       DuckDB's own worker threads (as many as there are cores) mostly wait for the writers'
     *       small tasks, polling, on cores the pipeline needs (BENCHMARKS.md, fourth round: a tenth
     *       less CPU for the whole job).
     *   <li>A checkpoint once the write-ahead log holds {@value #WRITER_CHECKPOINT_THRESHOLD}
     *       ({@code checkpoint_threshold}), not DuckDB's 16 MB: every checkpoint rewrites the tables'
     *       open row groups and their primary-key indexes, and runs inside whichever writer's commit
     *       crosses the threshold, while every other writer's commit waits for it. With 16 MB a
     *       streaming job checkpointed about every second; commits took three times the CPU, the
     *       database file grew half again from rewritten blocks (BENCHMARKS.md, sixth round). The
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
    public Connection wrap(Connection connection) {
        return (Connection) Proxy.newProxyInstance(DuckDbDialect.class.getClassLoader(),
                new Class<?>[] {Connection.class}, new DuckDbBulkConnection(connection));
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

    /**
     * The set-based upsert for a table, from a staging table of the same columns whose rows have
     * distinct keys: a row replaces the stored row of its key only if its version is at least as
     * high, and is inserted if there is none. {@code targetConditions} ({@code ""} or {@code " AND …"})
     * are added to the join condition on the table's columns (see {@link DuckDbBulkConnection}). It is
     * a {@code MERGE} because DuckDB runs {@code INSERT … ON CONFLICT} as this merge anyway, and only
     * here can such conditions be added.
     */
    static String mergeIntoSql(TableSpec t, String stage, String targetConditions) {
        StringBuilder select = new StringBuilder();
        StringBuilder on = new StringBuilder();
        StringBuilder updates = new StringBuilder();
        StringBuilder cols = new StringBuilder();
        StringBuilder values = new StringBuilder();
        for (Column c : t.columns()) {
            String name = c.name();
            if (cols.length() > 0) {
                cols.append(", ");
                values.append(", ");
                select.append(", ");
            }
            cols.append(name);
            values.append("excluded.").append(name);
            select.append(c.type() == ColumnType.TIMESTAMP ? "epoch_ms(" + name + ") AS " + name : name);
            if (t.key().contains(name)) {
                if (on.length() > 0) on.append(" AND ");
                on.append(t.name()).append('.').append(name).append(" = excluded.").append(name);
            } else {
                if (updates.length() > 0) updates.append(", ");
                updates.append(name).append(" = excluded.").append(name);
            }
        }
        StringBuilder sql = new StringBuilder("MERGE INTO ").append(t.name()).append(" USING (SELECT ").append(select).append(" FROM ")
                .append(stage).append(") AS excluded ON ").append(on).append(targetConditions);
        if (updates.length() > 0) {
            sql.append(" WHEN MATCHED");
            if (t.versioned()) sql.append(" AND excluded.version >= ").append(t.name()).append(".version");
            sql.append(" THEN UPDATE SET ").append(updates);
        }
        return sql.append(" WHEN NOT MATCHED THEN INSERT (").append(cols).append(") VALUES (").append(values).append(')').toString();
    }

    static String stageDdl(TableSpec t, String stage) {
        StringBuilder sb = new StringBuilder("CREATE TEMP TABLE IF NOT EXISTS " + stage + " (");
        for (int i = 0; i < t.columns().size(); i++) {
            Column c = t.columns().get(i);
            if (i > 0) sb.append(", ");
            sb.append(c.name()).append(' ').append(stageType(c.type()));
        }
        return sb.append(')').toString();
    }

    /** A column's type in the tables ({@code schema.sql}), as {@code duckdb_columns()} names it. */
    static String tableType(ColumnType type) {
        return type == ColumnType.TIMESTAMP ? "TIMESTAMP" : stageType(type);
    }

    /** How a column travels into DuckDB before the merge (timestamps as epoch milliseconds). */
    static String stageType(ColumnType type) {
        return switch (type) {
            case TEXT -> "VARCHAR";
            case LONG, TIMESTAMP -> "BIGINT";
            case INT -> "INTEGER";
            case DOUBLE -> "DOUBLE";
            case BOOL -> "BOOLEAN";
        };
    }
}
