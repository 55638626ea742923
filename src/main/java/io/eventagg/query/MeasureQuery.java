package io.eventagg.query;

import io.eventagg.time.Granularity;
import java.time.Instant;

/**
 * A numeric measure per bucket of {@code granularity} starting in {@code [from, to)}, all
 * environments together when {@code environment} is null.
 */
public record MeasureQuery(String measure, Instant from, Instant to, Granularity granularity, String environment) {}
