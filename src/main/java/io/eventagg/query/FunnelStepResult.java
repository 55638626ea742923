package io.eventagg.query;

/**
 * One step of a funnel result (the spec's {@code FunnelStepResult}, plus medians and p90s).
 *
 * @param users distinct users counted at this step on any entry day of the range
 * @param conversionRate users / users of the previous step (1.0 for step 1)
 * @param dropOffRate 1 - conversionRate
 */
public record FunnelStepResult(
        String name,
        long users,
        double conversionRate,
        double dropOffRate,
        Double avgTimeFromPreviousSeconds,
        Double medianTimeFromPreviousSeconds,
        Double p90TimeFromPreviousSeconds) {}
