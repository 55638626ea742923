package io.eventagg.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventagg.sink.ConnectionFactory;
import io.eventagg.sink.SinkSettings;
import io.eventagg.time.BucketCalendar;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Answers time-series questions about one user from the raw events table (the buckets only hold
 * sketches, which cannot be filtered by user): the user's events in the range are read and
 * bucketed with the job's calendar, so any granularity and any property works as a breakdown.
 *
 * @param database the database that holds the table (ClickHouse, see {@code sql/clickhouse/raw-events.sql})
 */
public record RawEvents(SinkSettings database, String table) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public RawEvents {
        if (table == null || !table.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
            throw new QueryException(
                    QueryException.Parameter.RAW_EVENTS_TABLE,
                    QueryException.Problem.INVALID,
                    "'" + table + "' is not a table name");
        }
    }

    AggregationResult query(TimeSeriesQuery q, List<Long> buckets, BucketCalendar calendar) {
        if (buckets.isEmpty())
            return new AggregationResult(List.of(), 0, 0, Map.of(), q.events().isEmpty() ? 0L : null, null);
        long from = buckets.get(0);
        long to = calendar.end(q.granularity(), buckets.get(buckets.size() - 1));
        StringBuilder sql = new StringBuilder("SELECT timestamp_ms, session_id, properties FROM " + table
                + " WHERE distinct_id = ? AND timestamp_ms >= ? AND timestamp_ms < ?");
        if (q.environment() != null) sql.append(" AND environment = ?");
        if (!q.events().isEmpty())
            sql.append(" AND event IN (")
                    .append(String.join(", ", q.events().stream().map(e -> "?").toList()))
                    .append(')');
        Map<Long, long[]> counts = new TreeMap<>();
        Map<Long, Set<String>> sessions = new TreeMap<>();
        Map<Long, Map<String, Map<String, Long>>> breakdowns = new TreeMap<>();
        try (Connection c = ConnectionFactory.open(database);
                PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            ps.setString(i++, q.distinctId());
            ps.setLong(i++, from);
            ps.setLong(i++, to);
            if (q.environment() != null) ps.setString(i++, q.environment());
            for (String e : q.events()) ps.setString(i++, e);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long bucket = calendar.start(q.granularity(), rs.getLong(1));
                    counts.computeIfAbsent(bucket, b -> new long[1])[0]++;
                    if (rs.getString(2) != null)
                        sessions.computeIfAbsent(bucket, b -> new HashSet<>()).add(rs.getString(2));
                    if (!q.breakdownBy().isEmpty())
                        addProperties(
                                rs.getString(3),
                                q.breakdownBy(),
                                breakdowns.computeIfAbsent(bucket, b -> new LinkedHashMap<>()));
                }
            }
        } catch (SQLException e) {
            throw QueryException.storageFailure(
                    "reading the raw events table " + table + " failed: " + e.getMessage(), e);
        }
        boolean all = q.events().isEmpty();
        List<TimeSeriesPoint> series = new ArrayList<>();
        Map<String, Map<String, Long>> totals = BreakdownCounts.empty(q.breakdownBy());
        Set<String> allSessions = new HashSet<>();
        long total = 0;
        for (long b : buckets) {
            long n = counts.containsKey(b) ? counts.get(b)[0] : 0;
            total += n;
            Map<String, Map<String, Long>> bd = null;
            if (!q.breakdownBy().isEmpty()) {
                bd = new LinkedHashMap<>();
                for (String k : q.breakdownBy()) {
                    Map<String, Long> v = breakdowns.getOrDefault(b, Map.of()).getOrDefault(k, Map.of());
                    bd.put(k, BreakdownCounts.byCount(v));
                    v.forEach((val, cnt) -> totals.get(k).merge(val, cnt, Long::sum));
                }
            }
            Set<String> s = sessions.getOrDefault(b, Set.of());
            allSessions.addAll(s);
            series.add(
                    new TimeSeriesPoint(Instant.ofEpochMilli(b), n, n > 0 ? 1 : 0, bd, all ? (long) s.size() : null));
        }
        totals.replaceAll((k, v) -> BreakdownCounts.byCount(v));
        return new AggregationResult(
                series, total, total > 0 ? 1 : 0, totals, all ? (long) allSessions.size() : null, null);
    }

    /** Top-level property values: strings as-is, other JSON values as their JSON text (the breakdown rule). */
    private static void addProperties(String json, List<String> keys, Map<String, Map<String, Long>> into) {
        if (json == null || json.isEmpty()) return;
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (IOException e) {
            return;
        }
        if (n == null || !n.isObject()) return;
        for (String k : keys) {
            JsonNode v = n.get(k);
            if (v == null || v.isMissingNode()) continue;
            String text = v.isTextual() ? v.asText() : v.toString();
            into.computeIfAbsent(k, x -> new TreeMap<>()).merge(text, 1L, Long::sum);
        }
    }
}
