package io.eventagg.funnel;

/**
 * The full value of one funnel step for one entry day. Natural key: (funnel, environment,
 * entry_day, step). Times are seconds; sketches are serialized HLL (users) and DDSketch (times).
 */
public record FunnelRow(
        String funnel,
        String environment,
        long entryDay,
        int step,
        String stepName,
        long users,
        byte[] usersSketch,
        long fromPreviousCount,
        double fromPreviousSum,
        byte[] fromPreviousSketch,
        long fromStartCount,
        double fromStartSum,
        byte[] fromStartSketch,
        boolean isFinal,
        long version) {}
