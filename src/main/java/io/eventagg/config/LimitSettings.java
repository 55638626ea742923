package io.eventagg.config;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * Bounds that protect the job from hostile or broken input.
 *
 * @param maxRecordBytes records longer than this are dead-lettered unparsed
 * @param deadLetterRawBytes how much of a bad record's text the dead-letter table keeps
 * @param breakdownValuesPerBucket distinct values per breakdown key and bucket kept with exact
 *     counts; further new values count toward {@code $other} directly
 * @param minTimestamp events before this instant are dead-lettered
 * @param maxFuture events further than this ahead of the wall clock are dead-lettered (one
 *     future-dated event would otherwise push the watermark ahead and make everything late)
 */
public record LimitSettings(
        int maxRecordBytes, int deadLetterRawBytes, int breakdownValuesPerBucket, long minTimestamp, Duration maxFuture)
        implements Serializable {

    public static LimitSettings defaults() {
        return new LimitSettings(
                1 << 20, 8192, 10_000, Instant.parse("2000-01-01T00:00:00Z").toEpochMilli(), Duration.ofDays(1));
    }

    static LimitSettings parse(ConfigNode n) {
        LimitSettings d = defaults();
        if (n.isMissing()) return d;
        n.requireObject(Set.of(
                "max_record_bytes",
                "dead_letter_raw_bytes",
                "breakdown_values_per_bucket",
                "min_timestamp",
                "max_future"));
        long min = d.minTimestamp;
        String minText = n.string("min_timestamp", null);
        if (minText != null) {
            try {
                min = Instant.parse(minText).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new ConfigException(
                        n.child("min_timestamp"),
                        "'" + minText + "' is not an ISO-8601 instant such as 2000-01-01T00:00:00Z");
            }
        }
        return new LimitSettings(
                n.intValue("max_record_bytes", d.maxRecordBytes, 256, 64 << 20),
                n.intValue("dead_letter_raw_bytes", d.deadLetterRawBytes, 0, 1 << 20),
                n.intValue("breakdown_values_per_bucket", d.breakdownValuesPerBucket, 1, 1_000_000),
                min,
                n.duration("max_future", d.maxFuture));
    }
}
