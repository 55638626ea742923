package io.eventagg.measure;

/**
 * The full value of one measure's bucket.
 *
 * @param events events of the measure's events in the bucket
 * @param values of them, those whose property is a number
 * @param nonNumeric of them, those whose property is there but not a number (a string, a boolean…)
 * @param min null without values (also {@code max})
 * @param quantiles DDSketch of the values (1 % relative accuracy); null without values
 */
public record MeasureRow(
        String measure,
        String environment,
        String granularity,
        long bucketStart,
        long events,
        long values,
        double sum,
        Double min,
        Double max,
        long nonNumeric,
        byte[] quantiles,
        boolean isFinal,
        long version) {}
