package io.eventagg.sink;

import io.eventagg.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything that differs between the databases eventagg writes to, kept small and explicit: the
 * DDL file, the writer of a table's batches ({@link TableWriter}), how a versioned table is read so
 * that only the newest row per key counts, and connection details.
 */
public interface SqlDialect extends Serializable {

    String name();

    /** Whether {@code table} (in the connection's database) has {@code column}. */
    boolean hasColumn(Connection connection, String table, String column) throws SQLException;

    /** The statement that adds a nullable text column to an existing table. */
    default String addTextColumn(String table, String column) {
        return "ALTER TABLE " + table + " ADD COLUMN " + column + " VARCHAR";
    }

    /** Rows per write of dialects without a default of their own. */
    int DEFAULT_BATCH_SIZE = 5000;

    /** Rows per write when the settings (a profile's {@code batch_size}) do not say. */
    default int defaultBatchSize() {
        return DEFAULT_BATCH_SIZE;
    }

    /** The JDBC driver class to load (explicitly: Flink's user-code class loader hides drivers). */
    String driverClass();

    /** Statements of {@code sql/<name>/schema.sql}, applied idempotently at start-up. */
    default List<String> schemaStatements() {
        return splitSql(resource("sql/" + name() + "/schema.sql"));
    }

    /**
     * The writer of a table's batches over a connection from {@link ConnectionFactory#openForWriting}
     * (the caller keeps the connection and closes it).
     */
    TableWriter tableWriter(Connection connection, TableSpec table) throws SQLException;

    /**
     * Checks a freshly opened connection (e.g. that it uses the database the URL names) and throws
     * with a message that says what to change; nothing by default.
     */
    default void verify(Connection connection, String url) throws SQLException {}

    /**
     * Sets up a freshly opened connection that a sink writes through, given the sink's driver
     * properties (which the user's settings override); nothing by default.
     */
    default void prepareForWriting(Connection connection, Map<String, String> properties) throws SQLException {}

    /**
     * A FROM-clause reference to a versioned table that yields only the newest row per key. Readers
     * must always go through this, never through the bare table name.
     */
    String current(TableSpec table);

    /** SQL for a timestamp column as epoch milliseconds. */
    String epochMillis(String column);

    /** SQL for an epoch-milliseconds parameter ({@code ?}) as this dialect's timestamp. */
    String timestampParam();

    /** SQL for an epoch-milliseconds constant as this dialect's timestamp. */
    default String timestampLiteral(long epochMillis) {
        return timestampParam().replace("?", Long.toString(epochMillis));
    }

    /**
     * A SQL string literal for a validated name (job, funnel, retention, granularity: letters, digits,
     * '_', '.', '-'), the only strings eventagg ever puts into SQL text; everything else is bound.
     */
    static String quote(String name) {
        if (!name.matches("[A-Za-z0-9_.\\-]+")) throw new IllegalArgumentException("not a safe name: " + name);
        return "'" + name + "'";
    }

    /** Deletes rows of a table matching a condition (used by refreshes); waits until done. */
    void delete(Connection c, TableSpec table, String condition) throws SQLException;

    static SqlDialect forUrl(String url) {
        if (url == null || url.isBlank()) throw new ConfigException("sink.url", "is required");
        if (url.startsWith("jdbc:duckdb:")) return new DuckDbDialect();
        if (url.startsWith("jdbc:clickhouse:") || url.startsWith("jdbc:ch:")) return new ClickHouseDialect();
        throw new ConfigException(
                "sink.url", "'" + url + "' is not supported (expected jdbc:duckdb:… or jdbc:clickhouse:…)");
    }

    static String resource(String path) {
        try (InputStream in = SqlDialect.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("missing resource " + path);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Splits a SQL script on semicolons at line ends, dropping {@code --} comment lines. */
    static List<String> splitSql(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : script.split("\n")) {
            String t = line.strip();
            if (t.startsWith("--") || t.isEmpty()) continue;
            cur.append(line).append('\n');
            if (t.endsWith(";")) {
                String s = cur.toString().strip();
                out.add(s.substring(0, s.length() - 1));
                cur.setLength(0);
            }
        }
        if (!cur.toString().isBlank()) out.add(cur.toString().strip());
        return out;
    }
}
