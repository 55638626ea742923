package io.eventagg.testing;

import io.eventagg.sink.SinkSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The local ClickHouse server (Debian's 18.16) for tests: {@code @ExtendWith(ClickHouseServer.class)}
 * makes sure it answers, starting it with {@code bash scripts/clickhouse.sh up} (idempotent;
 * installs it with apt when missing) if nothing answers on 127.0.0.1:{@value #DEFAULT_HTTP_PORT} (or
 * {@code $CLICKHOUSE_HTTP}), so tests also run from an IDE. A server started here is left running
 * (like `make clickhouse-up`); `make test` stops the one it started.
 *
 * <p>Tests work in databases of their own ({@link #createDatabase}), dropped when closed, and talk
 * to the server through plain HTTP ({@link Database#query}), independently of the JDBC driver
 * under test.
 */
public final class ClickHouseServer implements BeforeAllCallback {
    public static final int DEFAULT_HTTP_PORT = 18123;
    private static volatile boolean up;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        ensureUp();
    }

    public static int httpPort() {
        String p = System.getenv("CLICKHOUSE_HTTP");
        return p == null || p.isBlank() ? DEFAULT_HTTP_PORT : Integer.parseInt(p.trim());
    }

    public static String httpBase() {
        return "http://127.0.0.1:" + httpPort() + "/";
    }

    public static synchronized void ensureUp() throws IOException, InterruptedException {
        if (up) return;
        if (!ping()) {
            Path root = projectRoot();
            Process p = new ProcessBuilder("bash", "scripts/clickhouse.sh", "up")
                    .directory(root.toFile())
                    .inheritIO()
                    .start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("scripts/clickhouse.sh up did not finish within 10 minutes");
            }
            if (p.exitValue() != 0)
                throw new IllegalStateException("scripts/clickhouse.sh up failed (exit " + p.exitValue() + ")");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!ping()) {
                if (System.nanoTime() > deadline)
                    throw new IllegalStateException("ClickHouse does not answer " + httpBase() + "ping");
                Thread.sleep(200);
            }
        }
        up = true;
    }

    static boolean ping() {
        return http().ping();
    }

    /** HTTP access to the shared test server. */
    public static ClickHouseHttp http() {
        return new ClickHouseHttp(httpPort());
    }

    /** The repository root (where scripts/clickhouse.sh is), from the working directory upwards. */
    public static Path projectRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("scripts/clickhouse.sh"))) p = p.getParent();
        if (p == null)
            throw new IllegalStateException(
                    "cannot find scripts/clickhouse.sh above " + Path.of("").toAbsolutePath());
        return p;
    }

    /** A fresh database {@code <prefix>_<random>}. */
    public static Database createDatabase(String prefix) throws IOException, InterruptedException {
        ensureUp();
        String name =
                prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        execute(null, "CREATE DATABASE " + name);
        return new Database(name);
    }

    /** The JDBC URL of a database with the driver settings that Debian's 18.16 server needs. */
    public static String jdbcUrl(String database) {
        return "jdbc:clickhouse://127.0.0.1:" + httpPort() + "/" + database;
    }

    /** Driver properties for 18.16 (as in conf/profiles/local-clickhouse.yaml), for a database. */
    public static Map<String, String> driverProperties(String database) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("clickhouse.jdbc.v1", "true");
        p.put("compress", "false");
        p.put("server_version", "21.8");
        p.put("server_time_zone", "UTC");
        p.put("format", "TabSeparatedWithNamesAndTypes");
        p.put("custom_http_params", "default_format=TabSeparatedWithNamesAndTypes,database=" + database);
        return p;
    }

    static String execute(String database, String sql) throws IOException, InterruptedException {
        return http().execute(database, sql);
    }

    /** A test database; {@link #close} drops it. */
    public static final class Database implements AutoCloseable {
        private final String name;

        Database(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        public String url() {
            return jdbcUrl(name);
        }

        /** Sink settings for this database (v1 client chosen through the sink property, no JVM flag). */
        public SinkSettings settings() {
            return SinkSettings.of(url()).withProperties(driverProperties(name));
        }

        /** Runs a statement, returns the raw answer. */
        public String execute(String sql) throws IOException, InterruptedException {
            return ClickHouseServer.execute(name, sql);
        }

        /** Sends data for an {@code INSERT ... FORMAT X} statement. */
        public void insert(String insertSql, byte[] data) throws IOException, InterruptedException {
            http().execute(name, insertSql, data);
        }

        /** A query's rows as maps of column name to (unescaped) text; NULL as null. */
        public List<Map<String, String>> query(String sql) throws IOException, InterruptedException {
            return http().query(name, sql);
        }

        public long count(String sql) throws IOException, InterruptedException {
            return http().count(name, sql);
        }

        @Override
        public void close() throws IOException, InterruptedException {
            ClickHouseServer.execute(null, "DROP DATABASE IF EXISTS " + name);
        }
    }

    static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                b.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 't' -> b.append('\t');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case '0' -> b.append('\0');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                default -> b.append(n);
            }
        }
        return b.toString();
    }

    /** TabSeparated escaping for test data sent with {@link Database#insert}. */
    public static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\0' -> b.append("\\0");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
