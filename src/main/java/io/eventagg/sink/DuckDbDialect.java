package io.eventagg.sink;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;

/**
 * DuckDB, the embedded default. Tables have primary keys on their natural key; writes are
 * set-based upserts (rows handed over in bulk, see {@link DuckDbBulkConnection}, then one {@code
 * INSERT … ON CONFLICT DO UPDATE … WHERE excluded.version >= version}), because DuckDB executes JDBC
 * batches row by row at a few hundred rows per second.
 */
public final class DuckDbDialect implements SqlDialect {
    private static final long serialVersionUID = 1L;
    static final String BULK_MARKER = "/* eventagg:bulk-upsert */ ";

    @Override
    public String name() {
        return "duckdb";
    }

    @Override
    public String driverClass() {
        return "org.duckdb.DuckDBDriver";
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

    /** The set-based upsert for a table, reading from a staging table of the same columns. */
    static String mergeSql(TableSpec t, String stage) {
        StringBuilder cols = new StringBuilder();
        StringBuilder select = new StringBuilder();
        StringBuilder updates = new StringBuilder();
        for (Column c : t.columns()) {
            if (cols.length() > 0) {
                cols.append(", ");
                select.append(", ");
            }
            cols.append(c.name());
            select.append(c.type() == ColumnType.TIMESTAMP ? "epoch_ms(" + c.name() + ")" : c.name());
            if (!t.key().contains(c.name())) {
                if (updates.length() > 0) updates.append(", ");
                updates.append(c.name()).append(" = excluded.").append(c.name());
            }
        }
        String sql = "INSERT INTO " + t.name() + " (" + cols + ") SELECT " + select + " FROM " + stage
                + " ON CONFLICT (" + String.join(", ", t.key()) + ") DO UPDATE SET " + updates;
        if (t.versioned()) sql += " WHERE excluded.version >= " + t.name() + ".version";
        return sql;
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
