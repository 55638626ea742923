package io.eventagg.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * ClickHouse. Versioned tables are {@code ReplacingMergeTree(version)} ordered by the natural key
 * and partitioned by month; they are read with {@code FINAL}, which merges at read time, so a
 * reader sees the newest row per key before background merges ran. Inserts are plain batched
 * {@code INSERT … VALUES} with typed conversions around the placeholders (what both old and new
 * servers, and both JDBC client generations, understand). Written for the 18.16 server Debian
 * ships and for current releases: no DateTime64, Map, JSON type or window functions.
 */
public final class ClickHouseDialect implements SqlDialect {
    private static final long serialVersionUID = 1L;

    @Override
    public String name() {
        return "clickhouse";
    }

    @Override
    public String driverClass() {
        return "com.clickhouse.jdbc.ClickHouseDriver";
    }

    @Override
    public String writeSql(TableSpec table) {
        StringBuilder cols = new StringBuilder();
        StringBuilder vals = new StringBuilder();
        for (Column c : table.columns()) {
            if (cols.length() > 0) {
                cols.append(", ");
                vals.append(", ");
            }
            cols.append('`').append(c.name()).append('`');
            String p = switch (c.type()) {
                case TEXT -> c.nullable() ? "?" : "toString(?)";
                case LONG -> "toInt64(?)";
                case INT -> "toInt32(?)";
                case DOUBLE -> "toFloat64(?)";
                case BOOL -> "toUInt8(?)";
                case TIMESTAMP -> "toDateTime(toInt64(?), 'UTC')";
            };
            vals.append(p);
        }
        return "INSERT INTO " + table.name() + " (" + cols + ") VALUES (" + vals + ")";
    }

    @Override
    public void bind(PreparedStatement ps, TableSpec table, Object[] row) throws SQLException {
        for (int i = 0; i < row.length; i++) {
            Column c = table.columns().get(i);
            Object v = row[i];
            int p = i + 1;
            if (v == null) {
                ps.setNull(p, java.sql.Types.VARCHAR);
                continue;
            }
            switch (c.type()) {
                case TEXT -> ps.setString(p, v.toString());
                case LONG -> ps.setLong(p, ((Number) v).longValue());
                case INT -> ps.setInt(p, ((Number) v).intValue());
                case DOUBLE -> ps.setDouble(p, ((Number) v).doubleValue());
                case BOOL -> ps.setInt(p, ((Boolean) v) ? 1 : 0);
                case TIMESTAMP -> ps.setLong(p, Math.floorDiv(((Number) v).longValue(), 1000L));
            }
        }
    }

    @Override
    public String current(TableSpec table) {
        return table.versioned() ? table.name() + " FINAL" : table.name();
    }

    @Override
    public String epochMillis(String column) {
        return "(toInt64(toUnixTimestamp(" + column + ")) * 1000)";
    }

    @Override
    public String timestampParam() {
        return "toDateTime(intDiv(toInt64(?), 1000), 'UTC')";
    }

    @Override
    public void delete(Connection c, TableSpec table, String condition) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE " + table.name() + " DELETE WHERE " + condition);
            long deadline = System.currentTimeMillis() + 300_000L;
            while (System.currentTimeMillis() < deadline) {
                try (ResultSet rs = s.executeQuery("SELECT count() FROM system.mutations WHERE table = '" + table.name()
                        + "' AND database = currentDatabase() AND is_done = 0")) {
                    rs.next();
                    if (rs.getLong(1) == 0) return;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted while waiting for a ClickHouse mutation", e);
                }
            }
            throw new SQLException("ClickHouse mutation on " + table.name() + " did not finish within 5 minutes");
        }
    }
}
