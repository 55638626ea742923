package io.eventagg.query;

import io.eventagg.time.Granularity;
import java.time.Instant;
import java.util.List;

/**
 * The spec's {@code AggregationQuery}: buckets of {@code granularity} whose start lies in
 * {@code [from, to)}, counts summed over {@code events} (all events, from the rollup, when empty),
 * optionally one environment (all together when null), broken down by some of the job's breakdown
 * keys, optionally for one user.
 */
public record TimeSeriesQuery(
        List<String> events,
        Instant from,
        Instant to,
        Granularity granularity,
        String environment,
        List<String> breakdownBy,
        String distinctId) {

    public TimeSeriesQuery {
        events = events == null ? List.of() : List.copyOf(events);
        breakdownBy = breakdownBy == null ? List.of() : List.copyOf(breakdownBy);
    }
}
