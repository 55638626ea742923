package io.eventagg.retention;

/**
 * The full value of one cohort: its size and, per period 0..periods, the users who returned in
 * that period ({@code on}) and in that period or later ({@code onOrAfter}).
 */
public record RetentionRow(
        String retention,
        String environment,
        long cohortStart,
        long cohortSize,
        long[] on,
        long[] onOrAfter,
        boolean isFinal,
        long version) {}
