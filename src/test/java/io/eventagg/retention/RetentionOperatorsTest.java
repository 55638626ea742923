package io.eventagg.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobLoader;
import io.eventagg.config.RetentionDefinition;
import io.eventagg.testing.HarnessBackend;
import io.eventagg.testing.HarnessOutput;
import io.eventagg.time.BucketCalendar;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The retention process functions in Flink's keyed test harness: first_time vs recurring, returns
 * before the start, returns in period 0, months of different lengths, a late start event that moves
 * the user to an earlier cohort, timers and state cleanup, and the cohort counter's full-value rows;
 * on the heap and on RocksDB.
 */
@ParameterizedClass
@EnumSource(HarnessBackend.class)
class RetentionOperatorsTest {
    @Parameter
    HarnessBackend backend;

    /** Entries of the tracker's state (every definition here is named "r"). */
    private static long tracked(KeyedOneInputStreamOperatorTestHarness<?, ?, ?> h) throws Exception {
        return HarnessBackend.stateEntries(h, "retention-r");
    }

    private static final BucketCalendar UTC = BucketCalendar.of("UTC");
    private static final long DAY = 86_400_000L;
    private static final long LATENESS = 10 * DAY;

    private static List<RetentionDefinition> defs(String period, String type, int periods) {
        return JobLoader.parse("""
                name: t
                retention:
                  - {name: r, start_event: s, return_event: b, cohort_period: %s, periods: %d, type: %s, first_time_horizon: 400d}
                """.formatted(period, periods, type)).retention();
    }

    private static long at(String date, int hour) {
        return LocalDate.parse(date).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() + hour * 3_600_000L;
    }

    private static RetentionEvent start(long ts) {
        return new RetentionEvent("p", "u1", ts, 1, 0);
    }

    private static RetentionEvent ret(long ts) {
        return new RetentionEvent("p", "u1", ts, 0, 1);
    }

    private KeyedOneInputStreamOperatorTestHarness<String, RetentionEvent, RetentionDelta> tracker(
            List<RetentionDefinition> defs) throws Exception {
        return tracker(defs, LATENESS, true);
    }

    private KeyedOneInputStreamOperatorTestHarness<String, RetentionEvent, RetentionDelta> tracker(
            List<RetentionDefinition> defs, long lateness, boolean fastReturns) throws Exception {
        RetentionTracker<String> t = new RetentionTracker<>(defs, UTC, lateness, false, fastReturns);
        var h = backend.on(new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(t), RetentionEvent::userKey, Types.STRING));
        h.open();
        return h;
    }

    /** Sums the deltas per (cohort, period bit) over all users: what the cohort counter would hold. */
    private static Map<String, Long> counts(
            KeyedOneInputStreamOperatorTestHarness<String, RetentionEvent, RetentionDelta> h) {
        Map<String, Long> out = new TreeMap<>();
        for (RetentionDelta d : HarnessOutput.<RetentionDelta>values(h)) {
            out.merge(d.definition() + "/" + d.cohortStart() + "/size", (long) d.sign(), Long::sum);
            for (int k = 0; k < 64; k++)
                if ((d.mask() & (1L << k)) != 0)
                    out.merge(d.definition() + "/" + d.cohortStart() + "/" + k, (long) d.sign(), Long::sum);
        }
        out.values().removeIf(v -> v == 0);
        return out;
    }

    /**
     * A user who starts thousands of times within the first-time horizon (a bot hitting the start
     * event) keeps one horizon timer, not one per start; it moves forward when it fires, and the
     * horizon still ends after the latest start.
     */
    @Test
    void manyStartsKeepOneHorizonTimer() throws Exception {
        var h = tracker(defs("day", "first_time", 3));
        long t0 = at("2024-03-01", 0);
        for (int i = 0; i < 10_000; i++) h.processElement(start(t0 + i * 60_000L), t0 + i * 60_000L);
        assertThat(h.numEventTimeTimers())
                .as("the cohort's expiry and one horizon timer")
                .isEqualTo(2);
        long latest = t0 + 9_999 * 60_000L;
        long horizonEnd = latest + 400 * DAY + LATENESS;
        h.processWatermark(new Watermark(t0 + 400 * DAY + LATENESS));
        assertThat(tracked(h))
                .as("the first horizon timer fired, but the latest start is more recent")
                .isEqualTo(1);
        assertThat(h.numEventTimeTimers())
                .as("moved to the latest start's horizon")
                .isEqualTo(1);
        h.processWatermark(new Watermark(horizonEnd - 1));
        assertThat(tracked(h)).isEqualTo(1);
        h.processWatermark(new Watermark(horizonEnd));
        assertThat(tracked(h)).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
        h.close();
    }

    /**
     * Batch: a recurring user starting every day for a year holds only the cohorts whose periods are
     * still open (timers fire only after the user's last event there), with the same counts.
     */
    @Test
    void sortedInputDropsFinishedCohortsAsTheUserGoes() throws Exception {
        List<RetentionDefinition> d = defs("day", "recurring", 7);
        RetentionTracker<String> batch = new RetentionTracker<>(d, UTC, 0, true);
        RetentionTracker<String> keepAll = new RetentionTracker<>(d, UTC, 0, false);
        var b = backend.on(new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(batch), RetentionEvent::userKey, Types.STRING));
        var k = backend.on(new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(keepAll), RetentionEvent::userKey, Types.STRING));
        b.open();
        k.open();
        long t0 = at("2024-01-01", 9);
        for (int day = 0; day < 365; day++) {
            long ts = t0 + day * DAY;
            for (var h : List.of(b, k)) {
                h.processElement(start(ts), ts);
                h.processElement(ret(ts + 3_600_000L), ts + 3_600_000L);
            }
        }
        assertThat(counts(b)).isNotEmpty().isEqualTo(counts(k));
        assertThat(stateLongs(b))
                .as("cohorts of the last 8 days: (3 + 3 x 8) longs")
                .isEqualTo(3 + 3 * 8);
        assertThat(stateLongs(k))
                .as("without timers firing, every cohort of the year")
                .isEqualTo(3 + 3 * 365);
        b.close();
        k.close();
    }

    /** Longs in user u1's state of definition r. */
    private static int stateLongs(KeyedOneInputStreamOperatorTestHarness<String, RetentionEvent, RetentionDelta> h)
            throws Exception {
        h.getOperator().setCurrentKey("p\u001fu1");
        ValueState<long[]> st = h.getOperator()
                .getKeyedStateStore()
                .getState(new ValueStateDescriptor<>(
                        "retention-r", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        return st.value().length;
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(longs = {0, 2 * DAY})
    void theFastPathForReturnsChangesNothingButSpeed(long lateness) throws Exception {
        List<RetentionDefinition> both = JobLoader.parse("""
                name: t
                retention:
                  - {name: w, start_event: s, return_event: b, cohort_period: week, periods: 4, type: first_time}
                  - {name: d, start_event: s, return_event: b, cohort_period: day, periods: 7, type: recurring}
                """).retention();
        Random r = new Random(lateness);
        var fast = tracker(both, lateness, true);
        var full = tracker(both, lateness, false);
        long t0 = at("2024-03-01", 0);
        long maxTs = t0;
        for (int i = 0; i < 6000; i++) {
            long ts = maxTs - (lateness == 0 ? 0 : (long) (r.nextDouble() * lateness * 0.9)) + r.nextInt(3_600_000);
            maxTs = Math.max(maxTs, ts);
            String user = "u" + r.nextInt(15);
            boolean isStart = r.nextInt(12) == 0;
            RetentionEvent e = new RetentionEvent(
                    "p", user, ts, isStart ? 3 : 0, isStart && r.nextBoolean() ? 3 : (isStart ? 0 : 3));
            for (var h : List.of(fast, full)) h.processElement(e, ts);
            if (lateness > 0 && i % 50 == 0) {
                for (var h : List.of(fast, full)) h.processWatermark(new Watermark(maxTs - lateness / 2));
            }
        }
        assertThat(counts(fast)).isNotEmpty().isEqualTo(counts(full));
        assertThat(fast.numEventTimeTimers()).isEqualTo(full.numEventTimeTimers());
        for (var h : List.of(fast, full)) h.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(counts(fast)).isEqualTo(counts(full));
        assertThat(tracked(fast)).isZero();
        assertThat(tracked(full)).isZero();
        fast.close();
        full.close();
    }

    /** Applies the emitted deltas like the cohort counter does: the user's current (cohort -> mask). */
    private static Map<Long, Long> placement(
            KeyedOneInputStreamOperatorTestHarness<String, RetentionEvent, RetentionDelta> h) {
        Map<Long, Long> sizes = new HashMap<>();
        Map<Long, Long> masks = new HashMap<>();
        for (RetentionDelta d : HarnessOutput.<RetentionDelta>values(h)) {
            sizes.merge(d.cohortStart(), (long) d.sign(), Long::sum);
            if (d.sign() > 0) masks.put(d.cohortStart(), d.mask());
        }
        Map<Long, Long> out = new HashMap<>();
        sizes.forEach((c, n) -> {
            assertThat(n).as("a user is in a cohort once or not at all").isBetween(0L, 1L);
            if (n == 1) out.put(c, masks.get(c));
        });
        return out;
    }

    private static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, RetentionEvent, RetentionDelta> h, RetentionEvent... es)
            throws Exception {
        for (RetentionEvent e : es) h.processElement(e, e.timestamp());
    }

    @Test
    void firstTimeKeepsTheFirstCohortRecurringJoinsEveryPeriodWithAStart() throws Exception {
        // Weeks: 2024-01-01 and 2024-01-15 are Mondays.
        RetentionEvent[] events = {
            start(at("2024-01-02", 10)),
            ret(at("2024-01-09", 10)),
            start(at("2024-01-16", 10)),
            ret(at("2024-01-23", 10))
        };
        var first = tracker(defs("week", "first_time", 4));
        feed(first, events);
        assertThat(placement(first)).isEqualTo(Map.of(at("2024-01-01", 0), 0b1010L));
        var recurring = tracker(defs("week", "recurring", 4));
        feed(recurring, events);
        assertThat(placement(recurring)).isEqualTo(Map.of(at("2024-01-01", 0), 0b1010L, at("2024-01-15", 0), 0b0010L));
        first.close();
        recurring.close();
    }

    @Test
    void returnsBeforeTheStartDoNotCountReturnsInPeriodZeroDo() throws Exception {
        var h = tracker(defs("day", "first_time", 3));
        feed(h, ret(at("2024-01-05", 8)), start(at("2024-01-05", 9)));
        assertThat(placement(h)).isEqualTo(Map.of(at("2024-01-05", 0), 0L));
        feed(h, ret(at("2024-01-05", 9)));
        assertThat(placement(h))
                .as("a return at the start's own time counts")
                .isEqualTo(Map.of(at("2024-01-05", 0), 1L));
        h.close();
    }

    @Test
    void monthPeriodsFollowTheCalendar() throws Exception {
        var h = tracker(defs("month", "first_time", 3));
        feed(
                h,
                start(at("2024-01-31", 23)),
                ret(at("2024-02-01", 0)),
                ret(at("2024-02-29", 12)),
                ret(at("2024-04-01", 0)));
        // January cohort: February is period 1 (29 days later it is still February), April is period 3.
        assertThat(placement(h)).isEqualTo(Map.of(at("2024-01-01", 0), 0b1010L));
        h.close();
    }

    @Test
    void aLateEarlierStartMovesTheUserToAnEarlierCohort() throws Exception {
        var h = tracker(defs("week", "first_time", 4));
        feed(h, ret(at("2024-01-10", 8)), start(at("2024-01-16", 10)), ret(at("2024-01-24", 10)));
        assertThat(placement(h)).isEqualTo(Map.of(at("2024-01-15", 0), 0b10L));
        // The signup of 2024-01-09 arrives late (within the allowed lateness).
        h.processWatermark(new Watermark(at("2024-01-12", 0)));
        feed(h, start(at("2024-01-09", 9)));
        // Cohort of Jan 8: the Jan 10 return (period 0, after the start) now counts, Jan 24 is period 2.
        assertThat(placement(h)).isEqualTo(Map.of(at("2024-01-08", 0), 0b101L));
        h.close();
    }

    @Test
    void stateIsDroppedAfterTheLastPeriodAndTheHorizon() throws Exception {
        var h = tracker(defs("day", "first_time", 2));
        feed(h, ret(at("2024-01-01", 1)), start(at("2024-01-01", 2)), ret(at("2024-01-02", 2)));
        assertThat(tracked(h)).isPositive();
        h.processWatermark(new Watermark(at("2024-01-04", 0) + LATENESS));
        assertThat(tracked(h)).as("the started-marker remains for the horizon").isEqualTo(1);
        long before = h.getOutput().size();
        h.processWatermark(new Watermark(at("2024-01-01", 2) + 400 * DAY + LATENESS));
        assertThat(tracked(h)).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
        assertThat(h.getOutput().size() - before).as("only the watermark").isEqualTo(1);

        var returnsOnly = tracker(defs("day", "first_time", 2));
        feed(returnsOnly, ret(at("2024-01-01", 1)));
        assertThat(tracked(returnsOnly))
                .as("remembered in case a late start arrives")
                .isEqualTo(1);
        returnsOnly.processWatermark(new Watermark(at("2024-01-02", 0) + LATENESS));
        assertThat(tracked(returnsOnly)).isZero();
        returnsOnly.close();
        h.close();
    }

    @Test
    void cohortCounterWritesFullValuesThenAFinalRowAndForgets() throws Exception {
        List<RetentionDefinition> defs = defs("day", "first_time", 2);
        var h = backend.on(new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new CohortCounter(defs, UTC, LATENESS, 1000, 0)),
                RetentionDelta::cohortKey,
                Types.STRING));
        h.open();
        h.setProcessingTime(0);
        long cohort = at("2024-01-01", 0);
        h.processElement(new RetentionDelta(0, "p", cohort, +1, 0b000), cohort);
        h.processElement(new RetentionDelta(0, "p", cohort, +1, 0b101), cohort);
        h.processElement(new RetentionDelta(0, "p", cohort, -1, 0b000), cohort);
        h.processElement(new RetentionDelta(0, "p", cohort, +1, 0b011), cohort);
        assertThat(rows(h)).isEmpty();
        h.setProcessingTime(1000);
        RetentionRow r = rows(h).get(0);
        assertThat(r.cohortSize()).isEqualTo(2);
        assertThat(r.on()).containsExactly(2, 1, 1);
        assertThat(r.onOrAfter()).containsExactly(2, 2, 1);
        assertThat(r.isFinal()).isFalse();
        h.getOutput().clear();
        h.processWatermark(new Watermark(at("2024-01-04", 0) + LATENESS));
        List<RetentionRow> fin = rows(h);
        assertThat(fin).singleElement().satisfies(x -> {
            assertThat(x.isFinal()).isTrue();
            assertThat(x.version()).isGreaterThan(r.version());
        });
        assertThat(HarnessBackend.stateEntries(h, "cohort-counts", "cohort-emit-tick"))
                .isZero();
        assertThat(h.numProcessingTimeTimers()).isZero();
        h.close();
    }

    private static List<RetentionRow> rows(
            KeyedOneInputStreamOperatorTestHarness<String, RetentionDelta, RetentionRow> h) {
        return HarnessOutput.values(h);
    }
}
