package io.eventagg.sink;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * A DuckDB connection whose {@code prepareStatement} turns the bulk-upsert marker statement into a
 * statement that buffers bound rows and, on {@code executeBatch}, writes them set-based: it keeps
 * the newest row per key, hands the rows to DuckDB in bulk and merges them into the target with
 * one {@code INSERT … ON CONFLICT DO UPDATE} (one transaction). Everything else goes to the real
 * connection.
 *
 * <p>The rows travel as a CSV file in the temporary directory that DuckDB's (native, parallel) CSV
 * reader scans inside the merge statement: several times cheaper than DuckDB's JDBC appender,
 * which costs a JNI round trip per value. A batch with a value CSV cannot carry faithfully (a NUL
 * character) goes through the appender and a temporary staging table instead.
 */
final class DuckDbBulkConnection implements InvocationHandler {
    private final Connection target;

    DuckDbBulkConnection(Connection target) {
        this.target = target;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getName().equals("prepareStatement") && args != null && args.length == 1
                && args[0] instanceof String sql && sql.startsWith(DuckDbDialect.BULK_MARKER)) {
            String table = sql.substring(DuckDbDialect.BULK_MARKER.length()).trim();
            TableSpec spec = Tables.all().stream().filter(t -> t.name().equals(table)).findFirst()
                    .orElseThrow(() -> new SQLException("unknown table " + table));
            return Proxy.newProxyInstance(DuckDbBulkConnection.class.getClassLoader(),
                    new Class<?>[] {PreparedStatement.class, RowBatch.class}, new BulkUpsert(target, spec, (Connection) proxy));
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

    /**
     * Implemented by the bulk statement: a whole row at once, instead of one {@code setObject} per
     * column (each a reflective proxy call).
     */
    interface RowBatch {
        /** Sets all parameters of the next row (values in column order; the array is kept). */
        void setRow(Object[] row);
    }

    /** The buffering statement behind one sink's writes to one table. */
    static final class BulkUpsert implements InvocationHandler {
        private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);
        private final Connection connection;
        private final TableSpec table;
        private final Connection facade;
        private final String stage;
        private final String mergeFromStage;
        private final String mergeFromCsvHead;
        private final String mergeFromCsvTail;
        private final int versionIndex;
        private final int[] keyIndexes;
        private final ColumnType[] types;
        private final List<Object[]> rows = new ArrayList<>();
        private Object[] current;
        private Path csv;
        private boolean closed;

        BulkUpsert(Connection connection, TableSpec table, Connection facade) {
            this.connection = connection;
            this.table = table;
            this.facade = facade;
            this.stage = "stage_" + table.name() + "_" + UUID.randomUUID().toString().replace("-", "");
            this.mergeFromStage = DuckDbDialect.mergeSql(table, stage);
            String marker = "\u0000csv\u0000";
            String fromCsv = DuckDbDialect.mergeSql(table, marker);
            int at = fromCsv.indexOf(marker);
            this.mergeFromCsvHead = fromCsv.substring(0, at);
            this.mergeFromCsvTail = fromCsv.substring(at + marker.length());
            this.versionIndex = table.versioned() ? table.indexOf("version") : -1;
            this.keyIndexes = table.keyIndexes();
            this.types = table.columns().stream().map(Column::type).toArray(ColumnType[]::new);
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
                case "setRow":
                    current = (Object[]) args[0];
                    return null;
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
                    deleteCsv();
                    return null;
                case "isClosed":
                    return closed;
                case "getConnection":
                    return facade;
                case "toString":
                    return "BulkUpsert(" + table.name() + ")";
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == args[0];
                default:
                    throw new SQLFeatureNotSupportedException("bulk upsert statement does not support " + name);
            }
        }

        private int[] executeBatch() throws SQLException {
            if (rows.isEmpty()) return new int[0];
            List<Object[]> newest = newestPerKey();
            try {
                if (csvSafe(newest)) {
                    int longest = writeCsv(newest);
                    try (Statement s = connection.createStatement()) {
                        s.execute(mergeFromCsvHead + csvScan(longest) + mergeFromCsvTail);
                    }
                } else {
                    viaAppender(newest);
                }
            } catch (SQLException | RuntimeException e) {
                throw e instanceof SQLException se ? se : new SQLException("bulk upsert into " + table.name() + " failed", e);
            }
            int[] counts = new int[rows.size()];
            Arrays.fill(counts, 1);
            rows.clear();
            return counts;
        }

        /** The rows to write: per key the one with the highest version (the last of equals), in first-seen order. */
        private List<Object[]> newestPerKey() {
            Map<Key, Integer> index = new HashMap<>(rows.size() * 2);
            List<Object[]> out = new ArrayList<>(rows.size());
            for (Object[] r : rows) {
                Key key = new Key(r, keyIndexes);
                Integer at = index.putIfAbsent(key, out.size());
                if (at == null) {
                    out.add(r);
                } else {
                    Object[] old = out.get(at);
                    if (versionIndex < 0 || ((Number) r[versionIndex]).longValue() >= ((Number) old[versionIndex]).longValue()) {
                        out.set(at, r);
                    }
                }
            }
            return out;
        }

        /** The natural key of a row, compared by value. */
        private static final class Key {
            private final Object[] values;
            private final int hash;

            Key(Object[] row, int[] indexes) {
                values = new Object[indexes.length];
                int h = 1;
                for (int i = 0; i < indexes.length; i++) {
                    values[i] = row[indexes[i]];
                    h = 31 * h + (values[i] == null ? 0 : values[i].hashCode());
                }
                hash = h;
            }

            @Override
            public int hashCode() {
                return hash;
            }

            @Override
            public boolean equals(Object o) {
                return o instanceof Key k && k.hash == hash && Arrays.equals(k.values, values);
            }
        }

        private static boolean csvSafe(List<Object[]> rows) {
            for (Object[] r : rows) {
                for (Object v : r) {
                    if (v instanceof String s && s.indexOf('\0') >= 0) return false;
                }
            }
            return true;
        }

        /**
         * Scans the batch file: every column typed as in the staging table, no sniffing. DuckDB's
         * line limit (2 MB by default) is raised when a row is longer; its read buffer is a
         * multiple of it.
         */
        private String csvScan(int longestRow) {
            StringBuilder sb = new StringBuilder("read_csv('").append(csv.toString().replace("'", "''"))
                    .append("', delim = ',', quote = '\"', escape = '\"', header = false, auto_detect = false, nullstr = '\\N',"
                            + " allow_quoted_nulls = false, max_line_size = ").append(Math.max(2 << 20, longestRow + 1024))
                    .append(", columns = {");
            for (int i = 0; i < types.length; i++) {
                if (i > 0) sb.append(", ");
                sb.append('\'').append(table.columns().get(i).name()).append("': '").append(DuckDbDialect.stageType(types[i])).append('\'');
            }
            return sb.append("})").toString();
        }

        /** Writes the rows as CSV (UTF-8); returns the longest row in bytes. */
        private int writeCsv(List<Object[]> rows) {
            try {
                if (csv == null) {
                    csv = Files.createTempFile("eventagg-" + table.name() + "-", ".csv");
                    csv.toFile().deleteOnExit();
                }
                int longest = 0;
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(csv), 1 << 16)) {
                    for (Object[] r : rows) {
                        int length = 0;
                        for (int i = 0; i < r.length; i++) {
                            if (i > 0) out.write(',');
                            length += 1 + writeValue(out, types[i], r[i]);
                        }
                        out.write('\n');
                        longest = Math.max(longest, length);
                    }
                }
                return longest;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the batch file for " + table.name(), e);
            }
        }

        /** Writes one CSV field; returns its length in bytes. */
        private static int writeValue(OutputStream out, ColumnType type, Object v) throws IOException {
            if (v == null) {
                out.write('\\');
                out.write('N');
                return 2;
            }
            byte[] b = switch (type) {
                case TEXT -> v.toString().getBytes(StandardCharsets.UTF_8);
                case LONG, TIMESTAMP -> Long.toString(((Number) v).longValue()).getBytes(StandardCharsets.US_ASCII);
                case INT -> Integer.toString(((Number) v).intValue()).getBytes(StandardCharsets.US_ASCII);
                case DOUBLE -> Double.toString(((Number) v).doubleValue()).getBytes(StandardCharsets.US_ASCII);
                case BOOL -> ((Boolean) v) ? TRUE : FALSE;
            };
            if (type != ColumnType.TEXT) {
                out.write(b);
                return b.length;
            }
            // Quoted, with quotes doubled (RFC 4180): commas, quotes and line breaks stay data.
            out.write('"');
            int from = 0, quotes = 0;
            for (int i = 0; i < b.length; i++) {
                if (b[i] == '"') {
                    out.write(b, from, i + 1 - from);
                    out.write('"');
                    from = i + 1;
                    quotes++;
                }
            }
            out.write(b, from, b.length - from);
            out.write('"');
            return b.length + quotes + 2;
        }

        private void deleteCsv() {
            if (csv != null) {
                try {
                    Files.deleteIfExists(csv);
                } catch (IOException ignored) {
                    // a temporary file; deleteOnExit is the backstop
                }
                csv = null;
            }
        }

        /** The appender path: a temporary staging table, then the merge from it, in one transaction. */
        private void viaAppender(List<Object[]> newest) throws SQLException {
            boolean auto = connection.getAutoCommit();
            try {
                connection.setAutoCommit(false);
                try (Statement s = connection.createStatement()) {
                    s.execute(DuckDbDialect.stageDdl(table, stage));
                }
                DuckDBConnection duck = connection.unwrap(DuckDBConnection.class);
                try (DuckDBAppender app = duck.createAppender("temp", "main", stage)) {
                    for (Object[] r : newest) {
                        app.beginRow();
                        for (int i = 0; i < r.length; i++) append(app, types[i], r[i]);
                        app.endRow();
                    }
                }
                try (Statement s = connection.createStatement()) {
                    s.execute(mergeFromStage);
                    s.execute("DELETE FROM " + stage);
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            } finally {
                connection.setAutoCommit(auto);
            }
        }

        private static void append(DuckDBAppender app, ColumnType type, Object v) throws SQLException {
            if (v == null) {
                app.appendNull();
                return;
            }
            switch (type) {
                case TEXT -> app.append(v.toString());
                case LONG, TIMESTAMP -> app.append(((Number) v).longValue());
                case INT -> app.append(((Number) v).intValue());
                case DOUBLE -> app.append(((Number) v).doubleValue());
                case BOOL -> app.append((Boolean) v);
            }
        }
    }
}
