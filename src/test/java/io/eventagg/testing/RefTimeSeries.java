package io.eventagg.testing;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The straightforward reference for time series: group raw events by (environment, event,
 * granularity, bucket) with java.time, count, collect exact sets of users, count breakdown values
 * and keep the top N (ties by value) with the rest under {@code $other}.
 */
public final class RefTimeSeries {
    /** Expected content of one bucket. */
    public static final class Bucket {
        public long count;
        public final Set<String> users = new HashSet<>();
        public final Set<String> sessions = new HashSet<>();
        public final Map<String, Map<String, Long>> values = new LinkedHashMap<>();
        /** Per breakdown key and value, the users of its events. */
        public final Map<String, Map<String, Set<String>>> valueUsers = new LinkedHashMap<>();

        /**
         * Unique users of the values {@link #topBreakdowns} keeps, {@code $other}'s being the users of
         * every other value's events.
         */
        public Map<String, Map<String, Long>> topBreakdownUsers(int limit) {
            Map<String, Map<String, Long>> out = new LinkedHashMap<>();
            for (Map.Entry<String, Map<String, Long>> k : topBreakdowns(limit).entrySet()) {
                Map<String, Set<String>> users = valueUsers.get(k.getKey());
                Set<String> other = new HashSet<>();
                for (Map.Entry<String, Set<String>> v : users.entrySet())
                    if (!k.getValue().containsKey(v.getKey()) || v.getKey().equals("$other"))
                        other.addAll(v.getValue());
                Map<String, Long> m = new LinkedHashMap<>();
                for (String v : k.getValue().keySet())
                    m.put(
                            v,
                            v.equals("$other")
                                    ? (long) other.size()
                                    : (long) users.get(v).size());
                out.put(k.getKey(), m);
            }
            return out;
        }

        /** Top {@code limit} values per key, the rest summed under $other. */
        public Map<String, Map<String, Long>> topBreakdowns(int limit) {
            Map<String, Map<String, Long>> out = new LinkedHashMap<>();
            for (Map.Entry<String, Map<String, Long>> k : values.entrySet()) {
                List<Map.Entry<String, Long>> all = new ArrayList<>(k.getValue().entrySet());
                all.sort(Comparator.<Map.Entry<String, Long>>comparingLong(e -> -e.getValue())
                        .thenComparing(Map.Entry::getKey));
                Map<String, Long> top = new LinkedHashMap<>();
                long other = 0;
                for (int i = 0; i < all.size(); i++) {
                    if (i < limit && !all.get(i).getKey().equals("$other"))
                        top.put(all.get(i).getKey(), all.get(i).getValue());
                    else other += all.get(i).getValue();
                }
                if (other > 0) top.put("$other", other);
                out.put(k.getKey(), top);
            }
            return out;
        }
    }

    /** Key of a bucket: event is null for the all-events rollup. */
    public record Key(String environment, String event, String granularity, long bucketStart) {}

    private RefTimeSeries() {}

    public static Map<Key, Bucket> compute(
            List<RefEvent> events, ZoneId zone, List<String> granularities, List<String> breakdowns) {
        return compute(events, zone, granularities, breakdowns, Map.of(), 0);
    }

    /**
     * With horizons (granularity to how far back from {@code nowMs} it keeps buckets): a bucket is
     * in the reference only if it starts no earlier than the bucket holding {@code now - horizon}.
     */
    public static Map<Key, Bucket> compute(
            List<RefEvent> events,
            ZoneId zone,
            List<String> granularities,
            List<String> breakdowns,
            Map<String, java.time.Duration> horizons,
            long nowMs) {
        Map<String, Long> keptFrom = new HashMap<>();
        horizons.forEach((g, h) -> keptFrom.put(g, bucketStart(g, nowMs - h.toMillis(), zone)));
        Map<Key, Bucket> out = new HashMap<>();
        for (RefEvent e : events) {
            for (String g : granularities) {
                long start = bucketStart(g, e.timestamp(), zone);
                if (start < keptFrom.getOrDefault(g, Long.MIN_VALUE)) continue;
                for (String event : new String[] {e.event(), null}) {
                    Bucket b = out.computeIfAbsent(new Key(e.environment(), event, g, start), k -> new Bucket());
                    b.count++;
                    b.users.add(e.distinctId());
                    if (event == null) {
                        if (e.sessionId() != null) b.sessions.add(e.sessionId());
                    } else {
                        for (String k : breakdowns) {
                            String v = e.properties().get(k);
                            if (v != null) {
                                b.values
                                        .computeIfAbsent(k, x -> new HashMap<>())
                                        .merge(v, 1L, Long::sum);
                                b.valueUsers
                                        .computeIfAbsent(k, x -> new HashMap<>())
                                        .computeIfAbsent(v, x -> new HashSet<>())
                                        .add(e.distinctId());
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** java.time's own reading of a calendar bucket, independent of BucketCalendar. */
    public static long bucketStart(String granularity, long ts, ZoneId zone) {
        ZonedDateTime t = Instant.ofEpochMilli(ts).atZone(zone);
        ZonedDateTime s = switch (granularity) {
            case "minute" -> t.truncatedTo(ChronoUnit.MINUTES);
            case "hour" -> t.truncatedTo(ChronoUnit.HOURS);
            case "day" -> t.toLocalDate().atStartOfDay(zone);
            case "week" ->
                t.toLocalDate()
                        .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
                        .atStartOfDay(zone);
            case "month" -> t.toLocalDate().withDayOfMonth(1).atStartOfDay(zone);
            default -> throw new IllegalArgumentException(granularity);
        };
        return s.toInstant().toEpochMilli();
    }
}
