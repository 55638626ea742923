package io.eventagg.sink;

import java.io.File;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;

/** Opens connections for {@link SinkSettings}, with errors that say what to check. */
public final class ConnectionFactory {
    private ConnectionFactory() {}

    public static Connection open(SinkSettings settings) throws SQLException {
        SqlDialect dialect = settings.dialect();
        if (dialect instanceof DuckDbDialect) ensureParentDirectory(settings.url());
        Driver driver;
        try {
            driver = (Driver) Class.forName(dialect.driverClass(), true, ConnectionFactory.class.getClassLoader())
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new SQLException("JDBC driver " + dialect.driverClass() + " is not on the classpath", e);
        }
        Connection c;
        try {
            c = driver.connect(settings.url(), settings.driverProperties());
        } catch (SQLException e) {
            throw new SQLException("cannot connect to " + settings.url() + ": " + e.getMessage(), e.getSQLState(), e);
        }
        if (c == null) throw new SQLException("the " + dialect.name() + " driver does not accept " + settings.url());
        return c;
    }

    /** Opens a connection wrapped for writing (see {@link SqlDialect#wrap}). */
    public static Connection openForWriting(SinkSettings settings) throws SQLException {
        return settings.dialect().wrap(open(settings));
    }

    private static void ensureParentDirectory(String url) {
        String path = url.substring("jdbc:duckdb:".length());
        int q = path.indexOf('?');
        if (q >= 0) path = path.substring(0, q);
        if (path.isEmpty() || path.startsWith(":memory:")) return;
        File parent = new File(path).getAbsoluteFile().getParentFile();
        if (parent != null && !parent.exists()) parent.mkdirs();
    }
}
