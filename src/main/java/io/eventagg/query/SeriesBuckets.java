package io.eventagg.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The buckets of one time-series answer while its rows are read (one row per event and
 * environment): counts and breakdown counts summed, user and session sketches merged. Then the
 * answer, with the range's totals; buckets without rows answer zero.
 */
final class SeriesBuckets {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<Long, Bucket> buckets = new LinkedHashMap<>();
    private final List<String> breakdownBy;
    private final int lgK;

    SeriesBuckets(List<Long> starts, List<String> breakdownBy, int lgK) {
        this.breakdownBy = breakdownBy;
        this.lgK = lgK;
        for (long b : starts) buckets.put(b, new Bucket());
    }

    /** The bucket that starts at {@code start}, or null when the answer has none there. */
    Bucket at(long start) {
        return buckets.get(start);
    }

    /**
     * @param withSessions all-events answers count unique sessions too
     * @param refreshInProgress see {@link AggregationResult}
     */
    AggregationResult result(boolean withSessions, Boolean refreshInProgress) {
        List<TimeSeriesPoint> series = new ArrayList<>(buckets.size());
        SketchUnion users = new SketchUnion(lgK);
        SketchUnion sessions = new SketchUnion(lgK);
        Map<String, Map<String, Long>> totals = BreakdownCounts.empty(breakdownBy);
        long total = 0;
        for (Map.Entry<Long, Bucket> e : buckets.entrySet()) {
            Bucket b = e.getValue();
            total += b.count;
            users.add(b.users);
            if (withSessions) sessions.add(b.sessions);
            Map<String, Map<String, Long>> breakdown = null;
            if (!breakdownBy.isEmpty()) {
                breakdown = BreakdownCounts.empty(breakdownBy);
                for (Map.Entry<String, Map<String, Long>> k : b.breakdown.entrySet()) {
                    breakdown.get(k.getKey()).putAll(k.getValue());
                    k.getValue().forEach((v, c) -> totals.get(k.getKey()).merge(v, c, Long::sum));
                }
                breakdown.replaceAll((k, v) -> BreakdownCounts.byCount(v));
            }
            series.add(new TimeSeriesPoint(
                    Instant.ofEpochMilli(e.getKey()),
                    b.count,
                    b.users.estimate(),
                    breakdown,
                    withSessions ? b.sessions.estimate() : null));
        }
        totals.replaceAll((k, v) -> BreakdownCounts.byCount(v));
        return new AggregationResult(
                series, total, users.estimate(), totals, withSessions ? sessions.estimate() : null, refreshInProgress);
    }

    /** One bucket across events and environments. */
    final class Bucket {
        private long count;
        private final SketchUnion users = new SketchUnion(lgK);
        private final SketchUnion sessions = new SketchUnion(lgK);
        private final Map<String, Map<String, Long>> breakdown = new LinkedHashMap<>();

        /** A row's count and users (base64 sketch). */
        void add(long events, String usersSketch) {
            count += events;
            users.add(usersSketch);
        }

        void addSessions(String sessionsSketch) {
            sessions.add(sessionsSketch);
        }

        /** A row's breakdowns column ({@code {"plan": {"pro": 3}}}), the asked-for keys only. */
        void addBreakdowns(String json) {
            if (json == null || json.isEmpty()) return;
            JsonNode root;
            try {
                root = JSON.readTree(json);
            } catch (IOException e) {
                throw QueryException.storageFailure("stored breakdowns are not valid JSON: " + e.getMessage(), e);
            }
            for (String k : breakdownBy) {
                JsonNode values = root.get(k);
                if (values == null) continue;
                Map<String, Long> m = breakdown.computeIfAbsent(k, x -> new TreeMap<>());
                Iterator<Map.Entry<String, JsonNode>> it = values.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> v = it.next();
                    m.merge(v.getKey(), v.getValue().asLong(), Long::sum);
                }
            }
        }
    }
}
