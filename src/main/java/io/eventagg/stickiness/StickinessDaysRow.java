package io.eventagg.stickiness;

/** One row of the stickiness table: the users active on exactly {@code daysActive} days of a period. */
public record StickinessDaysRow(
        String environment,
        String period,
        long periodStart,
        int daysActive,
        long users,
        boolean isFinal,
        long version) {}
