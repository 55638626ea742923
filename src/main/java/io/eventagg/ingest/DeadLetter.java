package io.eventagg.ingest;

/**
 * A record that could not be turned into an {@link Event}.
 *
 * @param raw the record's text, truncated to the job's {@code limits.dead_letter_raw_bytes}
 * @param rawBytes the full size of the record in bytes
 */
public record DeadLetter(String source, int partition, long offset, String reason, String raw, long rawBytes) {}
