package io.eventagg.config;

import io.eventagg.time.Granularity;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code stickiness}: for which periods to count users by their number of active days, and which
 * events make a user active (all when empty). Off when the field is absent.
 */
public record StickinessSettings(List<Granularity> periods, List<String> events) implements Serializable {
    public static final StickinessSettings OFF = new StickinessSettings(List.of(), List.of());

    public boolean enabled() {
        return !periods.isEmpty();
    }

    static StickinessSettings parse(ConfigNode n) {
        if (n.isMissing()) return OFF;
        n.requireObject(Set.of("periods", "events"));
        List<Granularity> periods = new ArrayList<>();
        List<String> ids =
                n.get("periods").isMissing() ? List.of("week", "month") : n.list("periods", ConfigNode::asText);
        for (String id : ids) {
            Granularity g = Granularity.parse(id);
            if (g != Granularity.WEEK && g != Granularity.MONTH)
                throw new ConfigException(n.child("periods"), "'" + id + "' is not one of week, month");
            if (!periods.contains(g)) periods.add(g);
        }
        if (periods.isEmpty()) throw new ConfigException(n.child("periods"), "must not be empty (week, month)");
        return new StickinessSettings(List.copyOf(periods), List.copyOf(n.list("events", ConfigNode::asText)));
    }
}
