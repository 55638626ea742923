package io.eventagg.timeseries;

/**
 * The full value of one time-series bucket, as written to the time-series table (or, for the
 * rollup, the activity table). Natural key: (environment, event, granularity, bucket_start).
 *
 * @param breakdowns JSON {@code {"plan": {"pro": 12, "$other": 3}}}: top values per key
 * @param isFinal the bucket is closed (watermark past its end plus allowed lateness)
 * @param breakdownUsers JSON {@code {"plan": {"pro": "<base64 sketch>"}}}: the users of each value in
 *     {@code breakdowns}; null when the bucket does not count them
 */
public record SeriesRow(
        boolean rollup,
        String environment,
        String event,
        String granularity,
        long bucketStart,
        long count,
        long uniqueUsers,
        byte[] usersSketch,
        long uniqueSessions,
        byte[] sessionsSketch,
        String breakdowns,
        boolean isFinal,
        long version,
        String breakdownUsers) {}
