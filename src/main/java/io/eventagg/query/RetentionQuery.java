package io.eventagg.query;

import java.time.Instant;

/**
 * Cohorts starting in {@code [from, to)}; {@code onOrAfter} chooses "returned in period k or later"
 * over "returned in period k"; all environments together when {@code environment} is null.
 */
public record RetentionQuery(String retention, Instant from, Instant to, boolean onOrAfter, String environment) {}
