package io.eventagg.config;

import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import java.io.Serializable;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How far back the fine granularities keep buckets ({@code horizons: {minute: 7d, hour: 90d}}), as
 * Druid's period drop rules or a ClickHouse {@code TTL} keep a fine rollup for recent time only.
 * Measured from a clock ("now", the wall clock unless a run or query sets it): a bucket is kept
 * when it starts at or after the start of the bucket holding {@code now - horizon}, so a bucket is
 * either whole or absent. Events before that count in the next coarser granularities only.
 *
 * <p>Only minute and hour take a horizon: every coarser granularity is then fed from one level
 * (hours and days nest in all of them; weeks do not nest in months), and they hold few rows.
 *
 * @param byGranularity the horizon of each granularity that has one
 */
public record Horizons(Map<Granularity, Duration> byGranularity) implements Serializable {
    private static final Set<Granularity> ALLOWED = Set.of(Granularity.MINUTE, Granularity.HOUR);

    public static Horizons none() {
        return new Horizons(Map.of());
    }

    public Horizons {
        byGranularity = Map.copyOf(byGranularity);
    }

    public boolean has(Granularity g) {
        return byGranularity.containsKey(g);
    }

    public Duration of(Granularity g) {
        return byGranularity.get(g);
    }

    /**
     * The start of the oldest bucket of {@code g} kept at {@code nowMs}; {@link Long#MIN_VALUE}
     * when {@code g} has no horizon.
     */
    public long keptFrom(BucketCalendar calendar, Granularity g, long nowMs) {
        Duration h = byGranularity.get(g);
        if (h == null) return Long.MIN_VALUE;
        return calendar.start(g, nowMs - h.toMillis());
    }

    static Horizons parse(ConfigNode n, List<Granularity> granularities) {
        if (n.isMissing()) return none();
        n.requireObject(Set.of("minute", "hour", "day", "week", "month"));
        Map<Granularity, Duration> map = new EnumMap<>(Granularity.class);
        for (Granularity g : Granularity.values()) {
            ConfigNode c = n.get(g.id());
            if (c.isMissing()) continue;
            if (!ALLOWED.contains(g)) {
                throw new ConfigException(
                        c.path(),
                        "only minute and hour take a horizon (coarser buckets are few; drop old ones with the"
                                + " database's own retention)");
            }
            if (!granularities.contains(g)) {
                throw new ConfigException(c.path(), "the job has no " + g.id() + " buckets (see granularities)");
            }
            Duration d = n.duration(g.id(), null);
            long bucket = g == Granularity.MINUTE ? 60_000L : 3_600_000L;
            if (d.toMillis() < bucket) {
                throw new ConfigException(
                        c.path(), "must be at least one " + g.id() + ", found " + Durations.format(d));
            }
            map.put(g, d);
        }
        Duration minute = map.get(Granularity.MINUTE);
        Duration hour = map.get(Granularity.HOUR);
        if (minute != null && hour != null && hour.compareTo(minute) < 0) {
            throw new ConfigException(
                    n.child("hour"),
                    "must be at least the minute horizon (" + Durations.format(minute) + "), found "
                            + Durations.format(hour) + ": an hour is made of its minutes");
        }
        return new Horizons(map);
    }
}
