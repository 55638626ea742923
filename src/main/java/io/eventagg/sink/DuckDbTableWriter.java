package io.eventagg.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes batches into a DuckDB table as versioned upserts, one transaction per batch.
 *
 * <p>A batch is first reduced to the newest row per key ({@link BatchKeys}). Rows of keys this
 * writer has not written before ({@link KeyHints}) are then appended straight into the table with
 * DuckDB's appender: the primary key makes that fail if a key exists after all, and the transaction
 * is rolled back and the whole batch merged instead. The other rows, and batches that fell back, go
 * through the appender into a temporary staging table and one {@code MERGE} into the table
 * ({@link #mergeSql}: a row replaces the stored row of its key only when its version is at least as
 * high). Every value is handed to DuckDB as data: the appender writes strings with their length, so
 * NUL characters, quotes, line breaks and any Unicode arrive verbatim.
 *
 * <p>Why not JDBC batches of {@code INSERT … ON CONFLICT}: DuckDB runs JDBC batches row by row, and
 * plans {@code ON CONFLICT} (since 1.4) as a merge with a scan of the whole table, so every batch
 * cost time in proportion to the table. A direct append checks keys with the primary key's index
 * instead, and the merge here bounds the scan with the batch's key ranges ({@link #rangeConditions}).
 *
 * <p>The connection must be in autocommit mode: the writer begins and ends its own transactions.
 */
final class DuckDbTableWriter implements TableWriter {
    private static final Logger LOG = LoggerFactory.getLogger(DuckDbTableWriter.class);

    /**
     * Timestamps (epoch ms) the direct append converts itself; a batch with one outside this range
     * is merged, where DuckDB's {@code epoch_ms} converts it (or rejects it).
     */
    static final long MIN_APPENDED_MS = -62_135_596_800_000L; // 0001-01-01

    static final long MAX_APPENDED_MS = 253_402_300_799_999L; // 9999-12-31T23:59:59.999
    /** After failed direct appends, up to this many batches are merged before the next attempt. */
    private static final int MAX_SKIPPED = 64;
    /** Key hashes remembered per generation (two generations: at most 2 × 8 MB per writer). */
    private static final int HINT_GENERATION = 1 << 19;

    /**
     * What a writer has written: rows appended straight into the table, rows merged, and batches
     * whose direct append failed (a key existed, or a value the appender does not take) and were
     * merged instead.
     */
    record Counts(long appendedRows, long mergedRows, int fallbacks) {}

    private final Connection connection;
    private final DuckDBConnection duck;
    private final TableSpec table;
    private final String stage;
    private final int[] keyIndexes;
    private final ColumnType[] types;
    private final BatchKeys keys;
    private final KeyHints written = new KeyHints(HINT_GENERATION);
    private final List<Object[]> fresh = new ArrayList<>();
    private final List<Object[]> known = new ArrayList<>();
    private boolean stageCreated;
    /** Catalog and schema of the table if the appender can fill it (see {@link #appendTarget}). */
    private String[] appendTarget;

    private boolean targetChecked;
    private int skip;
    private int skipNext;
    private long appendedRows;
    private long mergedRows;
    private int fallbacks;

    DuckDbTableWriter(Connection connection, TableSpec table) throws SQLException {
        if (!connection.getAutoCommit())
            throw new SQLException("writing into " + table.name() + " needs a connection in autocommit mode");
        this.connection = connection;
        this.duck = connection.unwrap(DuckDBConnection.class);
        this.table = table;
        this.stage =
                "stage_" + table.name() + "_" + UUID.randomUUID().toString().replace("-", "");
        this.keyIndexes = table.keyIndexes();
        this.types = table.columns().stream().map(Column::type).toArray(ColumnType[]::new);
        this.keys = new BatchKeys(keyIndexes, table.versioned() ? table.indexOf("version") : -1);
    }

    @Override
    public void write(List<Object[]> rows) throws SQLException {
        if (rows.isEmpty()) return;
        try {
            upsert(rows);
        } catch (RuntimeException e) {
            throw new SQLException("upsert into " + table.name() + " failed: " + e, e);
        }
    }

    Counts counts() {
        return new Counts(appendedRows, mergedRows, fallbacks);
    }

    @Override
    public void close() {
        // the staging table is temporary: it goes with the connection
        LOG.debug(
                "{}: {} rows appended, {} merged, {} batches fell back from appending to merging",
                table.name(),
                appendedRows,
                mergedRows,
                fallbacks);
    }

    private void upsert(List<Object[]> rows) throws SQLException {
        keys.newestPerKey(rows);
        fresh.clear();
        known.clear();
        for (int i = 0; i < keys.size(); i++) (written.contains(keys.hash(i)) ? known : fresh).add(keys.row(i));
        if (!fresh.isEmpty() && skip == 0 && appendTarget() != null) {
            try {
                transaction(() -> {
                    appendRows(appendTarget[0], appendTarget[1], table.name(), fresh, true);
                    if (!known.isEmpty()) mergeRows(known);
                });
                appendedRows += fresh.size();
                mergedRows += known.size();
                skipNext = 0;
                remember();
                return;
            } catch (SQLException | RuntimeException e) {
                // A "new" key exists after all (e.g. rows that the previous attempt of a restarted job
                // wrote), or a value the appender does not take: the batch is merged. Merge the next
                // 1, 2, 4 … batches right away, in case many more are like it.
                LOG.debug(
                        "{}: appending {} rows failed, merging them instead: {}",
                        table.name(),
                        fresh.size(),
                        e.toString());
                fallbacks++;
                skipNext = Math.min(MAX_SKIPPED, Math.max(1, skipNext * 2));
                skip = skipNext;
            }
        } else if (skip > 0) {
            skip--;
        }
        List<Object[]> all = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) all.add(keys.row(i));
        transaction(() -> mergeRows(all));
        mergedRows += all.size();
        remember();
    }

    private void remember() {
        for (int i = 0; i < keys.size(); i++) written.add(keys.hash(i));
    }

    private interface Work {
        void run() throws SQLException;
    }

    /**
     * Runs work in a transaction of its own, begun with a statement: DuckDB's appender joins a
     * transaction that a statement began, but without one it commits every chunk on its own.
     */
    private void transaction(Work work) throws SQLException {
        execute("BEGIN TRANSACTION");
        try {
            work.run();
            execute("COMMIT");
        } catch (SQLException | RuntimeException e) {
            // a staging table created in this transaction is gone with it
            stageCreated = false;
            try {
                execute("ROLLBACK");
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void execute(String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }

    /** Stages the rows (distinct keys) and merges them into the table. */
    private void mergeRows(List<Object[]> batch) throws SQLException {
        if (!stageCreated) {
            execute(stageDdl(table, stage));
            stageCreated = true;
        }
        appendRows("temp", "main", stage, batch, false);
        execute(mergeSql(table, stage, rangeConditions(batch)));
        execute("DELETE FROM " + stage);
    }

    /**
     * Conditions on the table's numeric and time key columns: between the batch's smallest and
     * largest value. The key equality implies them, so the merge does the same with or without
     * them; but DuckDB pushes constant conditions into the scan of the table, where the row
     * groups outside the range are skipped (a stream's updates are of its newest buckets), while
     * the join alone reads the whole table for every batch. Only numbers go into the SQL text.
     */
    String rangeConditions(List<Object[]> batch) {
        StringBuilder sb = new StringBuilder();
        for (int k : keyIndexes) {
            ColumnType type = types[k];
            if (type != ColumnType.LONG && type != ColumnType.INT && type != ColumnType.TIMESTAMP) continue;
            long lo = Long.MAX_VALUE, hi = Long.MIN_VALUE;
            boolean hasNull = false;
            for (Object[] r : batch) {
                if (r[k] == null) {
                    hasNull = true;
                    break;
                }
                long v = ((Number) r[k]).longValue();
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            if (hasNull || batch.isEmpty()) continue;
            String column = table.name() + "." + table.columns().get(k).name();
            if (type == ColumnType.TIMESTAMP) {
                sb.append(" AND ")
                        .append(column)
                        .append(" BETWEEN epoch_ms(CAST(")
                        .append(lo)
                        .append(" AS BIGINT)) AND epoch_ms(CAST(")
                        .append(hi)
                        .append(" AS BIGINT))");
            } else {
                sb.append(" AND ")
                        .append(column)
                        .append(" BETWEEN ")
                        .append(lo)
                        .append(" AND ")
                        .append(hi);
            }
        }
        return sb.toString();
    }

    /**
     * The catalog and schema of the table if its columns are the table spec's (names and types,
     * in order): the appender fills columns by position. Null otherwise; a table of another shape
     * is still written, by the merge, which names its columns.
     */
    private String[] appendTarget() throws SQLException {
        if (targetChecked) return appendTarget;
        targetChecked = true;
        try (PreparedStatement ps =
                connection.prepareStatement("SELECT database_name, schema_name, column_name, data_type"
                        + " FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = current_schema()"
                        + " AND table_name = ? ORDER BY column_index")) {
            ps.setString(1, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                String[] where = null;
                int i = 0;
                for (; rs.next(); i++) {
                    if (i >= types.length
                            || !rs.getString(3).equals(table.columns().get(i).name())
                            || !rs.getString(4).equals(tableType(types[i]))) {
                        LOG.info(
                                "{} has other columns than eventagg writes; its rows are merged, not appended",
                                table.name());
                        return null;
                    }
                    where = new String[] {rs.getString(1), rs.getString(2)};
                }
                appendTarget = i == types.length ? where : null;
                return appendTarget;
            }
        }
    }

    /**
     * Appends rows with DuckDB's appender into the table ({@code timestamps}: as the table's
     * microseconds) or the staging table (timestamps as the epoch milliseconds the merge
     * converts). The appender (duckdb_jdbc 1.5) fills a data chunk on the Java side and hands it
     * over per 2,048 rows; strings of 12 bytes or more cost one JNI call each.
     */
    private void appendRows(String catalog, String schema, String into, List<Object[]> batch, boolean timestamps)
            throws SQLException {
        try (DuckDBAppender app = duck.createAppender(catalog, schema, into)) {
            for (Object[] r : batch) {
                app.beginRow();
                for (int i = 0; i < r.length; i++) append(app, types[i], r[i], timestamps);
                app.endRow();
            }
            // close() flushes too, but ignores that flush's errors (a duplicate key among them)
            app.flush();
        }
    }

    private static void append(DuckDBAppender app, ColumnType type, Object v, boolean timestamps) throws SQLException {
        if (v == null) {
            app.appendNull();
            return;
        }
        switch (type) {
            case TEXT -> app.append(v.toString());
            case LONG -> app.append(((Number) v).longValue());
            case INT -> app.append(((Number) v).intValue());
            case DOUBLE -> app.append(((Number) v).doubleValue());
            case BOOL -> app.append(((Boolean) v).booleanValue());
            case TIMESTAMP -> {
                long ms = ((Number) v).longValue();
                if (!timestamps) {
                    app.append(ms);
                } else if (ms >= MIN_APPENDED_MS && ms <= MAX_APPENDED_MS) {
                    app.appendEpochMicros(ms * 1000);
                } else {
                    throw new SQLException("timestamp " + ms + " ms is left to epoch_ms");
                }
            }
        }
    }

    /**
     * The set-based upsert from a staging table of the same columns whose rows have distinct keys:
     * a row replaces the stored row of its key only if its version is at least as high, and is
     * inserted if there is none. {@code targetConditions} ({@code ""} or {@code " AND …"}) are added
     * to the join condition on the table's columns. It is a {@code MERGE} because DuckDB runs
     * {@code INSERT … ON CONFLICT} as this merge anyway, and only here can such conditions be added.
     */
    static String mergeSql(TableSpec t, String stage, String targetConditions) {
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
                on.append(t.name())
                        .append('.')
                        .append(name)
                        .append(" = excluded.")
                        .append(name);
            } else {
                if (updates.length() > 0) updates.append(", ");
                updates.append(name).append(" = excluded.").append(name);
            }
        }
        StringBuilder sql = new StringBuilder("MERGE INTO ")
                .append(t.name())
                .append(" USING (SELECT ")
                .append(select)
                .append(" FROM ")
                .append(stage)
                .append(") AS excluded ON ")
                .append(on)
                .append(targetConditions);
        if (updates.length() > 0) {
            sql.append(" WHEN MATCHED");
            if (t.versioned())
                sql.append(" AND excluded.version >= ").append(t.name()).append(".version");
            sql.append(" THEN UPDATE SET ").append(updates);
        }
        return sql.append(" WHEN NOT MATCHED THEN INSERT (")
                .append(cols)
                .append(") VALUES (")
                .append(values)
                .append(')')
                .toString();
    }

    /** The staging table: the table's columns, timestamps as epoch milliseconds. */
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
