package io.eventagg.sink;

import io.eventagg.config.Redact;
import java.io.File;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Opens connections for {@link SinkSettings}, with errors that say what to check and never show
 * the password.
 *
 * <p>ClickHouse: clickhouse-jdbc 0.10.0 picks its client generation once per URL, from the JVM
 * property {@code clickhouse.jdbc.v1} or from the text {@code clickhouse.jdbc.v1=true} in the URL;
 * it does not read driver properties for that. So that a job jar needs no JVM flag on a cluster, a
 * sink property {@value #CLICKHOUSE_V1}{@code =true} is moved into the URL here.
 */
public final class ConnectionFactory {
    /** Sink property (and URL parameter) that selects clickhouse-jdbc's v1 client. */
    public static final String CLICKHOUSE_V1 = "clickhouse.jdbc.v1";

    private ConnectionFactory() {}

    public static Connection open(SinkSettings settings) throws SQLException {
        SqlDialect dialect = settings.dialect();
        if (dialect instanceof DuckDbDialect) ensureParentDirectory(settings.url());
        Driver driver;
        try {
            driver = (Driver) Class.forName(dialect.driverClass(), true, ConnectionFactory.class.getClassLoader())
                    .getDeclaredConstructor()
                    .newInstance();
        } catch (ReflectiveOperationException e) {
            throw new SQLException("JDBC driver " + dialect.driverClass() + " is not on the classpath", e);
        }
        String url = driverUrl(settings);
        Properties props = settings.driverProperties();
        props.remove(CLICKHOUSE_V1);
        String password =
                settings.password() == null ? null : settings.password().reveal();
        Connection c;
        try {
            c = driver.connect(url, props);
        } catch (SQLException e) {
            throw new SQLException(
                    "cannot connect to " + Redact.url(settings.url()) + ": " + Redact.text(e.getMessage(), password),
                    e.getSQLState(),
                    e.getErrorCode(),
                    scrub(e, password));
        } catch (RuntimeException e) {
            throw new SQLException(
                    "cannot connect to " + Redact.url(settings.url()) + ": "
                            + Redact.text(String.valueOf(e.getMessage()), password),
                    scrub(e, password));
        }
        if (c == null)
            throw new SQLException("the " + dialect.name() + " driver does not accept " + Redact.url(settings.url()));
        try {
            dialect.verify(c, settings.url());
        } catch (SQLException e) {
            try {
                c.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new SQLException(
                    "cannot connect to " + Redact.url(settings.url()) + ": " + Redact.text(e.getMessage(), password),
                    e.getSQLState(),
                    e.getErrorCode(),
                    scrub(e, password));
        }
        return c;
    }

    /** The URL handed to the driver: for ClickHouse, with the v1 switch when the settings ask for it. */
    public static String driverUrl(SinkSettings settings) {
        String url = settings.url();
        if (settings.dialect() instanceof ClickHouseDialect
                && Boolean.parseBoolean(settings.properties().getOrDefault(CLICKHOUSE_V1, "false"))
                && !url.contains(CLICKHOUSE_V1 + "=")) {
            int hash = url.indexOf('#');
            String fragment = hash < 0 ? "" : url.substring(hash);
            String base = hash < 0 ? url : url.substring(0, hash);
            url = base + (base.contains("?") ? "&" : "?") + CLICKHOUSE_V1 + "=true" + fragment;
        }
        return url;
    }

    /**
     * The cause to attach to an error: the original unless its message chain contains the password,
     * in which case a copy with the password masked (drivers sometimes echo the URL or credentials).
     */
    static Throwable scrub(Throwable e, String password) {
        if (password == null || password.length() < 3) return e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(password)) {
                SQLException masked =
                        new SQLException(e.getClass().getName() + ": " + Redact.text(e.getMessage(), password));
                masked.setStackTrace(e.getStackTrace());
                return masked;
            }
        }
        return e;
    }

    /** Opens a connection that a sink writes through, set up by {@link SqlDialect#prepareForWriting}. */
    public static Connection openForWriting(SinkSettings settings) throws SQLException {
        Connection c = open(settings);
        try {
            settings.dialect().prepareForWriting(c, settings.properties());
        } catch (SQLException | RuntimeException e) {
            try {
                c.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return c;
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
