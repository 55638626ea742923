package io.eventagg.ingest;

/**
 * An event that arrived after the watermark had passed its timestamp by more than the allowed
 * lateness; kept whole in the late-events table so a refresh can repair its buckets.
 *
 * @param watermark the watermark at the moment it was found late
 */
public record LateEvent(Event event, long watermark) {}
