package io.eventagg.testing;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A plain reference for retention, from the rules: per environment and user in time order;
 * first_time: the cohort is the period of the first start event (a start more than the horizon
 * after the latest start begins a new cohort); recurring: every period with a start event; a
 * return counts for a cohort when at or after the cohort's first start, in period k = whole
 * calendar periods between the buckets, 0..periods.
 */
public final class RefRetention {
    /** A retention definition as the reference sees it. */
    public record Definition(
            Predicate<RefEvent> start,
            Predicate<RefEvent> ret,
            String period,
            int periods,
            boolean recurring,
            long horizonMs) {}

    public record Key(String environment, long cohortStart) {}

    /** Expected counts of one cohort. */
    public static final class Cohort {
        public long size;
        public long[] on;
        public long[] onOrAfter;

        Cohort(int periods) {
            on = new long[periods + 1];
            onOrAfter = new long[periods + 1];
        }
    }

    private RefRetention() {}

    public static Map<Key, Cohort> compute(List<RefEvent> events, Definition d, ZoneId zone) {
        Map<String, List<RefEvent>> byUser = new HashMap<>();
        for (RefEvent e : events)
            byUser.computeIfAbsent(e.environment() + "\u0001" + e.distinctId(), k -> new ArrayList<>())
                    .add(e);
        Map<Key, Cohort> out = new HashMap<>();
        for (List<RefEvent> evs : byUser.values()) {
            evs.sort(Comparator.comparingLong(RefEvent::timestamp));
            // cohort bucket -> first start timestamp in it
            Map<Long, Long> cohorts = new HashMap<>();
            long lastStart = Long.MIN_VALUE;
            for (RefEvent e : evs) {
                if (!d.start().test(e)) continue;
                long bucket = RefTimeSeries.bucketStart(d.period(), e.timestamp(), zone);
                if (d.recurring()) {
                    cohorts.putIfAbsent(bucket, e.timestamp());
                } else if (lastStart == Long.MIN_VALUE || e.timestamp() >= lastStart + d.horizonMs()) {
                    cohorts.put(bucket, e.timestamp());
                }
                lastStart = Math.max(lastStart, e.timestamp());
            }
            String env = evs.get(0).environment();
            for (Map.Entry<Long, Long> c : cohorts.entrySet()) {
                long mask = 0;
                for (RefEvent e : evs) {
                    if (!d.ret().test(e) || e.timestamp() < c.getValue()) continue;
                    long k = between(
                            d.period(), c.getKey(), RefTimeSeries.bucketStart(d.period(), e.timestamp(), zone), zone);
                    if (k >= 0 && k <= d.periods()) mask |= 1L << k;
                }
                Cohort co = out.computeIfAbsent(new Key(env, c.getKey()), k -> new Cohort(d.periods()));
                co.size++;
                int highest = 63 - Long.numberOfLeadingZeros(mask);
                for (int k = 0; k <= d.periods(); k++) {
                    if ((mask & (1L << k)) != 0) co.on[k]++;
                    if (k <= highest) co.onOrAfter[k]++;
                }
            }
        }
        return out;
    }

    static long between(String period, long from, long to, ZoneId zone) {
        LocalDate a = Instant.ofEpochMilli(from).atZone(zone).toLocalDate();
        LocalDate b = Instant.ofEpochMilli(to).atZone(zone).toLocalDate();
        return switch (period) {
            case "day" -> ChronoUnit.DAYS.between(a, b);
            case "week" -> ChronoUnit.WEEKS.between(a, b);
            case "month" -> ChronoUnit.MONTHS.between(a, b);
            default -> throw new IllegalArgumentException(period);
        };
    }
}
