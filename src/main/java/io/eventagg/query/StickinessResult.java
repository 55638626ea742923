package io.eventagg.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * Per period, how many users were active on exactly 1, 2, … of its days, and the same summed over
 * the periods (a user counts once per period).
 *
 * @param totalByDays per number of active days (index 0: one day), users summed over the periods
 * @param incomplete some period has not ended by the job's watermark (its numbers can still grow)
 * @param refreshInProgress true while a refresh is rewriting rows this answer reads (else absent)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StickinessResult(
        String period,
        List<Period> periods,
        List<Long> totalByDays,
        double averageDaysActive,
        boolean incomplete,
        Boolean refreshInProgress) {

    /**
     * @param usersByDays index 0: users active on exactly one of its days
     * @param activeUsers users active on at least one day
     * @param complete the period has ended by the job's watermark
     */
    public record Period(Instant periodStart, long activeUsers, List<Long> usersByDays, boolean complete) {}
}
