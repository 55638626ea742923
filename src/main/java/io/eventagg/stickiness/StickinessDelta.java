package io.eventagg.stickiness;

/**
 * One user's move within a period: from being active on {@code from} of its days (0: not yet
 * counted) to {@code to} of them.
 *
 * @param period the period's granularity index in the job's {@code stickiness} list
 */
public record StickinessDelta(String environment, int period, long periodStart, int from, int to) {
    /** The counter's key: environment, period and its start. */
    public String periodKey() {
        return period + "\u001f" + environment + "\u001f" + periodStart;
    }
}
