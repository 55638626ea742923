package io.eventagg.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The spec's {@code RetentionResult}.
 *
 * @param overallRetention per period, the mean over cohorts weighted by cohort size, using only
 *     cohorts for which the period has fully elapsed (null where none has)
 * @param incomplete some cell of the answer is not complete yet
 * @param refreshInProgress true while a refresh is rewriting rows this answer reads (else absent)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RetentionResult(
        List<CohortRetention> cohorts,
        List<Double> overallRetention,
        String mode,
        boolean incomplete,
        Boolean refreshInProgress) {}
