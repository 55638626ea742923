package io.eventagg.funnel;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What the funnel patterns see of an event: who, when, and which steps and exclusions of one funnel
 * it matches (filters are evaluated once, before the shuffle).
 *
 * @param stepMask bit i set when the event matches step i+1
 * @param exclusionMask bit j set when the event matches exclusion j
 */
@TypeInfo(FunnelEventSerializer.Factory.class)
public record FunnelEvent(
        String environment, String distinctId, long timestamp, String uuid, long stepMask, long exclusionMask) {

    /** The user key: funnels follow one user within one environment. */
    public String userKey() {
        return environment + "\u001f" + distinctId;
    }

    /** The lowest step this event matches (0-based), or 64 when it matches none. */
    public int firstStep() {
        return stepMask == 0 ? 64 : Long.numberOfTrailingZeros(stepMask);
    }
}
