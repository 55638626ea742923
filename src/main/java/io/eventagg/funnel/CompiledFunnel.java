package io.eventagg.funnel;

import io.eventagg.config.FunnelDefinition;
import io.eventagg.config.FunnelExclusion;
import io.eventagg.filter.EventMatcher;
import io.eventagg.filter.PropertySelection;
import io.eventagg.ingest.Event;
import java.io.Serializable;

/** A funnel definition with its step and exclusion matchers bound to the job's property selection. */
public final class CompiledFunnel implements Serializable {
    private static final long serialVersionUID = 1L;

    private final FunnelDefinition definition;
    private final EventMatcher[] steps;
    private final EventMatcher[] exclusions;

    public CompiledFunnel(FunnelDefinition definition, PropertySelection selection) {
        this.definition = definition;
        this.steps = definition.steps().stream()
                .map(s -> new EventMatcher(s.event(), s.filters(), selection))
                .toArray(EventMatcher[]::new);
        this.exclusions = definition.exclusions().stream()
                .map(x -> new EventMatcher(x.event(), x.filters(), selection))
                .toArray(EventMatcher[]::new);
    }

    public FunnelDefinition definition() {
        return definition;
    }

    /** The funnel's view of an event, or null when the funnel does not need to see it. */
    public FunnelEvent project(Event e) {
        long steps = 0;
        for (int i = 0; i < this.steps.length; i++) {
            if (this.steps[i].matches(e.event(), e.propertyValues(), e.propertyKinds())) steps |= 1L << i;
        }
        long excl = 0;
        for (int j = 0; j < exclusions.length; j++) {
            if (exclusions[j].matches(e.event(), e.propertyValues(), e.propertyKinds())) excl |= 1L << j;
        }
        // A strict funnel must see every event of the user: any non-matching one ends an attempt.
        if (steps == 0 && excl == 0 && !definition.strictOrder()) return null;
        return new FunnelEvent(e.environment(), e.distinctId(), e.timestamp(), e.uuid(), steps, excl);
    }

    /** Exclusions that stop an attempt between step {@code step} and step {@code step + 1} (1-based), as a mask. */
    public long exclusionsBefore(int nextStep) {
        long mask = 0;
        for (int j = 0; j < definition.exclusions().size(); j++) {
            FunnelExclusion x = definition.exclusions().get(j);
            if (x.afterStep() < nextStep && nextStep <= x.beforeStep()) mask |= 1L << j;
        }
        return mask;
    }
}
