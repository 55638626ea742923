package io.eventagg.query;

import java.util.List;

/**
 * The spec's {@code RetentionResult}.
 *
 * @param overallRetention per period, the mean over cohorts weighted by cohort size, using only
 *     cohorts for which the period has fully elapsed (null where none has)
 * @param incomplete some cell of the answer is not complete yet
 */
public record RetentionResult(List<CohortRetention> cohorts, List<Double> overallRetention, String mode, boolean incomplete) {}
