package io.eventagg.filter;

import java.io.Serializable;
import java.util.List;

/**
 * An event name plus property filters (all must hold): a funnel step, a funnel exclusion or a
 * retention start/return condition. Property values are looked up by their index in the job's
 * {@link PropertySelection}.
 */
public final class EventMatcher implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String event;
    private final PropertyFilter[] filters;
    private final int[] propertyIndexes;

    public EventMatcher(String event, List<PropertyFilter> filters, PropertySelection selection) {
        this.event = event;
        this.filters = filters.toArray(new PropertyFilter[0]);
        this.propertyIndexes = new int[this.filters.length];
        for (int i = 0; i < this.filters.length; i++) {
            propertyIndexes[i] = selection.indexOf(this.filters[i].property());
            if (propertyIndexes[i] < 0) {
                throw new IllegalStateException("property " + this.filters[i].property() + " is not selected");
            }
        }
    }

    public String event() {
        return event;
    }

    public boolean matches(String eventName, String[] values, byte[] kinds) {
        if (!event.equals(eventName)) return false;
        for (int i = 0; i < filters.length; i++) {
            int p = propertyIndexes[i];
            if (!filters[i].test(values[p], kinds[p])) return false;
        }
        return true;
    }
}
