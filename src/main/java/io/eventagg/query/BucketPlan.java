package io.eventagg.query;

import io.eventagg.config.JobDefinition;
import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Which stored buckets answer a time-series question, and into which of the answer's buckets each
 * one falls. Usually they are the same buckets. Asked in another time zone, the answer's buckets
 * are that zone's, each the union of whole stored buckets: the coarsest of the job's granularities
 * whose every bucket boundary in the range is also a boundary of the answer's buckets (hours for a
 * zone whose offsets differ from the job's by whole hours, minutes otherwise). Rolling active users
 * need the days before the first one shown: they are read too, but not shown.
 *
 * @param granularity the answer's granularity
 * @param source the stored granularity read
 * @param target the answer's calendar (the query's zone)
 * @param starts the answer's bucket starts: the look-back days first, then the shown buckets
 * @param lookBack how many of {@code starts} are only read, not shown
 * @param read the stored buckets read: those starting in this range
 */
record BucketPlan(
        Granularity granularity,
        Granularity source,
        BucketCalendar target,
        List<Long> starts,
        int lookBack,
        QueryRange read) {

    static BucketPlan of(JobDefinition job, TimeSeriesQuery q, QueryRange range) {
        Granularity g = q.granularity();
        BucketCalendar jobCalendar = job.calendar();
        ZoneId zone = q.timezone() == null ? jobCalendar.zone() : q.timezone();
        BucketCalendar target = zone.equals(jobCalendar.zone()) ? jobCalendar : new BucketCalendar(zone);
        List<Long> shown = range.bucketStarts(target, g);
        int longest = q.activeWindows().isEmpty()
                ? 1
                : q.activeWindows().get(q.activeWindows().size() - 1);
        List<Long> starts = new ArrayList<>();
        if (!shown.isEmpty() && longest > 1) {
            long first = target.startOfDay(target.localDate(shown.get(0)).minusDays(longest - 1));
            for (long d = first; d < shown.get(0); d = target.end(g, d)) starts.add(d);
        }
        int lookBack = starts.size();
        starts.addAll(shown);
        if (starts.isEmpty()) return new BucketPlan(g, g, target, starts, 0, range);
        long end = target.end(g, starts.get(starts.size() - 1));
        QueryRange read = new QueryRange(Instant.ofEpochMilli(starts.get(0)), Instant.ofEpochMilli(end));
        if (target == jobCalendar) return new BucketPlan(g, g, target, starts, lookBack, read);
        for (Granularity s : coarsestFirst(g)) {
            if (job.granularities().contains(s) && aligned(jobCalendar, s, starts, end))
                return new BucketPlan(g, s, target, starts, lookBack, read);
        }
        throw new QueryException(
                QueryException.Parameter.TIMEZONE,
                QueryException.Problem.NOT_IN_JOB,
                "job '" + job.name() + "' (" + jobCalendar.zone() + ") has no buckets that add up to " + g.id()
                        + " buckets in " + zone + " over this range: that needs "
                        + (aligned(jobCalendar, Granularity.HOUR, starts, end) ? "hour" : "minute")
                        + " buckets in the job's granularities (it has: "
                        + String.join(
                                ", ",
                                job.granularities().stream()
                                        .map(Granularity::id)
                                        .toList())
                        + ")");
    }

    /** The start of the answer's bucket that a stored bucket starting at {@code sourceStart} falls into. */
    long targetOf(long sourceStart) {
        // Aligned buckets of the same granularity start together.
        return source == granularity ? sourceStart : target.start(granularity, sourceStart);
    }

    /** The granularities a {@code g} bucket can be made of, coarsest first ({@code g} itself included). */
    private static List<Granularity> coarsestFirst(Granularity g) {
        List<Granularity> out = new ArrayList<>();
        for (int i = Granularity.values().length - 1; i >= 0; i--) {
            Granularity s = Granularity.values()[i];
            if (s.nestsIn(g)) out.add(s);
        }
        return out;
    }

    /** Whether every boundary of the answer's buckets is a boundary of the stored {@code s} buckets. */
    private static boolean aligned(BucketCalendar stored, Granularity s, List<Long> starts, long end) {
        for (long b : starts) if (stored.start(s, b) != b) return false;
        return stored.start(s, end) == end;
    }
}
