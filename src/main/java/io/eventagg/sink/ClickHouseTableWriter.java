package io.eventagg.sink;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Writes batches into a ClickHouse table as plain inserts: the tables' {@code
 * ReplacingMergeTree(version)} engines keep the newest version per key, so rows are neither
 * deduplicated nor compared here. How the rows travel depends on the driver's client generation:
 *
 * <ul>
 *   <li><b>v1 client</b> (clickhouse-jdbc's {@code clickhouse.jdbc.v1=true}, needed for servers older
 *       than ~20.x such as Debian's 18.16): {@code INSERT INTO t (cols) FORMAT TabSeparated} with the
 *       rows as TSV in the request body, at most {@link #MAX_REQUEST_BYTES} per request (sketch
 *       columns make rows up to ~20 KB). ClickHouse parses TSV natively on every version. The
 *       alternative, {@code VALUES} with conversion functions around the placeholders, makes 18.16
 *       interpret every row as an expression (~2,000 rows/s) and breaks on requests over 1 MiB
 *       ("Unknown identifier: toDa": an expression cut at a buffer boundary).
 *   <li><b>v2 client</b> (the default, for current servers): a JDBC batch of
 *       {@code INSERT INTO t (cols) VALUES (?, …)}, which the v2 driver sends as one multi-row insert.
 * </ul>
 */
final class ClickHouseTableWriter implements TableWriter {
    /** Upper bound of one INSERT request body. */
    static final int MAX_REQUEST_BYTES = 32 << 20;

    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final Connection connection;
    private final TableSpec table;
    private final boolean v1;
    private final String insert;

    ClickHouseTableWriter(Connection connection, TableSpec table) {
        this.connection = connection;
        this.table = table;
        this.v1 = isV1(connection);
        this.insert = "INSERT INTO " + table.name() + " ("
                + String.join(
                        ", ",
                        table.columns().stream().map(c -> "`" + c.name() + "`").toList()) + ")";
    }

    /** Whether the connection comes from clickhouse-jdbc's v1 client (deprecated by the driver; what 18.16 needs). */
    @SuppressWarnings("deprecation")
    static boolean isV1(Connection c) {
        return c instanceof com.clickhouse.jdbc.ClickHouseConnection;
    }

    @Override
    public void write(List<Object[]> rows) throws SQLException {
        if (rows.isEmpty()) return;
        try {
            if (v1) {
                insertTsv(rows);
            } else {
                insertJdbcBatch(rows);
            }
        } catch (SQLException e) {
            throw new SQLException(
                    "inserting " + rows.size() + " rows into ClickHouse table " + table.name() + " failed: "
                            + e.getMessage(),
                    e.getSQLState(),
                    e.getErrorCode(),
                    e);
        }
    }

    private void insertTsv(List<Object[]> rows) throws SQLException {
        String sql = insert + " FORMAT TabSeparated";
        ByteArrayOutputStream body = new ByteArrayOutputStream(1 << 16);
        StringBuilder line = new StringBuilder(256);
        for (Object[] r : rows) {
            line.setLength(0);
            tsvLine(line, table, r);
            byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
            if (body.size() > 0 && body.size() + bytes.length > MAX_REQUEST_BYTES) {
                send(sql, body.toByteArray());
                body.reset();
            }
            body.write(bytes, 0, bytes.length);
        }
        if (body.size() > 0) send(sql, body.toByteArray());
    }

    /** One request: the v1 client sends the statement and the bytes bound to it as the body. */
    private void send(String sql, byte[] body) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setBytes(1, body);
            ps.executeUpdate();
        }
    }

    private void insertJdbcBatch(List<Object[]> rows) throws SQLException {
        String marks = String.join(", ", table.columns().stream().map(c -> "?").toList());
        try (PreparedStatement ps = connection.prepareStatement(insert + " VALUES (" + marks + ")")) {
            for (Object[] r : rows) {
                for (int i = 0; i < r.length; i++)
                    bindTyped(ps, i + 1, table.columns().get(i), r[i]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void bindTyped(PreparedStatement ps, int p, Column c, Object v) throws SQLException {
        if (v == null) {
            ps.setNull(p, c.type() == ColumnType.TEXT ? Types.VARCHAR : Types.NULL);
            return;
        }
        switch (c.type()) {
            case TEXT -> ps.setString(p, v.toString());
            case LONG -> ps.setLong(p, ((Number) v).longValue());
            case INT -> ps.setInt(p, ((Number) v).intValue());
            case DOUBLE -> ps.setDouble(p, ((Number) v).doubleValue());
            case BOOL -> ps.setInt(p, ((Boolean) v) ? 1 : 0);
            case TIMESTAMP -> ps.setString(p, dateTime(((Number) v).longValue()));
        }
    }

    /** Appends one row in ClickHouse's TabSeparated format, newline included. */
    static void tsvLine(StringBuilder out, TableSpec table, Object[] row) {
        for (int i = 0; i < row.length; i++) {
            if (i > 0) out.append('\t');
            Object v = row[i];
            if (v == null) {
                out.append("\\N");
                continue;
            }
            switch (table.columns().get(i).type()) {
                case TEXT -> escape(out, v.toString());
                case LONG, INT -> out.append(((Number) v).longValue());
                case DOUBLE -> {
                    double d = ((Number) v).doubleValue();
                    if (Double.isNaN(d)) out.append("nan");
                    else if (Double.isInfinite(d)) out.append(d > 0 ? "inf" : "-inf");
                    else out.append(d);
                }
                case BOOL -> out.append(((Boolean) v) ? '1' : '0');
                case TIMESTAMP -> out.append(dateTime(((Number) v).longValue()));
            }
        }
        out.append('\n');
    }

    /** Epoch milliseconds as ClickHouse DateTime text in UTC (the tables' columns are DateTime('UTC')). */
    static String dateTime(long epochMillis) {
        return LocalDateTime.ofEpochSecond(Math.floorDiv(epochMillis, 1000L), 0, ZoneOffset.UTC)
                .format(DATE_TIME);
    }

    /** TabSeparated escaping: backslash, tab, newline, carriage return, NUL, backspace, form feed. */
    static void escape(StringBuilder out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\0' -> out.append("\\0");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> out.append(ch);
            }
        }
    }
}
