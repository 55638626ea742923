package io.eventagg.retention;

/** One period of one cohort, as written to the retention periods table. */
public record RetentionPeriodRow(
        String retention,
        String environment,
        long cohortStart,
        int period,
        long usersOn,
        long usersOnOrAfter,
        boolean isFinal,
        long version) {}
