package io.eventagg.query;

import io.eventagg.time.Granularity;
import java.time.Instant;

/**
 * Stickiness of the periods ({@code week} or {@code month}) starting in {@code [from, to)}; all
 * environments together when {@code environment} is null.
 */
public record StickinessQuery(Granularity period, Instant from, Instant to, String environment) {}
