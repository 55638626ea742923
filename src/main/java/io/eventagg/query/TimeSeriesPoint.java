package io.eventagg.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;

/**
 * One bucket of a time series (the spec's {@code TimeSeriesPoint}).
 *
 * @param breakdown counts per breakdown key and value, the same shape as {@code breakdown_totals};
 *     absent when no breakdown was asked for
 * @param uniqueSessions only for all-events queries
 * @param activeUsers rolling active users, per window asked for ({@code "7d"}): unique users in the
 *     days of the window ending with this day; absent unless asked for
 * @param breakdownUniqueUsers unique users per breakdown value, the shape of {@code breakdown};
 *     absent without a breakdown, or when rows of the bucket were written without them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TimeSeriesPoint(
        Instant timestamp,
        long count,
        long uniqueUsers,
        Map<String, Map<String, Long>> breakdown,
        Long uniqueSessions,
        Map<String, Long> activeUsers,
        Map<String, Map<String, Long>> breakdownUniqueUsers) {

    public TimeSeriesPoint(
            Instant timestamp,
            long count,
            long uniqueUsers,
            Map<String, Map<String, Long>> breakdown,
            Long uniqueSessions) {
        this(timestamp, count, uniqueUsers, breakdown, uniqueSessions, null, null);
    }
}
