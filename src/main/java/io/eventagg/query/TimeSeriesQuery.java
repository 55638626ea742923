package io.eventagg.query;

import io.eventagg.time.Granularity;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * The spec's {@code AggregationQuery}: buckets of {@code granularity} whose start lies in
 * {@code [from, to)}, counts summed over {@code events} (all events, from the rollup, when empty),
 * optionally one environment (all together when null), broken down by some of the job's breakdown
 * keys, optionally for one user.
 *
 * @param activeWindows rolling active users to add to each day: window lengths in days (unique
 *     users in the window ending with the day); empty for none
 * @param timezone the zone the buckets are in; null for the job's own
 */
public record TimeSeriesQuery(
        List<String> events,
        Instant from,
        Instant to,
        Granularity granularity,
        String environment,
        List<String> breakdownBy,
        String distinctId,
        List<Integer> activeWindows,
        ZoneId timezone) {

    /** The longest rolling window one question may ask for. */
    public static final int MAX_ACTIVE_WINDOW_DAYS = 366;

    public TimeSeriesQuery {
        events = events == null ? List.of() : List.copyOf(events);
        breakdownBy = breakdownBy == null ? List.of() : List.copyOf(breakdownBy);
        activeWindows = activeWindows == null
                ? List.of()
                : activeWindows.stream().distinct().sorted().toList();
    }

    public TimeSeriesQuery(
            List<String> events,
            Instant from,
            Instant to,
            Granularity granularity,
            String environment,
            List<String> breakdownBy,
            String distinctId) {
        this(events, from, to, granularity, environment, breakdownBy, distinctId, List.of(), null);
    }
}
