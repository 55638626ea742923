package io.eventagg.config;

import io.eventagg.filter.PropertyFilter;
import java.io.Serializable;
import java.util.List;
import java.util.Set;

/** One step of a funnel: an event name and property filters that must all hold. */
public record FunnelStep(String name, String event, List<PropertyFilter> filters) implements Serializable {

    static FunnelStep parse(ConfigNode n) {
        n.requireObject(Set.of("name", "event", "filters"));
        String event = n.requiredString("event");
        String name = n.string("name", event);
        try {
            return new FunnelStep(name, event, List.copyOf(n.list("filters", FilterParser::parse)));
        } catch (ConfigException e) {
            String problem = e.getMessage()
                    .substring(
                            e.field() == null || e.field().isEmpty()
                                    ? 0
                                    : e.field().length() + 2);
            throw new ConfigException(e.field(), problem + " (step '" + name + "')");
        }
    }
}
