package io.eventagg.query;

import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The range {@code [from, to)} of a question, checked once here for every kind of answer: a
 * {@code QueryRange} always has both ends and holds something, so that all readers refuse the same
 * ranges with the same error.
 */
record QueryRange(Instant from, Instant to) {
    /** More buckets than this in one answer is almost certainly a mistake (a year of minutes is 525,600). */
    static final int MAX_BUCKETS = 1_100_000;

    QueryRange {
        if (from == null)
            throw new QueryException(
                    QueryException.Parameter.FROM, QueryException.Problem.MISSING, "the range has no start (from)");
        if (to == null)
            throw new QueryException(
                    QueryException.Parameter.TO, QueryException.Problem.MISSING, "the range has no end (to)");
        if (!from.isBefore(to)) {
            throw new QueryException(
                    QueryException.Parameter.FROM,
                    QueryException.Problem.EMPTY_RANGE,
                    "the range is empty: from (" + from + ") is not before to (" + to + ")");
        }
    }

    long fromMillis() {
        return from.toEpochMilli();
    }

    long toMillis() {
        return to.toEpochMilli();
    }

    /** Starts of the buckets of {@code g} whose start lies in the range, at most {@link #MAX_BUCKETS}. */
    List<Long> bucketStarts(BucketCalendar calendar, Granularity g) {
        List<Long> out = new ArrayList<>();
        long b = calendar.start(g, fromMillis());
        if (b < fromMillis()) b = calendar.end(g, b);
        while (b < toMillis()) {
            out.add(b);
            if (out.size() > MAX_BUCKETS) {
                throw new QueryException(
                        QueryException.Parameter.GRANULARITY,
                        QueryException.Problem.TOO_MANY_BUCKETS,
                        "the range holds more than " + MAX_BUCKETS + " " + g.id()
                                + " buckets; use a coarser granularity");
            }
            b = calendar.end(g, b);
        }
        return out;
    }
}
