package io.eventagg.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobLoader;
import io.eventagg.sketch.Sketches;
import io.eventagg.testing.HarnessBackend;
import io.eventagg.testing.HarnessOutput;
import io.eventagg.time.BucketCalendar;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The funnel operators in Flink's keyed test harness: the gate and the CEP operator for "reached
 * step k" as the pipeline chains them, with ordered and strict contiguity, repeated step events,
 * dominated attempts, the window edge, equal timestamps, exclusions and state cleanup; and the
 * first-reach operator's choice of attempt and cleanup; on the heap and on RocksDB.
 */
@ParameterizedClass
@EnumSource(HarnessBackend.class)
class FunnelOperatorsTest {
    @Parameter
    HarnessBackend backend;

    private static final long WINDOW_MS = 100_000;

    private static CompiledFunnel funnel(boolean strict) {
        var job = JobLoader.parse("""
                name: t
                funnels:
                  - name: f
                    conversion_window_seconds: 100
                    strict_order: %s
                    steps: [{event: a}, {event: b}, {event: c}]
                    exclusions: [{event: x, after_step: 2, before_step: 3}]
                """.formatted(strict));
        return new CompiledFunnel(job.funnels().get(0), job.propertySelection());
    }

    /** The chain for one funnel (streaming); {@link #out} then reads the reaches of step {@code k} only. */
    private FunnelChain cep(boolean strict, int k) throws Exception {
        FunnelChain h = FunnelChain.of(backend, funnel(strict), "UTC", false);
        STEP.put(h, k);
        return h;
    }

    private static final Map<Object, Integer> STEP = new IdentityHashMap<>();

    /** A real instant: Flink CEP only arms its window timers for attempts starting after the epoch. */
    private static final long T0 = 1_709_251_200_000L;

    /** ts: milliseconds after T0; step: 1-based step matched (0 = none); x: matches the exclusion. */
    private static FunnelEvent ev(long ts, int step, boolean x, String uuid) {
        return new FunnelEvent("production", "u1", T0 + ts, uuid, step == 0 ? 0 : 1L << (step - 1), x ? 1 : 0);
    }

    private static long wm(long ts) {
        return T0 + ts;
    }

    private static void feed(FunnelChain h, FunnelEvent... events) throws Exception {
        for (FunnelEvent e : events) h.processElement(e);
    }

    private static List<FunnelReach> out(FunnelChain h) {
        return h.reaches().stream().filter(r -> r.step() == STEP.get(h)).toList();
    }

    private static List<FunnelReach> all(FunnelChain h) {
        return h.reaches();
    }

    @Test
    void oneOperatorReportsEveryStepOfAnAttemptAsItIsReached() throws Exception {
        var h = cep(false, 1);
        feed(h, ev(0, 1, false, "1"), ev(5, 0, false, "2"), ev(10, 2, false, "3"));
        h.processWatermark(wm(20));
        assertThat(all(h))
                .as("step 1 and step 2 so far")
                .extracting(FunnelReach::step, FunnelReach::stepTs, FunnelReach::previousTs)
                .containsExactly(Tuple.tuple(1, T0, T0), Tuple.tuple(2, T0 + 10, T0));
        h.cep.getOutput().clear();
        feed(h, ev(30, 3, false, "4"), ev(40, 3, false, "5"));
        h.processWatermark(wm(50));
        assertThat(all(h))
                .as("step 3 once: the first step-3 event after step 2")
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.step()).isEqualTo(3);
                    assertThat(r.stepTs()).isEqualTo(T0 + 30);
                    assertThat(r.previousTs()).isEqualTo(T0 + 10);
                    assertThat(r.entryTs()).isEqualTo(T0);
                });
        h.close();
    }

    @Test
    void orderedSkipsOtherEventsStrictDoesNot() throws Exception {
        var ordered = cep(false, 2);
        feed(ordered, ev(0, 1, false, "1"), ev(1, 0, false, "2"), ev(2, 2, false, "3"));
        ordered.processWatermark(wm(10));
        assertThat(out(ordered)).singleElement().satisfies(r -> {
            assertThat(r.entryTs()).isEqualTo(T0);
            assertThat(r.stepTs()).isEqualTo(T0 + 2);
        });
        ordered.close();

        var strict = cep(true, 2);
        feed(strict, ev(0, 1, false, "1"), ev(1, 0, false, "2"), ev(2, 2, false, "3"));
        strict.processWatermark(wm(10));
        assertThat(out(strict)).as("the very next event was not step 2").isEmpty();
        feed(strict, ev(20, 1, false, "4"), ev(21, 2, false, "5"));
        strict.processWatermark(wm(30));
        assertThat(out(strict)).extracting(FunnelReach::entryTs).containsExactly(T0 + 20);
        strict.close();
    }

    @Test
    void aLaterStartOfTheSameDayReplacesAnAttemptWaitingAtTheSameStep() throws Exception {
        var h = cep(false, 2);
        feed(h, ev(0, 1, false, "1"), ev(10, 1, false, "2"), ev(20, 2, false, "3"), ev(30, 2, false, "4"));
        h.processWatermark(wm(100));
        assertThat(out(h))
                .as("the attempt from 10 can reach everything the one from 0 can: only it goes on")
                .extracting(FunnelReach::entryTs, FunnelReach::stepTs)
                .containsExactly(Tuple.tuple(T0 + 10, T0 + 20));
        assertThat(h.forwarded)
                .as("the start at 0 was dominated before anything could extend it: CEP never saw it")
                .extracting(FunnelEvent::uuid)
                .containsExactly("2", "3");
        h.close();
    }

    @Test
    void theDominatedAttemptIsDroppedInsideCepWhenItWasAlreadyForwarded() throws Exception {
        var h = cep(false, 3);
        // The start at 0 reaches CEP in the first round; the one at 10 dominates it in the second.
        feed(h, ev(0, 1, false, "1"));
        h.processWatermark(wm(5));
        feed(h, ev(10, 1, false, "2"), ev(20, 2, false, "3"), ev(30, 3, false, "4"));
        h.processWatermark(wm(100));
        assertThat(out(h))
                .extracting(FunnelReach::entryTs, FunnelReach::previousTs)
                .containsExactly(Tuple.tuple(T0 + 10, T0 + 20));
        assertThat(h.forwarded.get(1).kills())
                .as("the start at 10 ends the attempt from 0 (step 1, same day)")
                .isNotNull();
        h.close();
    }

    @Test
    void stepExactlyAtTheWindowEdgeCountsOneMillisecondLaterDoesNot() throws Exception {
        var atEdge = cep(false, 2);
        feed(atEdge, ev(0, 1, false, "1"), ev(WINDOW_MS, 2, false, "2"));
        atEdge.processWatermark(wm(WINDOW_MS + 10));
        assertThat(out(atEdge)).hasSize(1);
        atEdge.close();

        var past = cep(false, 2);
        feed(past, ev(0, 1, false, "1"), ev(WINDOW_MS + 1, 2, false, "2"));
        past.processWatermark(wm(WINDOW_MS + 10));
        assertThat(out(past)).isEmpty();
        past.close();
    }

    @Test
    void equalTimestampsAreOrderedByStep() throws Exception {
        var h = cep(true, 3);
        // Arrival order c, b, a at one millisecond: the comparator restores a, b, c.
        feed(h, ev(5, 3, false, "z"), ev(5, 2, false, "y"), ev(5, 1, false, "x"));
        h.processWatermark(wm(10));
        assertThat(out(h)).singleElement().satisfies(r -> assertThat(r.step()).isEqualTo(3));
        h.close();
    }

    @Test
    void exclusionStopsTheAttemptAtTheStepBefore() throws Exception {
        var three = cep(false, 3);
        var two = cep(false, 2);
        for (var h : List.of(three, two)) {
            feed(h, ev(0, 1, false, "1"), ev(10, 2, false, "2"), ev(20, 0, true, "3"), ev(30, 3, false, "4"));
            h.processWatermark(wm(100));
        }
        assertThat(out(three)).as("cancel between steps 2 and 3").isEmpty();
        assertThat(out(two)).as("step 2 was reached before the cancel").hasSize(1);
        three.close();
        two.close();
    }

    /**
     * A savepoint from before the gate: CEP's state holds an attempt the (new, empty) gate never
     * saw. Until that attempt's window is over the gate forwards every event, so it still converts;
     * after it, events that change nothing are dropped again.
     */
    @Test
    void aSavepointTakenBeforeTheGateExistedStillConverts() throws Exception {
        CompiledFunnel f = funnel(false);
        var old = FunnelChain.cep(backend, f, null, new InterceptingOperatorMetricGroup());
        old.processElement(ev(0, 1, false, "1"), T0);
        old.processWatermark(new Watermark(wm(5)));
        var savepoint = old.snapshot(1, 1);
        old.close();

        FunnelChain h = FunnelChain.of(backend, f, "UTC", false, savepoint, new InterceptingOperatorMetricGroup());
        feed(h, ev(10, 2, false, "2"));
        h.processWatermark(wm(20));
        assertThat(all(h))
                .as("the attempt from before the upgrade reaches step 2")
                .extracting(FunnelReach::step, FunnelReach::entryTs)
                .containsExactly(Tuple.tuple(2, T0));
        feed(h, ev(WINDOW_MS + 100, 2, false, "3"));
        h.processWatermark(wm(WINDOW_MS + 200));
        assertThat(h.forwarded)
                .as("one window after the first watermark a step-2 event without attempt is dropped again")
                .extracting(FunnelEvent::uuid)
                .containsExactly("2");
        h.close();
    }

    @Test
    void stateIsClearedAfterTheWindow() throws Exception {
        var h = cep(false, 3);
        feed(h, ev(0, 1, false, "1"), ev(10, 2, false, "2"));
        h.processWatermark(wm(50));
        assertThat(h.stateEntries()).as("a partial match is alive").isPositive();
        h.processWatermark(wm(WINDOW_MS + 100));
        assertThat(out(h)).isEmpty();
        h.snapshot(1, 1); // CEP's shared buffer writes its cache through to state on checkpoints
        assertThat(h.stateEntries())
                .as("the expired attempt left nothing behind")
                .isZero();
        assertThat(h.numEventTimeTimers()).isZero();
        h.close();
    }

    @Test
    void firstReachKeepsTheEarliestReachLatestStartAndForgetsAfterTheWindow() throws Exception {
        BucketCalendar utc = BucketCalendar.of("UTC");
        var op = new KeyedProcessOperator<>(new FunnelFirstReach(0, utc, WINDOW_MS));
        var h = backend.on(new KeyedOneInputStreamOperatorTestHarness<>(op, FunnelReach::userKey, Types.STRING));
        h.open();
        long day = 86_400_000L * 10;
        // Two attempts reach step 2 with the same event; the one that started last gives the times.
        h.processElement(new FunnelReach(0, "p", "u1", 2, day + 500, day + 900, day + 800), day + 900);
        h.processElement(new FunnelReach(0, "p", "u1", 2, day + 100, day + 900, day + 600), day + 900);
        h.processElement(new FunnelReach(0, "p", "u1", 1, day + 100, day + 100, day + 100), day + 100);
        h.processWatermark(new Watermark(day + 900));
        List<FunnelContribution> c = HarnessOutput.values(h);
        assertThat(c).hasSize(2);
        FunnelContribution step2 =
                c.stream().filter(x -> x.step() == 2).findFirst().orElseThrow();
        assertThat(step2.fromStartMs()).isEqualTo(400);
        assertThat(step2.fromPreviousMs()).isEqualTo(100);
        assertThat(step2.entryDay()).isEqualTo(day);
        assertThat(step2.userHash()).isEqualTo(Sketches.idHash("u1"));
        assertThat(c.stream()
                        .filter(x -> x.step() == 1)
                        .findFirst()
                        .orElseThrow()
                        .fromStartMs())
                .isEqualTo(-1);

        h.getOutput().clear();
        h.processElement(new FunnelReach(0, "p", "u1", 2, day + 50, day + 2000, day + 1000), day + 2000);
        h.processWatermark(new Watermark(day + 3000));
        assertThat(HarnessOutput.<FunnelContribution>values(h))
                .as("the user already counts at step 2 for that day")
                .isEmpty();
        h.processWatermark(new Watermark(day + 86_400_000L + WINDOW_MS));
        assertThat(HarnessBackend.stateEntries(h, "first-reach"))
                .as("forgotten once the entry day's window has passed")
                .isZero();
        h.close();
    }
}
