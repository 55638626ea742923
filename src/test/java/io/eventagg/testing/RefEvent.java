package io.eventagg.testing;

import java.util.Map;

/**
 * An event as the tests' reference implementation reads it, independently of the project's parser.
 *
 * @param properties top-level property values: strings as-is, other JSON values as their JSON text
 */
public record RefEvent(
        int line,
        String uuid,
        String event,
        String distinctId,
        long timestamp,
        String environment,
        String sessionId,
        Map<String, String> properties) {}
