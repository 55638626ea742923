package io.eventagg.funnel;

/**
 * One attempt of one user reached a step.
 *
 * @param entryTs timestamp of the attempt's step-1 event
 * @param stepTs timestamp of the event that reached {@code step}
 * @param previousTs timestamp of the attempt's previous step (the entry for step 1)
 */
public record FunnelReach(
        int funnel, String environment, String distinctId, int step, long entryTs, long stepTs, long previousTs) {

    /** The same key as {@link FunnelEvent#userKey()}: reaches stay on the subtask of their user's events. */
    public String userKey() {
        return environment + "\u001f" + distinctId;
    }
}
