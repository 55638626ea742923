package io.eventagg.query;

import java.time.Instant;
import java.util.List;

/**
 * One cohort of a retention result (the spec's {@code CohortRetention}, plus counts).
 *
 * @param retention share of the cohort per period (1.0 for period 0); null where the period has
 *     not fully elapsed
 * @param users users per period (in period 0: those who also returned within it); null where not
 *     elapsed
 * @param complete whether each period has fully elapsed
 */
public record CohortRetention(
        Instant cohortDate, long cohortSize, List<Double> retention, List<Long> users, List<Boolean> complete) {}
