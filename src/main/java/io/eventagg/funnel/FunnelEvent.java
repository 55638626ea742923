package io.eventagg.funnel;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What the funnel operators see of an event: who, when, and which steps and exclusions of one
 * funnel it matches (filters are evaluated once, before the shuffle). Events leaving the {@link
 * FunnelGate} also carry their place among the user's events of the same millisecond and the
 * attempts CEP is to drop at this event.
 *
 * @param stepMask bit i set when the event matches step i+1
 * @param exclusionMask bit j set when the event matches exclusion j
 * @param order the gate's processing position (CEP orders equal timestamps by it); 0 before the gate
 * @param kills attempts that end at this event before it is matched, as triples (step reached, first
 *     and last-plus-one millisecond of the attempt's start): see {@link FunnelFrontier}; null for none
 */
@TypeInfo(FunnelEventSerializer.Factory.class)
public record FunnelEvent(
        String environment,
        String distinctId,
        long timestamp,
        String uuid,
        long stepMask,
        long exclusionMask,
        int order,
        long[] kills) {

    /** An event as projected from the input, before the gate. */
    public FunnelEvent(
            String environment, String distinctId, long timestamp, String uuid, long stepMask, long exclusionMask) {
        this(environment, distinctId, timestamp, uuid, stepMask, exclusionMask, 0, null);
    }

    /** The user key: funnels follow one user within one environment. */
    public String userKey() {
        return environment + "\u001f" + distinctId;
    }

    /** The lowest step this event matches (0-based), or 64 when it matches none. */
    public int firstStep() {
        return stepMask == 0 ? 64 : Long.numberOfTrailingZeros(stepMask);
    }

    /** The same event at a position of the gate's order, with the attempts it ends first. */
    FunnelEvent forwarded(int position, long[] killList) {
        return new FunnelEvent(environment, distinctId, timestamp, uuid, stepMask, exclusionMask, position, killList);
    }
}
