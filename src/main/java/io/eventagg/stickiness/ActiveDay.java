package io.eventagg.stickiness;

/**
 * What stickiness needs of an event: who (a 64-bit hash of environment and user, the tracker's key:
 * a fixed-length key that batch execution sorts by its prefix) and when.
 */
public record ActiveDay(long userKey, String environment, long timestamp) {}
