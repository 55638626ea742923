package io.eventagg.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The "just GROUP BY in DuckDB" peer, in-process through DuckDB's JDBC driver with its default
 * threads (one per core): {@code read_json} of the same files into a table (timestamps in the
 * same three forms the generator writes, normalised to epoch milliseconds; the three breakdown
 * properties as a struct), then per granularity (minute, hour, day, ISO week, month; UTC) the same
 * per-bucket results as eventagg's time series: count and <b>exact</b> unique users per (environment,
 * event, bucket), count, unique users and unique sessions per (environment, bucket), and counts per
 * breakdown value per (environment, event, bucket, key). Every result is materialised as a table.
 */
public final class DuckDbPeer {
    private DuckDbPeer() {}

    public static final List<String> GRANULARITIES = List.of("minute", "hour", "day", "week", "month");
    public static final List<String> BREAKDOWNS = List.of("plan", "country", "path");

    /** SQL for the start (epoch ms, UTC) of the bucket of {@code ms}. */
    static String bucket(String g) {
        return switch (g) {
            case "minute" -> "(ms // 60000) * 60000";
            case "hour" -> "(ms // 3600000) * 3600000";
            case "day" -> "(ms // 86400000) * 86400000";
            // 1970-01-01 was a Thursday: (day + 3) % 7 days since the Monday.
            case "week" -> "((ms // 86400000) - ((ms // 86400000) + 3) % 7) * 86400000";
            case "month" -> "epoch_ms(date_trunc('month', make_timestamp(ms * 1000)))";
            default -> throw new IllegalArgumentException(g);
        };
    }

    public static Map<String, Object> run(List<String> files, Path workDir) throws Exception {
        Files.createDirectories(workDir);
        Path db = workDir.resolve("peer-duckdb.duckdb");
        PipelineBench.deleteDuckDb(db);
        Map<String, Object> out = new LinkedHashMap<>();
        String list =
                files.stream().map(f -> "'" + f.replace("'", "''") + "'").collect(Collectors.joining(", ", "[", "]"));
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
                Statement s = c.createStatement()) {
            long t0 = System.nanoTime();
            s.execute("CREATE TABLE ev AS SELECT event, distinct_id, session_id,"
                    + " coalesce(nullif(environment, ''), 'production') AS environment,"
                    + " CASE WHEN regexp_full_match(ts, '-?[0-9]+') THEN CAST(ts AS BIGINT) ELSE epoch_ms(CAST(ts AS TIMESTAMPTZ)) END AS ms,"
                    + " properties.plan AS plan, properties.country AS country, properties.path AS path"
                    + " FROM read_json(" + list
                    + ", format = 'newline_delimited', columns = {event: 'VARCHAR', distinct_id: 'VARCHAR',"
                    + " \"timestamp\": 'VARCHAR', environment: 'VARCHAR', session_id: 'VARCHAR',"
                    + " properties: 'STRUCT(plan VARCHAR, country VARCHAR, path VARCHAR)'}) AS t(event, distinct_id, ts, environment,"
                    + " session_id, properties)");
            double load = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            long rows = 0;
            for (String g : GRANULARITIES) {
                String b = bucket(g);
                s.execute("CREATE TABLE ts_" + g + " AS SELECT environment, event, " + b
                        + " AS bucket, count(*) AS events,"
                        + " count(DISTINCT distinct_id) AS users FROM ev GROUP BY ALL");
                s.execute(
                        "CREATE TABLE activity_" + g + " AS SELECT environment, " + b
                                + " AS bucket, count(*) AS events,"
                                + " count(DISTINCT distinct_id) AS users, count(DISTINCT session_id) AS sessions FROM ev GROUP BY ALL");
                String unions = BREAKDOWNS.stream()
                        .map(k -> "SELECT environment, event, " + b + " AS bucket, '" + k + "' AS key, " + k
                                + " AS value, count(*) AS events FROM ev WHERE " + k + " IS NOT NULL GROUP BY ALL")
                        .collect(Collectors.joining(" UNION ALL "));
                s.execute("CREATE TABLE breakdowns_" + g + " AS " + unions);
                rows += count(s, "SELECT count(*) FROM ts_" + g) + count(s, "SELECT count(*) FROM activity_" + g);
            }
            double aggregate = (System.nanoTime() - t1) / 1e9;
            out.put("events", count(s, "SELECT count(*) FROM ev"));
            out.put("rows", rows);
            out.put("load_seconds", load);
            out.put("aggregate_seconds", aggregate);
            out.put("seconds", load + aggregate);
        }
        if (!Boolean.getBoolean("bench.keepDb")) PipelineBench.deleteDuckDb(db);
        else out.put("db", db.toString());
        return out;
    }

    static long count(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static long count(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            return count(s, sql);
        }
    }
}
