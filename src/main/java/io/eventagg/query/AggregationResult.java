package io.eventagg.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The spec's {@code AggregationResult}. {@code uniqueUsers} over the range is the union of the
 * buckets' sketches, never a sum.
 *
 * @param uniqueSessions only for all-events queries
 * @param refreshInProgress true while a refresh is rewriting rows this answer reads (else absent)
 * @param timezone the zone of the buckets when the question named one (else absent: the job's)
 * @param breakdownUniqueUsersTotals unique users per breakdown value over the range (sketches
 *     merged, the shape of {@code breakdownTotals}); absent without a breakdown, or when some rows
 *     were written without them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AggregationResult(
        List<TimeSeriesPoint> series,
        long total,
        long uniqueUsers,
        Map<String, Map<String, Long>> breakdownTotals,
        Long uniqueSessions,
        Boolean refreshInProgress,
        String timezone,
        Map<String, Map<String, Long>> breakdownUniqueUsersTotals) {

    public AggregationResult(
            List<TimeSeriesPoint> series,
            long total,
            long uniqueUsers,
            Map<String, Map<String, Long>> breakdownTotals,
            Long uniqueSessions,
            Boolean refreshInProgress) {
        this(series, total, uniqueUsers, breakdownTotals, uniqueSessions, refreshInProgress, null, null);
    }
}
