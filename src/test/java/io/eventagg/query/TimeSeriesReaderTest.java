package io.eventagg.query;

import static io.eventagg.query.QueryRangeTest.DAY1;
import static io.eventagg.query.QueryRangeTest.DAY2;
import static io.eventagg.query.QueryRangeTest.assertRefused;
import static io.eventagg.query.ReaderFixture.JOB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventagg.query.QueryException.Parameter;
import io.eventagg.query.QueryException.Problem;
import io.eventagg.sink.SinkSettings;
import io.eventagg.testing.Tiers;
import io.eventagg.time.Granularity;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link TimeSeriesReader} refuses, in domain terms, and an answer over empty tables. */
@Tag(Tiers.SERVICES)
class TimeSeriesReaderTest {
    @TempDir
    static Path dir;

    static SinkSettings sink;
    static QueryDatabase db;

    @BeforeAll
    static void open() throws Exception {
        sink = ReaderFixture.database(dir);
        db = QueryDatabase.open(sink);
    }

    @AfterAll
    static void close() {
        if (db != null) db.close();
    }

    static TimeSeriesReader reader(RawEvents raw) {
        return new TimeSeriesReader(JOB, db, new RefreshCheck(db, JOB), raw, java.time.Clock.systemUTC());
    }

    static TimeSeriesQuery query(Instant from, Instant to, Granularity g, List<String> breakdown, String distinctId) {
        return new TimeSeriesQuery(List.of(), from, to, g, null, breakdown, distinctId);
    }

    @Test
    void refusesWhatTheJobDoesNotCompute() {
        assertRefused(
                () -> reader(null).read(query(DAY1, DAY2, null, List.of(), null)),
                Parameter.GRANULARITY,
                Problem.MISSING,
                "the granularity is missing");
        assertRefused(
                () -> reader(null).read(query(DAY1, DAY2, Granularity.MINUTE, List.of(), null)),
                Parameter.GRANULARITY,
                Problem.NOT_IN_JOB,
                "granularity 'minute' is not computed by job 'readers' (it has: hour, day)");
        assertRefused(
                () -> reader(null).read(query(DAY1, DAY2, Granularity.DAY, List.of("plan", "country"), null)),
                Parameter.BREAKDOWN,
                Problem.NOT_IN_JOB,
                "breakdown 'country' is not configured in job 'readers' (breakdowns: plan)");
    }

    @Test
    void refusesAnEmptyRangeAndTooManyBuckets() {
        assertRefused(
                () -> reader(null).read(query(DAY2, DAY1, Granularity.DAY, List.of(), null)),
                Parameter.FROM,
                Problem.EMPTY_RANGE,
                "the range is empty: from (2024-01-02T00:00:00Z) is not before to (2024-01-01T00:00:00Z)");
        assertRefused(
                () -> reader(null)
                        .read(query(DAY1, Instant.parse("2200-01-01T00:00:00Z"), Granularity.HOUR, List.of(), null)),
                Parameter.GRANULARITY,
                Problem.TOO_MANY_BUCKETS,
                "the range holds more than " + JdbcAggregationStorage.MAX_BUCKETS
                        + " hour buckets; use a coarser granularity");
    }

    @Test
    void refusesRollingWindowsThatAreNotDaily() {
        TimeSeriesQuery hourly =
                new TimeSeriesQuery(List.of(), DAY1, DAY2, Granularity.HOUR, null, List.of(), null, List.of(7), null);
        assertRefused(
                () -> reader(null).read(hourly),
                Parameter.ACTIVE_WINDOWS,
                Problem.INVALID,
                "rolling active users are counted for each day: ask with granularity day (not hour)");
        TimeSeriesQuery tooLong = new TimeSeriesQuery(
                List.of(), DAY1, DAY2, Granularity.DAY, null, List.of(), null, List.of(400, 7), null);
        assertRefused(
                () -> reader(null).read(tooLong),
                Parameter.ACTIVE_WINDOWS,
                Problem.INVALID,
                "a rolling window is 1 to 366 days long (asked: 400)");
    }

    @Test
    void anotherZoneNeedsBucketsThatAddUpToItsDays() {
        // The job has hours in UTC: India's days start at :30, so they need minutes.
        TimeSeriesQuery kolkata = new TimeSeriesQuery(
                List.of(), DAY1, DAY2, Granularity.DAY, null, List.of(), null, List.of(), ZoneId.of("Asia/Kolkata"));
        assertRefused(
                () -> reader(null).read(kolkata),
                Parameter.TIMEZONE,
                Problem.NOT_IN_JOB,
                "job 'readers' (UTC) has no buckets that add up to day buckets in Asia/Kolkata over this range:"
                        + " that needs minute buckets in the job's granularities (it has: hour, day)");
        TimeSeriesQuery newYork = new TimeSeriesQuery(
                List.of(),
                DAY1,
                DAY2,
                Granularity.DAY,
                null,
                List.of(),
                null,
                List.of(),
                ZoneId.of("America/New_York"));
        AggregationResult r = reader(null).read(newYork);
        assertThat(r.series())
                .extracting(TimeSeriesPoint::timestamp)
                .containsExactly(Instant.parse("2024-01-01T05:00:00Z"));
        assertThat(r.timezone()).isEqualTo("America/New_York");
    }

    @Test
    void oneUserNeedsTheRawEventsTable() {
        assertRefused(
                () -> reader(null).read(query(DAY1, DAY2, Granularity.DAY, List.of(), "u1")),
                Parameter.RAW_EVENTS_TABLE,
                Problem.MISSING,
                "no raw events table configured for per-user answers: pre-aggregated buckets hold sketches of users,"
                        + " which cannot answer for one user");
        RawEvents raw = new RawEvents(sink, "events");
        assertRefused(
                () -> reader(raw).read(query(DAY2, DAY1, Granularity.MINUTE, List.of(), "u1")),
                Parameter.FROM,
                Problem.EMPTY_RANGE,
                "the range is empty: from (2024-01-02T00:00:00Z) is not before to (2024-01-01T00:00:00Z)");
        assertRefused(
                () -> new RawEvents(sink, "events; DROP TABLE x"),
                Parameter.RAW_EVENTS_TABLE,
                Problem.INVALID,
                "'events; DROP TABLE x' is not a table name");
    }

    @Test
    void storageFailuresBlameNoParameter() {
        assertThatThrownBy(() -> reader(new RawEvents(sink, "events"))
                        .read(query(DAY1, DAY2, Granularity.HOUR, List.of(), "u1")))
                .isInstanceOfSatisfying(QueryException.class, e -> {
                    assertThat(e.parameter()).isNull();
                    assertThat(e.problem()).isEqualTo(Problem.STORAGE_FAILURE);
                    assertThat(e.getMessage()).startsWith("reading the raw events table events failed: ");
                });
    }

    @Test
    void emptyTablesAnswerZeroPoints() {
        AggregationResult r = reader(null).read(query(DAY1, DAY2, Granularity.HOUR, List.of("plan"), null));
        assertThat(r.series()).hasSize(24).allSatisfy(p -> assertThat(p.count()).isZero());
        assertThat(r.total()).isZero();
        assertThat(r.uniqueSessions()).as("all events").isZero();
        assertThat(r.breakdownTotals()).containsOnlyKeys("plan");
        assertThat(r.refreshInProgress()).isNull();
    }
}
