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
 * answer, with the range's totals; buckets without rows answer zero. Rows of finer stored buckets
 * (an answer in another time zone) fall into the answer's bucket that holds them; look-back days
 * only serve rolling active users and are neither shown nor in the totals.
 */
final class SeriesBuckets {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<Long, Bucket> buckets = new LinkedHashMap<>();
    private final BucketPlan plan;
    private final List<String> breakdownBy;
    private final List<Integer> activeWindows;
    private final String timezone;
    private final int lgK;

    /** @param timezone the zone to name in the answer (when the question named one), else null */
    SeriesBuckets(BucketPlan plan, List<String> breakdownBy, List<Integer> activeWindows, String timezone, int lgK) {
        this.plan = plan;
        this.timezone = timezone;
        this.breakdownBy = breakdownBy;
        this.activeWindows = activeWindows;
        this.lgK = lgK;
        for (long b : plan.starts()) buckets.put(b, new Bucket());
    }

    /** The bucket that a stored row starting at {@code start} falls into, or null when the answer has none there. */
    Bucket at(long start) {
        return buckets.get(plan.targetOf(start));
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
        Map<String, Map<String, SketchUnion>> totalUsers = new LinkedHashMap<>();
        boolean totalUsersKnown = true;
        long total = 0;
        List<Bucket> days = new ArrayList<>(buckets.values());
        for (int i = plan.lookBack(); i < days.size(); i++) {
            Bucket b = days.get(i);
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
                totalUsersKnown &= b.usersKnown;
                if (b.usersKnown) b.mergeUsersInto(totalUsers);
            }
            series.add(new TimeSeriesPoint(
                    Instant.ofEpochMilli(plan.starts().get(i)),
                    b.count,
                    b.users.estimate(),
                    breakdown,
                    withSessions ? b.sessions.estimate() : null,
                    activeUsers(days, i),
                    breakdown == null || !b.usersKnown ? null : estimates(breakdown, b.breakdownUsers)));
        }
        totals.replaceAll((k, v) -> BreakdownCounts.byCount(v));
        return new AggregationResult(
                series,
                total,
                users.estimate(),
                totals,
                withSessions ? sessions.estimate() : null,
                refreshInProgress,
                timezone,
                breakdownBy.isEmpty() || !totalUsersKnown ? null : estimates(totals, totalUsers));
    }

    /** Unique users per breakdown value, in the order of (and for the values of) {@code counts}. */
    private Map<String, Map<String, Long>> estimates(
            Map<String, Map<String, Long>> counts, Map<String, Map<String, SketchUnion>> users) {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Long>> k : counts.entrySet()) {
            Map<String, SketchUnion> u = users.getOrDefault(k.getKey(), Map.of());
            Map<String, Long> m = new LinkedHashMap<>();
            for (String v : k.getValue().keySet()) {
                SketchUnion s = u.get(v);
                m.put(v, s == null ? 0 : s.estimate());
            }
            out.put(k.getKey(), m);
        }
        return out;
    }

    /**
     * Per window, unique users of the window's days ending with day {@code i}: the union of their
     * sketches (HLL sketches cannot be subtracted, so each window is merged afresh).
     */
    private Map<String, Long> activeUsers(List<Bucket> days, int i) {
        if (activeWindows.isEmpty()) return null;
        Map<String, Long> out = new LinkedHashMap<>();
        for (int w : activeWindows) {
            SketchUnion u = new SketchUnion(lgK);
            for (int d = Math.max(0, i - w + 1); d <= i; d++) u.add(days.get(d).users);
            out.put(w + "d", u.estimate());
        }
        return out;
    }

    /** One bucket across events and environments. */
    final class Bucket {
        private long count;
        private final SketchUnion users = new SketchUnion(lgK);
        private final SketchUnion sessions = new SketchUnion(lgK);
        private final Map<String, Map<String, Long>> breakdown = new LinkedHashMap<>();
        private final Map<String, Map<String, SketchUnion>> breakdownUsers = new LinkedHashMap<>();
        /** False once a row with breakdowns came without its values' users (written before they were kept). */
        private boolean usersKnown = true;

        /** A row's count and users (base64 sketch). */
        void add(long events, String usersSketch) {
            count += events;
            users.add(usersSketch);
        }

        void addSessions(String sessionsSketch) {
            sessions.add(sessionsSketch);
        }

        /**
         * A row's breakdowns column ({@code {"plan": {"pro": 3}}}) and the users of its values
         * ({@code {"plan": {"pro": "<base64 sketch>"}}}, null when the row was written without them),
         * the asked-for keys only.
         */
        void addBreakdowns(String json, String usersJson) {
            if (json == null || json.isEmpty()) return;
            JsonNode root = parse(json);
            JsonNode usersRoot = usersJson == null ? null : parse(usersJson);
            for (String k : breakdownBy) {
                JsonNode values = root.get(k);
                if (values == null) continue;
                Map<String, Long> m = breakdown.computeIfAbsent(k, x -> new TreeMap<>());
                Iterator<Map.Entry<String, JsonNode>> it = values.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> v = it.next();
                    m.merge(v.getKey(), v.getValue().asLong(), Long::sum);
                }
                JsonNode users = usersRoot == null ? null : usersRoot.get(k);
                if (users == null) {
                    if (values.size() > 0) usersKnown = false;
                    continue;
                }
                Map<String, SketchUnion> u = breakdownUsers.computeIfAbsent(k, x -> new TreeMap<>());
                Iterator<Map.Entry<String, JsonNode>> ui = users.fields();
                while (ui.hasNext()) {
                    Map.Entry<String, JsonNode> v = ui.next();
                    u.computeIfAbsent(v.getKey(), x -> new SketchUnion(lgK))
                            .add(v.getValue().asText());
                }
            }
        }

        /** Folds this bucket's users per value into the range's. */
        void mergeUsersInto(Map<String, Map<String, SketchUnion>> totals) {
            for (Map.Entry<String, Map<String, SketchUnion>> k : breakdownUsers.entrySet()) {
                Map<String, SketchUnion> t = totals.computeIfAbsent(k.getKey(), x -> new TreeMap<>());
                k.getValue()
                        .forEach((v, u) ->
                                t.computeIfAbsent(v, x -> new SketchUnion(lgK)).add(u));
            }
        }

        private JsonNode parse(String json) {
            try {
                return JSON.readTree(json);
            } catch (IOException e) {
                throw QueryException.storageFailure("stored breakdowns are not valid JSON: " + e.getMessage(), e);
            }
        }
    }
}
