package io.eventagg.stickiness;

/**
 * The full value of one period's stickiness: {@code users[k - 1]} users were active on exactly
 * {@code k} of its days.
 *
 * @param period {@code week} or {@code month}
 */
public record StickinessRow(
        String environment, String period, long periodStart, long[] users, boolean isFinal, long version) {}
