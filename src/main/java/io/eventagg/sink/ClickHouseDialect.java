package io.eventagg.sink;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * ClickHouse. Versioned tables are {@code ReplacingMergeTree(version)} ordered by the natural key
 * and partitioned by month; they are read with {@code FINAL}, which merges at read time, so a
 * reader sees the newest row per key before background merges ran. Rows are written in large
 * batches by {@link ClickHouseTableWriter} (TabSeparated bodies with the v1 client, a JDBC batch
 * with the v2 client). Written for the 18.16 server Debian ships and for current releases: no
 * DateTime64, Map, JSON type or window functions.
 *
 * <p>Driver settings are configuration, not code (see conf/profiles/local-clickhouse.yaml): old
 * servers need the v1 client ({@code clickhouse.jdbc.v1=true} in the URL or as a sink property)
 * and {@code compress=false}, {@code format=TabSeparatedWithNamesAndTypes},
 * {@code custom_http_params=default_format=TabSeparatedWithNamesAndTypes,database=DB}.
 */
public final class ClickHouseDialect implements SqlDialect {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean hasColumn(Connection connection, String table, String column) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT count() FROM system.columns WHERE database = currentDatabase() AND table = ? AND name = ?")) {
            ps.setString(1, table);
            ps.setString(2, column);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) > 0;
            }
        }
    }

    @Override
    public String addTextColumn(String table, String column) {
        // 18.16 knows no ADD COLUMN IF NOT EXISTS: the caller checks first.
        return "ALTER TABLE " + table + " ADD COLUMN " + column + " Nullable(String)";
    }

    @Override
    public String name() {
        return "clickhouse";
    }

    @Override
    public String driverClass() {
        return "com.clickhouse.jdbc.ClickHouseDriver";
    }

    @Override
    public TableWriter tableWriter(Connection connection, TableSpec table) {
        return new ClickHouseTableWriter(connection, table);
    }

    /**
     * Fails when the server put the connection into another database than the URL names. Servers
     * before ~19.x ignore the v1 client's X-ClickHouse-Database header and silently use
     * {@code default}; the database must then also be in {@code custom_http_params}.
     */
    @Override
    public void verify(Connection c, String url) throws SQLException {
        String wanted = databaseOf(url);
        if (wanted == null) return;
        String actual;
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT currentDatabase()")) {
            rs.next();
            actual = rs.getString(1);
        }
        if (!wanted.equals(actual)) {
            throw new SQLException(
                    "the ClickHouse server put the connection into database '" + actual + "' although the URL names '"
                            + wanted
                            + "'. Old servers (such as 18.16) ignore the database the driver sends in a header: add it to the URL's"
                            + " custom_http_params, e.g. custom_http_params=default_format%3DTabSeparatedWithNamesAndTypes%2Cdatabase%3D"
                            + wanted);
        }
    }

    /** The database named in a ClickHouse JDBC URL's path, or null. */
    static String databaseOf(String url) {
        int scheme = url.indexOf("//");
        if (scheme < 0) return null;
        int slash = url.indexOf('/', scheme + 2);
        if (slash < 0) return null;
        int end = slash + 1;
        while (end < url.length() && url.charAt(end) != '?' && url.charAt(end) != '#' && url.charAt(end) != '/') end++;
        String db = url.substring(slash + 1, end);
        return db.isEmpty() ? null : URLDecoder.decode(db, StandardCharsets.UTF_8);
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
