package io.eventagg.ingest;

/**
 * An event that arrived after the watermark had passed its timestamp by more than the allowed
 * lateness; kept whole in the late-events table so a refresh can repair its buckets.
 *
 * @param watermark the watermark at the moment it was found late; {@link #END_OF_INPUT} when
 *     every other source subtask had already finished (their final watermark is
 *     {@code Long.MAX_VALUE}, which no database timestamp holds)
 */
public record LateEvent(Event event, long watermark) {
    /** 2299-12-31T23:59:59.999Z, the last instant of ClickHouse's DateTime64(3) (DuckDB goes further). */
    public static final long END_OF_INPUT = 10_413_791_999_999L;

    public static LateEvent of(Event event, long watermark) {
        return new LateEvent(event, Math.min(watermark, END_OF_INPUT));
    }
}
