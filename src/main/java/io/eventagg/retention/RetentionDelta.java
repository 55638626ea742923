package io.eventagg.retention;

/**
 * A change to one user's place in a cohort: {@code sign = +1} adds the user with the periods in
 * {@code mask}, {@code -1} takes back an earlier addition. A user's move (an earlier start event
 * arrived late, or a new return period) is a retraction followed by an addition.
 *
 * @param mask bit k set when the user returned in period k
 */
public record RetentionDelta(int definition, String environment, long cohortStart, int sign, long mask) {

    public String cohortKey() {
        return definition + "\u001f" + environment + "\u001f" + cohortStart;
    }
}
