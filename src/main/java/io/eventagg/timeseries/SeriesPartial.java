package io.eventagg.timeseries;

/**
 * A partial aggregate of one bucket from one combiner flush: what the per-granularity windows merge.
 * Sketches travel serialized; breakdowns travel as parallel arrays (key index, value, count).
 *
 * @param rollup true for the all-events rollup (then {@code event} is null and {@code sessions} set)
 * @param granularity the ordinal of {@link io.eventagg.time.Granularity}
 * @param breakdownOverflow per breakdown key, events whose value was not tracked because the
 *     bucket already held {@code limits.breakdown_values_per_bucket} distinct values
 */
public record SeriesPartial(
        boolean rollup,
        String environment,
        String event,
        int granularity,
        long bucketStart,
        long count,
        byte[] users,
        byte[] sessions,
        int[] breakdownKeys,
        String[] breakdownValues,
        long[] breakdownCounts,
        long[] breakdownOverflow) {

    /** The key of the series this partial belongs to (one window state per key and bucket). */
    public String seriesKey() {
        return rollup ? "R\u001f" + environment : "E\u001f" + environment + "\u001f" + event;
    }

    /**
     * The key of this partial's series at its granularity: the state key of {@link SeriesBucketOperator},
     * which aggregates every granularity (the first character is the granularity's ordinal).
     */
    public String bucketKey() {
        return (char) ('0' + granularity) + seriesKey();
    }

    /** The granularity ordinal of a {@link #bucketKey()}. */
    public static int granularityOf(String bucketKey) {
        return bucketKey.charAt(0) - '0';
    }
}
