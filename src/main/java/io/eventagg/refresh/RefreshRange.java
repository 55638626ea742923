package io.eventagg.refresh;

import io.eventagg.config.FunnelDefinition;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.RetentionDefinition;
import io.eventagg.config.RetentionType;
import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import java.io.Serializable;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a refresh of {@code [from, to)} recomputes and what it must read for that.
 *
 * <ul>
 *   <li>Time series: per granularity, every bucket that overlaps the range (the range widened to
 *       whole buckets).
 *   <li>Funnels: every entry day whose results depend on events in the range — the days from
 *       {@code from - conversion window} to the day of {@code to}, whose attempts run until the
 *       end of that day plus the window.
 *   <li>Retention: every cohort whose periods overlap the range — from {@code periods + 1} periods
 *       before {@code from} to the period of {@code to}; first-time cohorts also need the start
 *       events of the horizon before them.
 * </ul>
 *
 * The read range is the union of what all of these need; rows outside each target range are never
 * written, so they stay untouched.
 */
public final class RefreshRange implements Serializable {
    private static final long serialVersionUID = 1L;

    /** A half-open range of instants (epoch ms). */
    public record Span(long from, long to) implements Serializable {
        public boolean contains(long t) {
            return t >= from && t < to;
        }

        Span union(Span o) {
            return new Span(Math.min(from, o.from), Math.max(to, o.to));
        }

        @Override
        public String toString() {
            return "[" + Instant.ofEpochMilli(from) + ", " + Instant.ofEpochMilli(to) + ")";
        }
    }

    private final long from;
    private final long to;
    private final EnumMap<Granularity, Span> buckets = new EnumMap<>(Granularity.class);
    private final Map<String, Span> entryDays = new LinkedHashMap<>();
    private final Map<String, Span> cohorts = new LinkedHashMap<>();
    private final EnumMap<Granularity, Span> stickiness = new EnumMap<>(Granularity.class);
    private final Span read;

    public RefreshRange(JobDefinition job, Instant from, Instant to) {
        if (!from.isBefore(to)) throw new IllegalArgumentException("from must be before to");
        this.from = from.toEpochMilli();
        this.to = to.toEpochMilli();
        BucketCalendar cal = job.calendar();
        long last = this.to - 1;
        Span read = new Span(this.from, this.to);
        for (Granularity g : job.granularities()) {
            Span s = new Span(cal.start(g, this.from), cal.end(g, cal.start(g, last)));
            buckets.put(g, s);
            read = read.union(s);
        }
        for (FunnelDefinition f : job.funnels()) {
            long w = f.conversionWindowMillis();
            long firstDay = cal.start(Granularity.DAY, this.from - w);
            long lastDayEnd = cal.end(Granularity.DAY, cal.start(Granularity.DAY, last));
            Span days = new Span(firstDay, lastDayEnd);
            entryDays.put(f.name(), days);
            read = read.union(new Span(firstDay, lastDayEnd + w + 1));
        }
        for (RetentionDefinition r : job.retention()) {
            Granularity p = r.cohortPeriod();
            long firstCohort = cal.start(p, this.from);
            // Step back period by period: a cohort whose last period still overlaps [from, to).
            for (int i = 0; i < r.periods(); i++) firstCohort = cal.start(p, firstCohort - 1);
            long lastCohortEnd = cal.end(p, cal.start(p, last));
            cohorts.put(r.name(), new Span(firstCohort, lastCohortEnd));
            long readFrom = r.type() == RetentionType.FIRST_TIME
                    ? firstCohort - r.firstTimeHorizon().toMillis()
                    : firstCohort;
            long readTo = cal.plus(p, cal.start(p, last), r.periods() + 1);
            read = read.union(new Span(readFrom, readTo));
        }
        for (Granularity g : job.stickiness().periods()) {
            Span s = new Span(cal.start(g, this.from), cal.end(g, cal.start(g, last)));
            stickiness.put(g, s);
            read = read.union(s);
        }
        this.read = read;
    }

    /** The stickiness periods of {@code g} the refresh rewrites (whole periods: a user's days span them). */
    public Span stickiness(Granularity g) {
        return stickiness.get(g);
    }

    public Map<Granularity, Span> allStickiness() {
        return Map.copyOf(stickiness);
    }

    public Instant from() {
        return Instant.ofEpochMilli(from);
    }

    public Instant to() {
        return Instant.ofEpochMilli(to);
    }

    /** The events a refresh has to read. */
    public Span read() {
        return read;
    }

    /** Buckets of a granularity that the refresh rewrites. */
    public Span buckets(Granularity g) {
        return buckets.get(g);
    }

    public Map<Granularity, Span> allBuckets() {
        return Map.copyOf(buckets);
    }

    /** Entry days of a funnel that the refresh rewrites. */
    public Span entryDays(String funnel) {
        return entryDays.get(funnel);
    }

    public Map<String, Span> allEntryDays() {
        return Map.copyOf(entryDays);
    }

    /** Cohort starts of a retention definition that the refresh rewrites. */
    public Span cohorts(String retention) {
        return cohorts.get(retention);
    }

    public Map<String, Span> allCohorts() {
        return Map.copyOf(cohorts);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("refresh " + new Span(from, to) + ", reads " + read);
        buckets.forEach(
                (g, s) -> sb.append("\n  ").append(g.id()).append(" buckets ").append(s));
        entryDays.forEach((f, s) ->
                sb.append("\n  funnel ").append(f).append(" entry days ").append(s));
        cohorts.forEach((r, s) ->
                sb.append("\n  retention ").append(r).append(" cohorts ").append(s));
        stickiness.forEach((g, s) ->
                sb.append("\n  stickiness ").append(g.id()).append(" periods ").append(s));
        return sb.toString();
    }
}
