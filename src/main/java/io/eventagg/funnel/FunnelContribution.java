package io.eventagg.funnel;

/**
 * A user counted at a step for an entry day, with the times of their first attempt to reach it.
 *
 * @param entryDay start of the entry day (job time zone) of the attempt
 * @param fromPreviousMs time from the previous step, or -1 for step 1
 * @param fromStartMs time from step 1, or -1 for step 1
 */
public record FunnelContribution(
        int funnel, String environment, long entryDay, int step, long userHash, long fromPreviousMs, long fromStartMs) {

    public String windowKey() {
        return funnel + "\u001f" + environment;
    }
}
