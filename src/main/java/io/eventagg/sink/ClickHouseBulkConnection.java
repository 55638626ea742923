package io.eventagg.sink;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A ClickHouse connection whose {@code prepareStatement} turns the bulk-insert marker statement
 * into a statement that buffers bound rows and, on {@code executeBatch}, sends them as few large
 * INSERTs. Everything else goes to the real connection.
 *
 * <p>How the rows travel depends on the driver generation in use:
 *
 * <ul>
 *   <li><b>v1 client</b> (clickhouse-jdbc's {@code clickhouse.jdbc.v1=true}, needed for servers older
 *       than ~20.x such as Debian's 18.16): {@code INSERT INTO t (cols) FORMAT TabSeparated} with the
 *       rows as TSV in the request body (the driver's stream-based statement). ClickHouse parses TSV
 *       natively on every version. The alternative, {@code VALUES} with conversion functions around
 *       the placeholders, makes 18.16 interpret every row as an expression (~2,000 rows/s) and breaks
 *       on requests over 1 MiB ("Unknown identifier: toDa": an expression cut at a buffer boundary).
 *   <li><b>v2 client</b> (the default, for current servers): a standard JDBC batch of
 *       {@code INSERT INTO t (cols) VALUES (?, …)}, which the v2 driver sends as one multi-row insert.
 * </ul>
 *
 * A batch is split into several INSERTs of at most {@link #MAX_REQUEST_BYTES} each (sketch columns
 * make rows up to ~20 KB). Rows of a batch are not deduplicated here: the tables'
 * ReplacingMergeTree engines keep the newest version per key.
 */
final class ClickHouseBulkConnection implements InvocationHandler {
    /** Upper bound of one INSERT request body. */
    static final int MAX_REQUEST_BYTES = 32 << 20;
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final Connection target;

    ClickHouseBulkConnection(Connection target) {
        this.target = target;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getName().equals("prepareStatement") && args != null && args.length == 1
                && args[0] instanceof String sql && sql.startsWith(ClickHouseDialect.BULK_MARKER)) {
            String table = sql.substring(ClickHouseDialect.BULK_MARKER.length()).trim();
            TableSpec spec = Tables.all().stream().filter(t -> t.name().equals(table)).findFirst()
                    .orElseThrow(() -> new SQLException("unknown table " + table));
            return Proxy.newProxyInstance(ClickHouseBulkConnection.class.getClassLoader(),
                    new Class<?>[] {PreparedStatement.class}, new BulkInsert(target, spec, (Connection) proxy));
        }
        if (method.getName().equals("unwrap") && args != null && args[0] == Connection.class) {
            return target;
        }
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Whether the connection comes from clickhouse-jdbc's v1 client. */
    static boolean isV1(Connection c) {
        return c.getClass().getName().startsWith("com.clickhouse.jdbc.internal.");
    }

    /** The buffering statement behind one sink's writes to one table. */
    static final class BulkInsert implements InvocationHandler {
        private final Connection connection;
        private final TableSpec table;
        private final Connection facade;
        private final String columns;
        private final List<Object[]> rows = new ArrayList<>();
        private Object[] current;
        private boolean closed;

        BulkInsert(Connection connection, TableSpec table, Connection facade) {
            this.connection = connection;
            this.table = table;
            this.facade = facade;
            this.columns = String.join(", ", table.columns().stream().map(c -> "`" + c.name() + "`").toList());
            this.current = new Object[table.columns().size()];
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (name.startsWith("set") && args != null && args.length >= 2 && args[0] instanceof Integer index) {
                current[index - 1] = name.equals("setNull") ? null : args[1];
                return null;
            }
            switch (name) {
                case "addBatch":
                    rows.add(current);
                    current = new Object[table.columns().size()];
                    return null;
                case "clearBatch":
                    rows.clear();
                    return null;
                case "clearParameters":
                    Arrays.fill(current, null);
                    return null;
                case "executeBatch":
                    return executeBatch();
                case "close":
                    closed = true;
                    return null;
                case "isClosed":
                    return closed;
                case "getConnection":
                    return facade;
                case "toString":
                    return "ClickHouseBulkInsert(" + table.name() + ")";
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == args[0];
                default:
                    throw new SQLFeatureNotSupportedException("bulk insert statement does not support " + name);
            }
        }

        private int[] executeBatch() throws SQLException {
            if (rows.isEmpty()) return new int[0];
            int n = rows.size();
            try {
                if (isV1(connection)) {
                    insertTsv();
                } else {
                    insertJdbcBatch();
                }
            } catch (SQLException e) {
                throw new SQLException("inserting " + n + " rows into ClickHouse table " + table.name() + " failed: "
                        + e.getMessage(), e.getSQLState(), e.getErrorCode(), e);
            } finally {
                // Also on failure: the JDBC sink binds and adds the whole batch again before it retries.
                rows.clear();
            }
            int[] counts = new int[n];
            Arrays.fill(counts, 1);
            return counts;
        }

        private void insertTsv() throws SQLException {
            String sql = "INSERT INTO " + table.name() + " (" + columns + ") FORMAT TabSeparated";
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

        private void send(String sql, byte[] body) throws SQLException {
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                ps.setBytes(1, body);
                ps.executeUpdate();
            }
        }

        private void insertJdbcBatch() throws SQLException {
            String marks = String.join(", ", table.columns().stream().map(c -> "?").toList());
            try (PreparedStatement ps = connection.prepareStatement(
                    "INSERT INTO " + table.name() + " (" + columns + ") VALUES (" + marks + ")")) {
                for (Object[] r : rows) {
                    for (int i = 0; i < r.length; i++) bindTyped(ps, i + 1, table.columns().get(i), r[i]);
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
        return LocalDateTime.ofEpochSecond(Math.floorDiv(epochMillis, 1000L), 0, ZoneOffset.UTC).format(DATE_TIME);
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
