package io.eventagg.sink;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * A DuckDB connection whose {@code prepareStatement} turns the bulk-upsert marker statement into a
 * statement that buffers bound rows and, on {@code executeBatch}, writes them set-based: it keeps
 * the newest row per key, appends the rows to a temporary staging table with DuckDB's appender and
 * merges them into the target in one transaction. Everything else goes to the real connection.
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
                    new Class<?>[] {PreparedStatement.class}, new BulkUpsert(target, spec, (Connection) proxy));
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

    /** The buffering statement behind one sink's writes to one table. */
    static final class BulkUpsert implements InvocationHandler {
        private final Connection connection;
        private final TableSpec table;
        private final Connection facade;
        private final String stage;
        private final String merge;
        private final int versionIndex;
        private final int[] keyIndexes;
        private final List<Object[]> rows = new ArrayList<>();
        private Object[] current;
        private boolean closed;

        BulkUpsert(Connection connection, TableSpec table, Connection facade) {
            this.connection = connection;
            this.table = table;
            this.facade = facade;
            this.stage = "stage_" + table.name() + "_" + UUID.randomUUID().toString().replace("-", "");
            this.merge = DuckDbDialect.mergeSql(table, stage);
            this.versionIndex = table.versioned() ? table.indexOf("version") : -1;
            this.keyIndexes = table.keyIndexes();
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
            Map<List<Object>, Object[]> newest = new LinkedHashMap<>();
            for (Object[] r : rows) {
                List<Object> key = new ArrayList<>(keyIndexes.length);
                for (int k : keyIndexes) key.add(r[k]);
                Object[] old = newest.get(key);
                if (old == null || versionIndex < 0 || ((Number) r[versionIndex]).longValue() >= ((Number) old[versionIndex]).longValue()) {
                    newest.put(key, r);
                }
            }
            boolean auto = connection.getAutoCommit();
            try {
                connection.setAutoCommit(false);
                try (Statement s = connection.createStatement()) {
                    s.execute(DuckDbDialect.stageDdl(table, stage));
                }
                DuckDBConnection duck = connection.unwrap(DuckDBConnection.class);
                try (DuckDBAppender app = duck.createAppender("temp", "main", stage)) {
                    for (Object[] r : newest.values()) {
                        app.beginRow();
                        for (int i = 0; i < r.length; i++) append(app, table.columns().get(i), r[i]);
                        app.endRow();
                    }
                }
                try (Statement s = connection.createStatement()) {
                    s.execute(merge);
                    s.execute("DELETE FROM " + stage);
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e instanceof SQLException se ? se : new SQLException("bulk upsert into " + table.name() + " failed", e);
            } finally {
                connection.setAutoCommit(auto);
            }
            int[] counts = new int[rows.size()];
            Arrays.fill(counts, 1);
            rows.clear();
            return counts;
        }

        private static void append(DuckDBAppender app, Column c, Object v) throws SQLException {
            if (v == null) {
                app.appendNull();
                return;
            }
            switch (c.type()) {
                case TEXT -> app.append(v.toString());
                case LONG, TIMESTAMP -> app.append(((Number) v).longValue());
                case INT -> app.append(((Number) v).intValue());
                case DOUBLE -> app.append(((Number) v).doubleValue());
                case BOOL -> app.append((Boolean) v);
            }
        }
    }
}
