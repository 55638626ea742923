package io.eventagg.retention;

import io.eventagg.config.RetentionDefinition;
import io.eventagg.filter.EventMatcher;
import io.eventagg.filter.PropertySelection;
import io.eventagg.ingest.Event;
import java.io.Serializable;
import java.util.List;

/** All retention definitions of a job with their matchers bound to the property selection. */
public final class CompiledRetention implements Serializable {
    private static final long serialVersionUID = 1L;

    private final EventMatcher[] starts;
    private final EventMatcher[] returns;

    public CompiledRetention(List<RetentionDefinition> definitions, PropertySelection selection) {
        starts = definitions.stream()
                .map(d -> new EventMatcher(d.startEvent(), d.startFilters(), selection))
                .toArray(EventMatcher[]::new);
        returns = definitions.stream()
                .map(d -> new EventMatcher(d.returnEvent(), d.returnFilters(), selection))
                .toArray(EventMatcher[]::new);
    }

    /** The event as the tracker needs it, or null when no definition cares about it. */
    public RetentionEvent project(Event e) {
        long s = 0, r = 0;
        for (int i = 0; i < starts.length; i++) {
            if (starts[i].matches(e.event(), e.propertyValues(), e.propertyKinds())) s |= 1L << i;
            if (returns[i].matches(e.event(), e.propertyValues(), e.propertyKinds())) r |= 1L << i;
        }
        return s == 0 && r == 0 ? null : new RetentionEvent(e.environment(), e.distinctId(), e.timestamp(), s, r);
    }
}
