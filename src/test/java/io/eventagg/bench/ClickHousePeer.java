package io.eventagg.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.eventagg.config.JobDefinition;
import io.eventagg.ingest.Event;
import io.eventagg.ingest.EventParser;
import io.eventagg.ingest.Ingested;
import io.eventagg.ingest.JsonLinesFormat;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SqlDialect;
import io.eventagg.testing.ClickHouseServer;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.RecordAndPosition;

/**
 * The ClickHouse peers, on the local server (Debian's 18.16, {@code scripts/clickhouse.sh}):
 *
 * <ul>
 *   <li><b>GROUP BY</b>: load the events as {@code JSONEachRow} into a plain MergeTree table, then
 *       {@code INSERT … SELECT … GROUP BY} into rollup tables with the same per-bucket results as
 *       eventagg's time series and the DuckDB peer (count, {@code uniqExact} users per (environment,
 *       event, bucket); count, exact users and sessions per (environment, bucket); counts per
 *       breakdown value) for the five granularities.
 *   <li><b>Materialized views</b>: the same load into the raw {@code events} table with the three
 *       materialized views of {@code sql/clickhouse/raw-events.sql} attached (daily active users,
 *       hourly events and users, session stats), which ClickHouse fills during the insert.
 *   <li><b>Materialized views of the same rollups</b>: the same load with views that keep what the
 *       GROUP BY path computes (and eventagg's time-series job), maintained during the insert: per
 *       granularity, {@code countState} and {@code uniqExactState} per (environment, event, bucket)
 *       and per (environment, bucket) with sessions, into AggregatingMergeTree tables, and counts
 *       per breakdown value into a SummingMergeTree; 25 views. The like-for-like comparison for a
 *       backfill of the time-series job (the spec's three views compute far less).
 * </ul>
 *
 * The server's 18.16 cannot parse the generator's mixed timestamps or take a JSON object into a
 * String column, so the events are first rewritten once (with eventagg's parser, untimed) into the
 * raw table's row format: {@code timestamp} as {@code YYYY-MM-DD hh:mm:ss} UTC, {@code properties}
 * as JSON text. Loads send the part files concurrently (two at a time: two cores) over HTTP.
 */
public final class ClickHousePeer {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private ClickHousePeer() {}

    public static Map<String, Object> run(JobDefinition job, List<String> files, int loaders) throws Exception {
        ClickHouseServer.ensureUp();
        Map<String, Object> out = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        List<Path> rows = new ArrayList<>();
        for (String f : files) rows.add(rowFile(job, Path.of(f)));
        out.put("prep_seconds", (System.nanoTime() - t0) / 1e9);

        // 1. Plain load, then INSERT ... SELECT ... GROUP BY into rollups.
        try (ClickHouseServer.Database db = ClickHouseServer.createDatabase("eventagg_bench")) {
            db.execute(rawTableDdl("events_plain"));
            double load = load(db.name(), "events_plain", rows, loaders);
            long events = db.count("SELECT count() FROM events_plain");
            db.execute(
                    "CREATE TABLE ts_rollup (granularity String, environment String, event String, bucket DateTime('UTC'),"
                            + " events UInt64, users UInt64) ENGINE = MergeTree() ORDER BY (granularity, environment, event, bucket)");
            db.execute(
                    "CREATE TABLE activity_rollup (granularity String, environment String, bucket DateTime('UTC'), events UInt64,"
                            + " users UInt64, sessions UInt64) ENGINE = MergeTree() ORDER BY (granularity, environment, bucket)");
            db.execute(
                    "CREATE TABLE breakdown_rollup (granularity String, environment String, event String, bucket DateTime('UTC'),"
                            + " key String, value String, events UInt64) ENGINE = MergeTree() ORDER BY (granularity, environment, event, bucket, key, value)");
            long t1 = System.nanoTime();
            for (String g : DuckDbPeer.GRANULARITIES) {
                String b = bucket(g);
                db.execute("INSERT INTO ts_rollup SELECT '" + g + "', environment, event, " + b
                        + " AS b, count(), uniqExact(distinct_id)"
                        + " FROM events_plain GROUP BY environment, event, b");
                db.execute("INSERT INTO activity_rollup SELECT '" + g + "', environment, " + b
                        + " AS b, count(), uniqExact(distinct_id),"
                        + " uniqExact(session_id) FROM events_plain GROUP BY environment, b");
                for (String k : DuckDbPeer.BREAKDOWNS) {
                    db.execute("INSERT INTO breakdown_rollup SELECT '" + g + "', environment, event, " + b + " AS b, '"
                            + k + "',"
                            + " visitParamExtractString(properties, '" + k + "') AS v, count() FROM events_plain"
                            + " WHERE v != '' GROUP BY environment, event, b, v");
                }
            }
            double aggregate = (System.nanoTime() - t1) / 1e9;
            out.put("events", events);
            out.put(
                    "rows",
                    db.count("SELECT count() FROM ts_rollup") + db.count("SELECT count() FROM activity_rollup"));
            out.put("load_seconds", load);
            out.put("aggregate_seconds", aggregate);
            out.put("seconds", load + aggregate);
        }

        // 2. The same load through the materialized views of raw-events.sql.
        try (ClickHouseServer.Database db = ClickHouseServer.createDatabase("eventagg_bench_mv")) {
            for (String sql : SqlDialect.splitSql(SqlDialect.resource(SchemaManager.RAW_EVENTS_SQL))) db.execute(sql);
            double load = load(db.name(), "events", rows, loaders);
            out.put("mv_seconds", load);
            out.put("mv_events", db.count("SELECT count() FROM events"));
            out.put("mv_hourly_events", db.count("SELECT countMerge(events) FROM events_hourly"));
        }

        // 3. The same load through views of the same rollups as 1.
        try (ClickHouseServer.Database db = ClickHouseServer.createDatabase("eventagg_bench_mv_rollups")) {
            db.execute(rawTableDdl("events"));
            for (String sql : rollupViews()) db.execute(sql);
            double load = load(db.name(), "events", rows, loaders);
            out.put("mv_rollups_seconds", load);
            out.put("mv_rollups_events", db.count("SELECT countMerge(events) FROM rollup_activity_minute"));
            long buckets = 0;
            for (String g : DuckDbPeer.GRANULARITIES) {
                buckets += db.count("SELECT count() FROM (SELECT environment, event, bucket FROM rollup_series_" + g
                        + " GROUP BY environment, event, bucket)");
                buckets += db.count("SELECT count() FROM (SELECT environment, bucket FROM rollup_activity_" + g
                        + " GROUP BY environment, bucket)");
            }
            out.put("mv_rollups_rows", buckets);
        }
        return out;
    }

    /**
     * Tables and materialized views over {@code events} that keep path 1's rollups while loading:
     * per granularity a series table (count and exact users per environment, event and bucket), an
     * activity table (the same per environment and bucket, with exact sessions) and a breakdown
     * table (events per key and value) fed by one view per breakdown key. Aggregate-function states
     * (and a SummingMergeTree for the plain counts), as {@code raw-events.sql} does: unique counts
     * are right across insert blocks only if states are merged.
     */
    static List<String> rollupViews() {
        List<String> ddl = new ArrayList<>();
        for (String g : DuckDbPeer.GRANULARITIES) {
            String b = bucket(g);
            ddl.add("CREATE TABLE rollup_series_" + g
                    + " (environment String, event String, bucket DateTime('UTC'), events AggregateFunction(count),"
                    + " users AggregateFunction(uniqExact, String)) ENGINE = AggregatingMergeTree() PARTITION BY toYYYYMM(bucket)"
                    + " ORDER BY (environment, event, bucket)");
            ddl.add(
                    "CREATE MATERIALIZED VIEW rollup_series_" + g + "_mv TO rollup_series_" + g
                            + " AS SELECT environment, event, " + b
                            + " AS bucket, countState() AS events, uniqExactState(distinct_id) AS users FROM events GROUP BY environment, event, bucket");
            // uniqExactState of a Nullable(String) column is a state of String (nulls are skipped).
            ddl.add("CREATE TABLE rollup_activity_" + g
                    + " (environment String, bucket DateTime('UTC'), events AggregateFunction(count),"
                    + " users AggregateFunction(uniqExact, String), sessions AggregateFunction(uniqExact, String))"
                    + " ENGINE = AggregatingMergeTree() PARTITION BY toYYYYMM(bucket) ORDER BY (environment, bucket)");
            ddl.add("CREATE MATERIALIZED VIEW rollup_activity_" + g + "_mv TO rollup_activity_" + g
                    + " AS SELECT environment, " + b
                    + " AS bucket, countState() AS events, uniqExactState(distinct_id) AS users, uniqExactState(session_id) AS sessions"
                    + " FROM events GROUP BY environment, bucket");
            ddl.add(
                    "CREATE TABLE rollup_breakdown_" + g
                            + " (environment String, event String, bucket DateTime('UTC'), key String, value String,"
                            + " events UInt64) ENGINE = SummingMergeTree() PARTITION BY toYYYYMM(bucket) ORDER BY (environment, event, bucket, key, value)");
            for (String k : DuckDbPeer.BREAKDOWNS) {
                ddl.add(
                        "CREATE MATERIALIZED VIEW rollup_breakdown_" + g + "_" + k + "_mv TO rollup_breakdown_" + g
                                + " AS SELECT environment,"
                                + " event, " + b + " AS bucket, '" + k
                                + "' AS key, visitParamExtractString(properties, '" + k + "') AS value,"
                                + " count() AS events FROM events WHERE value != '' GROUP BY environment, event, bucket, value");
            }
        }
        return ddl;
    }

    static String rawTableDdl(String name) {
        return "CREATE TABLE " + name
                + " (uuid Nullable(String), event String, distinct_id String, timestamp DateTime('UTC'),"
                + " timestamp_ms Int64, environment String, session_id Nullable(String), properties String) ENGINE = MergeTree()"
                + " PARTITION BY toYYYYMM(timestamp) ORDER BY (environment, event, timestamp)";
    }

    static String bucket(String g) {
        return switch (g) {
            case "minute" -> "toStartOfMinute(timestamp)";
            case "hour" -> "toStartOfHour(timestamp)";
            case "day" -> "toStartOfDay(timestamp)";
            case "week" -> "toDateTime(toMonday(timestamp))";
            case "month" -> "toDateTime(toStartOfMonth(timestamp))";
            default -> throw new IllegalArgumentException(g);
        };
    }

    /** Loads the row files concurrently ({@code loaders} at a time); returns the seconds it took. */
    static double load(String database, String table, List<Path> rows, int loaders) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(loaders);
        long t0 = System.nanoTime();
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (Path p : rows) {
                done.add(pool.submit(() -> {
                    insert(database, "INSERT INTO " + table + " FORMAT JSONEachRow", p);
                    return null;
                }));
            }
            for (Future<Void> f : done) f.get();
        } finally {
            pool.shutdownNow();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    static void insert(String database, String sql, Path body) throws IOException, InterruptedException {
        String url = ClickHouseServer.httpBase() + "?database=" + database + "&query="
                + URLEncoder.encode(sql, StandardCharsets.UTF_8);
        HttpRequest req = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofMinutes(30))
                .POST(HttpRequest.BodyPublishers.ofFile(body))
                .build();
        HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200)
            throw new IOException("ClickHouse HTTP " + r.statusCode() + " for " + sql + ": " + r.body());
    }

    /** The events of a part file as rows of the raw table (JSONEachRow), written once next to it. */
    static Path rowFile(JobDefinition job, Path part) throws Exception {
        Path out = part.resolveSibling(part.getFileName().toString().replace(".jsonl", ".clickhouse.jsonl"));
        if (Files.exists(out) && Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(part)) >= 0)
            return out;
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        JsonFactory jf = new JsonFactory();
        JsonLinesFormat format = new JsonLinesFormat(EventParser.forJob(job));
        File file = part.toFile();
        FileSourceSplit split = new FileSourceSplit(
                "0",
                org.apache.flink.core.fs.Path.fromLocalFile(file.getAbsoluteFile()),
                0,
                file.length(),
                file.lastModified(),
                file.length());
        BulkFormat.Reader<Ingested> reader = format.createReader(new Configuration(), split);
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            BulkFormat.RecordIterator<Ingested> batch;
            while ((batch = reader.readBatch()) != null) {
                RecordAndPosition<Ingested> rp;
                while ((rp = batch.next()) != null) {
                    Event e = rp.getRecord().event();
                    if (e == null) continue;
                    try (JsonGenerator g = jf.createGenerator(os)) {
                        g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
                        g.writeStartObject();
                        g.writeStringField("uuid", e.uuid());
                        g.writeStringField("event", e.event());
                        g.writeStringField("distinct_id", e.distinctId());
                        g.writeStringField(
                                "timestamp",
                                DATE_TIME.format(LocalDateTime.ofEpochSecond(
                                        Math.floorDiv(e.timestamp(), 1000L), 0, ZoneOffset.UTC)));
                        g.writeNumberField("timestamp_ms", e.timestamp());
                        g.writeStringField("environment", e.environment());
                        g.writeStringField("session_id", e.sessionId());
                        g.writeStringField("properties", e.properties() == null ? "{}" : e.properties());
                        g.writeEndObject();
                    }
                    os.write('\n');
                }
                batch.releaseBatch();
            }
        } finally {
            reader.close();
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
        return out;
    }
}
