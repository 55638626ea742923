package io.eventagg.retention;

import java.util.Arrays;

/**
 * One user's state for one retention definition, kept as a flat {@code long[]} so it costs a few
 * dozen bytes: the latest start (for the first-time horizon), the cohorts the user is in while
 * they can still change (one for first_time, several for recurring) with the first start in each
 * and the periods returned, and, per period bucket, the latest return event seen recently (within
 * the allowed lateness), which a late start event may still need.
 */
final class UserRetention {
    long lastStart = Long.MIN_VALUE;
    int cohorts;
    long[] cohortStart = new long[1];
    long[] firstStart = new long[1];
    long[] mask = new long[1];
    int recent;
    long[] recentBucket = new long[1];
    long[] recentMax = new long[1];

    static UserRetention of(long[] a) {
        UserRetention u = new UserRetention();
        if (a == null) return u;
        int i = 0;
        u.lastStart = a[i++];
        u.cohorts = (int) a[i++];
        u.cohortStart = new long[Math.max(1, u.cohorts)];
        u.firstStart = new long[Math.max(1, u.cohorts)];
        u.mask = new long[Math.max(1, u.cohorts)];
        for (int c = 0; c < u.cohorts; c++) {
            u.cohortStart[c] = a[i++];
            u.firstStart[c] = a[i++];
            u.mask[c] = a[i++];
        }
        u.recent = (int) a[i++];
        u.recentBucket = new long[Math.max(1, u.recent)];
        u.recentMax = new long[Math.max(1, u.recent)];
        for (int r = 0; r < u.recent; r++) {
            u.recentBucket[r] = a[i++];
            u.recentMax[r] = a[i++];
        }
        return u;
    }

    long[] toArray() {
        long[] a = new long[3 + 3 * cohorts + 2 * recent];
        int i = 0;
        a[i++] = lastStart;
        a[i++] = cohorts;
        for (int c = 0; c < cohorts; c++) {
            a[i++] = cohortStart[c];
            a[i++] = firstStart[c];
            a[i++] = mask[c];
        }
        a[i++] = recent;
        for (int r = 0; r < recent; r++) {
            a[i++] = recentBucket[r];
            a[i++] = recentMax[r];
        }
        return a;
    }

    boolean isEmpty() {
        return lastStart == Long.MIN_VALUE && cohorts == 0 && recent == 0;
    }

    int cohortIndex(long start) {
        for (int c = 0; c < cohorts; c++) if (cohortStart[c] == start) return c;
        return -1;
    }

    int addCohort(long start, long first, long m) {
        if (cohorts == cohortStart.length) {
            cohortStart = Arrays.copyOf(cohortStart, cohorts * 2);
            firstStart = Arrays.copyOf(firstStart, cohorts * 2);
            mask = Arrays.copyOf(mask, cohorts * 2);
        }
        cohortStart[cohorts] = start;
        firstStart[cohorts] = first;
        mask[cohorts] = m;
        return cohorts++;
    }

    void removeCohort(int c) {
        cohorts--;
        cohortStart[c] = cohortStart[cohorts];
        firstStart[c] = firstStart[cohorts];
        mask[c] = mask[cohorts];
    }

    /** Remembers a return; true when its bucket is new. */
    boolean noteReturn(long bucket, long ts) {
        for (int r = 0; r < recent; r++) {
            if (recentBucket[r] == bucket) {
                recentMax[r] = Math.max(recentMax[r], ts);
                return false;
            }
        }
        if (recent == recentBucket.length) {
            recentBucket = Arrays.copyOf(recentBucket, recent * 2);
            recentMax = Arrays.copyOf(recentMax, recent * 2);
        }
        recentBucket[recent] = bucket;
        recentMax[recent] = ts;
        recent++;
        return true;
    }

    /** Forgets returns no late start can still reach: those at or before {@code horizon}. */
    void pruneRecent(long horizon) {
        int w = 0;
        for (int r = 0; r < recent; r++) {
            if (recentMax[r] > horizon) {
                recentBucket[w] = recentBucket[r];
                recentMax[w] = recentMax[r];
                w++;
            }
        }
        recent = w;
    }
}
