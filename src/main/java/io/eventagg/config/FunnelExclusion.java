package io.eventagg.config;

import io.eventagg.filter.PropertyFilter;
import java.io.Serializable;
import java.util.List;
import java.util.Set;

/**
 * An event that, when it happens between step {@code afterStep} and step {@code beforeStep} (1-based)
 * of an attempt, stops that attempt at the step it had reached.
 */
public record FunnelExclusion(String event, List<PropertyFilter> filters, int afterStep, int beforeStep)
        implements Serializable {

    static FunnelExclusion parse(ConfigNode n, int steps) {
        n.requireObject(Set.of("event", "filters", "after_step", "before_step"));
        String event = n.requiredString("event");
        int after = n.intValue("after_step", 1, 1, steps);
        int before = n.intValue("before_step", steps, 1, steps);
        if (before <= after) {
            throw new ConfigException(n.child("before_step"), "must be greater than after_step (" + after + ")");
        }
        return new FunnelExclusion(event, List.copyOf(n.list("filters", FilterParser::parse)), after, before);
    }
}
