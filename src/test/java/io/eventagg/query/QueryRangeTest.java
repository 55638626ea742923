package io.eventagg.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventagg.query.QueryException.Parameter;
import io.eventagg.query.QueryException.Problem;
import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import java.time.Instant;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The one check of from/to that every reader uses, and the buckets a range holds. */
class QueryRangeTest {
    static final Instant DAY1 = Instant.parse("2024-01-01T00:00:00Z");
    static final Instant DAY2 = Instant.parse("2024-01-02T00:00:00Z");
    static final BucketCalendar UTC = BucketCalendar.of("UTC");

    static void assertRefused(ThrowingCallable call, Parameter parameter, Problem problem, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(QueryException.class, e -> {
            assertThat(e.parameter()).isEqualTo(parameter);
            assertThat(e.problem()).isEqualTo(problem);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void bothEndsAreRequired() {
        assertRefused(
                () -> new QueryRange(null, DAY2), Parameter.FROM, Problem.MISSING, "the range has no start (from)");
        assertRefused(() -> new QueryRange(DAY1, null), Parameter.TO, Problem.MISSING, "the range has no end (to)");
    }

    @Test
    void fromMustComeBeforeTo() {
        assertRefused(
                () -> new QueryRange(DAY2, DAY1),
                Parameter.FROM,
                Problem.EMPTY_RANGE,
                "the range is empty: from (2024-01-02T00:00:00Z) is not before to (2024-01-01T00:00:00Z)");
        assertRefused(
                () -> new QueryRange(DAY1, DAY1),
                Parameter.FROM,
                Problem.EMPTY_RANGE,
                "the range is empty: from (2024-01-01T00:00:00Z) is not before to (2024-01-01T00:00:00Z)");
        QueryRange r = new QueryRange(DAY1, DAY1.plusMillis(1));
        assertThat(r.toMillis() - r.fromMillis()).isEqualTo(1);
    }

    @Test
    void bucketsAreThoseStartingInTheRange() {
        Instant from = Instant.parse("2024-01-01T10:30:00Z"), to = Instant.parse("2024-01-01T13:00:00Z");
        assertThat(new QueryRange(from, to).bucketStarts(UTC, Granularity.HOUR))
                .as("not the bucket 10:00, which starts before from")
                .containsExactly(
                        Instant.parse("2024-01-01T11:00:00Z").toEpochMilli(),
                        Instant.parse("2024-01-01T12:00:00Z").toEpochMilli());
        assertThat(new QueryRange(from, to).bucketStarts(UTC, Granularity.DAY))
                .as("a range inside one bucket, after its start")
                .isEmpty();
        assertThat(new QueryRange(DAY1, DAY2).bucketStarts(UTC, Granularity.DAY))
                .containsExactly(DAY1.toEpochMilli());
    }

    @Test
    void tooManyBucketsAskForACoarserGranularity() {
        QueryRange threeYears = new QueryRange(DAY1, Instant.parse("2027-01-01T00:00:00Z"));
        assertRefused(
                () -> threeYears.bucketStarts(UTC, Granularity.MINUTE),
                Parameter.GRANULARITY,
                Problem.TOO_MANY_BUCKETS,
                "the range holds more than " + JdbcAggregationStorage.MAX_BUCKETS
                        + " minute buckets; use a coarser granularity");
        assertThat(threeYears.bucketStarts(UTC, Granularity.HOUR)).hasSize(3 * 365 * 24 + 24);
    }
}
