package io.eventagg.retention;

/**
 * A change to one user's place in a cohort: {@code sign = +1} adds the user with the periods in
 * {@code mask}, {@code -1} takes back an earlier addition. A user's move (an earlier start event
 * arrived late, or a new return period) is a retraction followed by an addition.
 *
 * <p>Changes add up: a batch run sums them per cohort and mask before the cohort shuffle ({@link
 * CohortDeltaCombiner}), so {@code sign} is then the net number of users added with {@code mask}
 * and {@code updates} the number of single changes summed.
 *
 * @param sign users added with {@code mask} (negative: taken back)
 * @param mask bit k set when the user returned in period k
 * @param updates single changes this stands for (1 for one user's change)
 */
public record RetentionDelta(int definition, String environment, long cohortStart, int sign, long mask, int updates) {

    /** One user's change. */
    public RetentionDelta(int definition, String environment, long cohortStart, int sign, long mask) {
        this(definition, environment, cohortStart, sign, mask, 1);
    }

    public String cohortKey() {
        return definition + "\u001f" + environment + "\u001f" + cohortStart;
    }
}
