package io.eventagg.time;

import java.io.Serializable;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;

/**
 * Maps instants to the start and end of their calendar bucket in one IANA time zone.
 *
 * <p>A bucket is identified by the UTC instant (epoch milliseconds) of its local start. Day, week
 * (starting Monday 00:00 local) and month buckets follow the zone's calendar, so a DST day lasts
 * 23 or 25 hours and a month its real length. Minute and hour buckets are whole local minutes and
 * hours; for the fall-back hour that occurs twice, each occurrence is its own bucket, and an
 * offset change that is not on a local hour (Lord Howe's 30-minute DST, Chatham's changes at
 * 02:45) starts a shorter bucket. When a local midnight does not exist (a DST gap at 00:00) the
 * day starts at the first valid instant.
 *
 * <p>Minute buckets take a fast path (integer arithmetic) for instants after the zone's last
 * offset that was not a whole number of minutes (local mean time, before ~1970 in most zones).
 */
public final class BucketCalendar implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final long MINUTE_MS = 60_000L;

    private final ZoneId zone;
    /** From this instant on, every offset of the zone is a whole number of minutes. */
    private final long wholeMinutesSince;

    private transient ZoneRules rules;
    /** Per granularity, the bucket last found by {@link #start} (a cache; see there). */
    private transient Span[] spans;

    public BucketCalendar(ZoneId zone) {
        this.zone = zone;
        this.wholeMinutesSince = wholeMinutesSince(zone.getRules());
    }

    public static BucketCalendar of(String zoneId) {
        return new BucketCalendar(ZoneId.of(zoneId));
    }

    public ZoneId zone() {
        return zone;
    }

    /** The UTC instant (ms) at which the bucket containing {@code timestampMs} starts. */
    public long start(Granularity g, long timestampMs) {
        if (g == Granularity.MINUTE && timestampMs >= wholeMinutesSince) {
            return Math.floorDiv(timestampMs, MINUTE_MS) * MINUTE_MS;
        }
        // The last bucket found per granularity: consecutive instants mostly share it, and the
        // time-zone arithmetic below was a few per cent of the pipelines' time.
        Span[] spans = spans();
        Span last = spans[g.ordinal()];
        if (last != null && timestampMs >= last.start && timestampMs < last.end) return last.start;
        long start = computeStart(g, timestampMs);
        long end = end(g, start);
        if (timestampMs >= start && timestampMs < end) spans[g.ordinal()] = new Span(start, end);
        return start;
    }

    /** One bucket, [start, end); immutable, so threads sharing a calendar see whole ones. */
    private record Span(long start, long end) {}

    private Span[] spans() {
        Span[] s = spans;
        if (s == null) {
            s = new Span[Granularity.values().length];
            spans = s;
        }
        return s;
    }

    private long computeStart(Granularity g, long timestampMs) {
        ZonedDateTime t = Instant.ofEpochMilli(timestampMs).atZone(zone);
        return switch (g) {
            case MINUTE -> clockStart(t, ChronoUnit.MINUTES);
            case HOUR -> clockStart(t, ChronoUnit.HOURS);
            case DAY -> startOfDay(t.toLocalDate());
            case WEEK -> startOfDay(t.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)));
            case MONTH -> startOfDay(t.toLocalDate().withDayOfMonth(1));
        };
    }

    /** The UTC instant (ms, exclusive) at which the bucket starting at {@code bucketStart} ends. */
    public long end(Granularity g, long bucketStart) {
        if (g == Granularity.MINUTE && bucketStart >= wholeMinutesSince) {
            return bucketStart + MINUTE_MS;
        }
        Span[] spans = spans();
        Span last = spans[g.ordinal()];
        if (last != null && last.start == bucketStart) return last.end;
        ZonedDateTime s = Instant.ofEpochMilli(bucketStart).atZone(zone);
        return switch (g) {
            case MINUTE -> clockEnd(s, ChronoUnit.MINUTES);
            case HOUR -> clockEnd(s, ChronoUnit.HOURS);
            case DAY -> startOfDay(s.toLocalDate().plusDays(1));
            case WEEK -> startOfDay(s.toLocalDate().plusWeeks(1));
            case MONTH -> startOfDay(s.toLocalDate().withDayOfMonth(1).plusMonths(1));
        };
    }

    /**
     * Start of a minute or hour bucket: the local floor in the instant's current offset, unless
     * that offset only took effect after the floor (the instant follows a gap, or is in the second
     * occurrence of a fall-back hour); the bucket then starts at the offset change. So a bucket
     * never spans an offset change, and every offset change starts a bucket.
     */
    private long clockStart(ZonedDateTime t, ChronoUnit unit) {
        long floor =
                t.toLocalDateTime().truncatedTo(unit).toInstant(t.getOffset()).toEpochMilli();
        ZoneOffsetTransition prev = rules().previousTransition(t.toInstant().plusNanos(1));
        if (prev != null) {
            long at = prev.getInstant().toEpochMilli();
            if (floor < at) return at;
        }
        return floor;
    }

    /** End of a minute or hour bucket: the next local boundary in its offset, or an earlier offset change. */
    private long clockEnd(ZonedDateTime start, ChronoUnit unit) {
        long next = start.toLocalDateTime()
                .truncatedTo(unit)
                .plus(1, unit)
                .toInstant(start.getOffset())
                .toEpochMilli();
        ZoneOffsetTransition tr = rules().nextTransition(start.toInstant());
        if (tr != null) {
            long at = tr.getInstant().toEpochMilli();
            if (at < next) return at;
        }
        return next;
    }

    /** The start of the bucket {@code n} buckets after the one starting at {@code bucketStart}. */
    public long plus(Granularity g, long bucketStart, int n) {
        if (n < 0) throw new IllegalArgumentException("n must be >= 0");
        return switch (g) {
            case DAY -> startOfDay(localDate(bucketStart).plusDays(n));
            case WEEK -> startOfDay(localDate(bucketStart).plusWeeks(n));
            case MONTH -> startOfDay(localDate(bucketStart).plusMonths(n));
            default -> {
                long s = bucketStart;
                for (int i = 0; i < n; i++) s = end(g, s);
                yield s;
            }
        };
    }

    /**
     * Whole calendar buckets from the bucket of {@code fromStart} to the bucket of {@code toStart}
     * (both bucket starts); negative when {@code toStart} is earlier.
     */
    public long bucketsBetween(Granularity g, long fromStart, long toStart) {
        return switch (g) {
            case DAY -> ChronoUnit.DAYS.between(localDate(fromStart), localDate(toStart));
            case WEEK -> ChronoUnit.WEEKS.between(localDate(fromStart), localDate(toStart));
            case MONTH ->
                ChronoUnit.MONTHS.between(
                        localDate(fromStart).withDayOfMonth(1),
                        localDate(toStart).withDayOfMonth(1));
            case HOUR, MINUTE ->
                clockBucketsBetween(g == Granularity.HOUR ? 3_600_000L : MINUTE_MS, fromStart, toStart);
        };
    }

    /**
     * Minute and hour buckets are not all one unit long (an offset change by a fraction of the
     * unit, or off the unit boundary, leaves a shorter bucket), so count bucket starts: between
     * offset changes they are the local unit boundaries, and every offset change is one.
     */
    private long clockBucketsBetween(long unit, long fromStart, long toStart) {
        if (toStart < fromStart) return -clockBucketsBetween(unit, toStart, fromStart);
        long n = 0;
        long s = fromStart;
        while (s < toStart) {
            ZoneOffsetTransition tr = rules().nextTransition(Instant.ofEpochMilli(s));
            long change = tr == null ? Long.MAX_VALUE : tr.getInstant().toEpochMilli();
            long offset = rules().getOffset(Instant.ofEpochMilli(s)).getTotalSeconds() * 1000L;
            long stop = Math.min(change, toStart);
            // Local boundaries in (s, stop], then the offset change itself if it is not one.
            n += Math.floorDiv(stop + offset, unit) - Math.floorDiv(s + offset, unit);
            if (stop == change && Math.floorMod(change + offset, unit) != 0) n++;
            s = stop;
        }
        return n;
    }

    /** The local calendar date of an instant in this zone. */
    public LocalDate localDate(long timestampMs) {
        return Instant.ofEpochMilli(timestampMs).atZone(zone).toLocalDate();
    }

    /** The first instant of a local date (local midnight, or the end of a DST gap at midnight). */
    public long startOfDay(LocalDate date) {
        return date.atStartOfDay(zone).toInstant().toEpochMilli();
    }

    private ZoneRules rules() {
        if (rules == null) rules = zone.getRules();
        return rules;
    }

    private static long wholeMinutesSince(ZoneRules rules) {
        if (rules.isFixedOffset()) {
            return wholeMinutes(rules.getOffset(Instant.EPOCH)) ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        for (var r : rules.getTransitionRules()) {
            if (!wholeMinutes(r.getOffsetBefore()) || !wholeMinutes(r.getOffsetAfter())) {
                return Long.MAX_VALUE;
            }
        }
        long since = Long.MIN_VALUE;
        for (ZoneOffsetTransition t : rules.getTransitions()) {
            if (!wholeMinutes(t.getOffsetBefore()) || !wholeMinutes(t.getOffsetAfter())) {
                since = t.getInstant().toEpochMilli() + 1;
            }
        }
        // The transition that left a seconds-offset (e.g. local mean time) must itself be
        // outside the fast path, hence the instant after the last such transition.
        return since == Long.MIN_VALUE ? Long.MIN_VALUE : since + 86_400_000L;
    }

    private static boolean wholeMinutes(ZoneOffset o) {
        return o.getTotalSeconds() % 60 == 0;
    }
}
