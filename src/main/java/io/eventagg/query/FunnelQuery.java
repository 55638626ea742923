package io.eventagg.query;

import java.time.Instant;

/** A funnel over the entry days whose start lies in {@code [from, to)}; all environments when null. */
public record FunnelQuery(String funnel, Instant from, Instant to, String environment) {}
