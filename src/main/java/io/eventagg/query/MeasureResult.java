package io.eventagg.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * A numeric measure per bucket and over the range: sums exact, quantiles from merged DDSketches
 * (within 1 % of the exact value).
 *
 * @param refreshInProgress true while a refresh is rewriting rows this answer reads (else absent)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MeasureResult(
        String measure, String property, List<Point> series, Stats total, Boolean refreshInProgress) {

    /** One bucket's numbers. */
    public record Point(Instant timestamp, Stats stats) {}

    /**
     * @param events events of the measure's events
     * @param values of them, with a number in the property
     * @param nonNumeric of them, with something else there (a string, a boolean, …)
     * @param average sum ÷ values; null without values (also min, max and the quantiles)
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Stats(
            long events,
            long values,
            long nonNumeric,
            double sum,
            Double average,
            Double min,
            Double max,
            Double p50,
            Double p90,
            Double p99) {}
}
