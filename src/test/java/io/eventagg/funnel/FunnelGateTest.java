package io.eventagg.funnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.eventagg.config.JobLoader;
import io.eventagg.testing.HarnessBackend;
import io.eventagg.testing.RefEvent;
import io.eventagg.testing.RefFunnels;
import io.eventagg.testing.RefTimeSeries;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The gate and CEP together against the plain reference ({@link RefFunnels}, which follows every
 * attempt of every step-1 event), on random event sequences of one user built to produce many
 * overlapping attempts: repeated steps, equal timestamps, events matching two steps, exclusions,
 * strict order, windows spanning several entry days around a DST change. Streaming (events out of
 * order, watermarks at random points) and batch (sorted input) must both give, for every entry day
 * and step, the same reach and the same times; and the gate must keep its attempts within steps ×
 * entry days while passing on a fraction of the events. On the heap and on RocksDB (fewer random
 * users there: each harness opens a RocksDB instance).
 */
@ParameterizedClass
@EnumSource(HarnessBackend.class)
class FunnelGateTest {
    @Parameter
    HarnessBackend backend;

    private static final ZoneId ZONE = ZoneId.of("America/New_York");
    /** 2024-03-09 00:00 in New York: the DST change is on the 10th. */
    private static final long T0 = 1_709_960_400_000L;

    record Case(String name, CompiledFunnel compiled, RefFunnels.Funnel ref) {}

    static Predicate<RefEvent> is(String name) {
        return e -> e.event().equals(name);
    }

    static Case funnel(String name, String yaml, RefFunnels.Funnel ref) {
        var job = JobLoader.parse("name: t\ntimezone: America/New_York\nfunnels:\n" + yaml);
        return new Case(name, new CompiledFunnel(job.funnels().get(0), job.propertySelection()), ref);
    }

    static List<Case> cases() {
        return List.of(
                funnel(
                        "ordered with exclusion",
                        """
                          - name: f
                            conversion_window_seconds: 7200
                            steps: [{event: a}, {event: b}, {event: c}]
                            exclusions: [{event: x, after_step: 2, before_step: 3}]
                        """,
                        new RefFunnels.Funnel(
                                List.of(is("a"), is("b"), is("c")),
                                7_200_000L,
                                false,
                                List.of(new RefFunnels.Exclusion(is("x"), 2, 3)))),
                funnel(
                        "strict",
                        """
                          - name: f
                            conversion_window_seconds: 7200
                            strict_order: true
                            steps: [{event: a}, {event: b}, {event: c}]
                        """,
                        new RefFunnels.Funnel(List.of(is("a"), is("b"), is("c")), 7_200_000L, true, List.of())),
                funnel(
                        "one event in two steps",
                        """
                          - name: f
                            conversion_window_seconds: 10800
                            steps: [{event: a}, {event: a}, {event: b}]
                            exclusions: [{event: x, after_step: 1, before_step: 2}]
                        """,
                        new RefFunnels.Funnel(
                                List.of(is("a"), is("a"), is("b")),
                                10_800_000L,
                                false,
                                List.of(new RefFunnels.Exclusion(is("x"), 1, 2)))),
                funnel(
                        "several entry days open",
                        """
                          - name: f
                            conversion_window_seconds: 259200
                            steps: [{event: a}, {event: b}, {event: c}, {event: d}]
                            exclusions: [{event: x, after_step: 1, before_step: 3}]
                        """,
                        new RefFunnels.Funnel(
                                List.of(is("a"), is("b"), is("c"), is("d")),
                                259_200_000L,
                                false,
                                List.of(new RefFunnels.Exclusion(is("x"), 1, 3)))));
    }

    /** Random events of one user over about four days, with many ties and repeated steps. */
    static List<RefEvent> events(SplittableRandom r) {
        int n = 20 + r.nextInt(400);
        String[] types = {"a", "a", "a", "a", "b", "b", "c", "d", "x", "o", "o"};
        List<RefEvent> out = new ArrayList<>();
        long span = 4 * 86_400_000L;
        for (int i = 0; i < n; i++) {
            long ts = T0 + r.nextLong(span);
            if (r.nextInt(3) == 0) ts -= ts % 60_000; // whole minutes: many equal timestamps
            String uuid = r.nextInt(10) == 0 ? null : "u" + r.nextInt(n);
            out.add(new RefEvent(i, uuid, types[r.nextInt(types.length)], "user", ts, "production", null, Map.of()));
        }
        return out;
    }

    static FunnelEvent project(RefEvent e, RefFunnels.Funnel f) {
        long steps = 0;
        for (int i = 0; i < f.steps().size(); i++) if (f.steps().get(i).test(e)) steps |= 1L << i;
        long excl = 0;
        for (int j = 0; j < f.exclusions().size(); j++)
            if (f.exclusions().get(j).matches().test(e)) excl |= 1L << j;
        return new FunnelEvent(e.environment(), e.distinctId(), e.timestamp(), e.uuid(), steps, excl);
    }

    /** Streaming: arrival order perturbed by up to 30 minutes, watermarks wherever they may be. */
    Result streaming(Case c, List<RefEvent> events, SplittableRandom r) throws Exception {
        List<RefEvent> arrival = new ArrayList<>(events);
        Map<RefEvent, Long> arrives = new IdentityHashMap<>();
        for (RefEvent e : arrival) arrives.put(e, e.timestamp() + r.nextLong(30 * 60_000L));
        arrival.sort(Comparator.comparingLong(arrives::get));
        long[] suffixMin = new long[arrival.size() + 1];
        suffixMin[arrival.size()] = Long.MAX_VALUE;
        for (int i = arrival.size() - 1; i >= 0; i--)
            suffixMin[i] = Math.min(suffixMin[i + 1], arrival.get(i).timestamp());
        try (FunnelChain chain = FunnelChain.of(backend, c.compiled(), ZONE.getId(), false)) {
            int forwarded = 0;
            long watermark = Long.MIN_VALUE;
            for (int i = 0; i < arrival.size(); i++) {
                chain.processElement(project(arrival.get(i), c.ref()));
                if (r.nextInt(5) == 0 && suffixMin[i + 1] != Long.MAX_VALUE && suffixMin[i + 1] - 1 > watermark) {
                    watermark = suffixMin[i + 1] - 1;
                    forwarded += chain.processWatermark(watermark);
                }
            }
            forwarded += chain.processWatermark(Long.MAX_VALUE);
            return new Result(firstReaches(chain.reaches()), forwarded);
        }
    }

    /** Batch: the user's events sorted by time (equal timestamps in any order), then the end. */
    Result batch(Case c, List<RefEvent> events, SplittableRandom r) throws Exception {
        List<RefEvent> sorted = new ArrayList<>(events);
        Collections.shuffle(sorted, new Random(r.nextLong()));
        sorted.sort(Comparator.comparingLong(RefEvent::timestamp));
        try (FunnelChain chain = FunnelChain.of(backend, c.compiled(), ZONE.getId(), true)) {
            for (RefEvent e : sorted) chain.processElement(project(e, c.ref()));
            int forwarded = chain.processWatermark(Long.MAX_VALUE);
            return new Result(firstReaches(chain.reaches()), forwarded);
        }
    }

    record Result(Map<String, long[]> reaches, int forwarded) {}

    /** Per (entry day, step): the earliest reach, on a tie the latest start (FunnelFirstReach's rule). */
    static Map<String, long[]> firstReaches(List<FunnelReach> reaches) {
        Map<String, long[]> best = new TreeMap<>();
        for (FunnelReach r : reaches) {
            String key = RefTimeSeries.bucketStart("day", r.entryTs(), ZONE) + "/" + r.step();
            long[] b = best.get(key);
            if (b == null || r.stepTs() < b[0] || (r.stepTs() == b[0] && r.entryTs() >= b[1])) {
                best.put(key, new long[] {r.stepTs(), r.entryTs(), r.previousTs()});
            }
        }
        Map<String, long[]> times = new TreeMap<>();
        for (var e : best.entrySet()) {
            long[] b = e.getValue();
            times.put(e.getKey(), e.getKey().endsWith("/1") ? new long[0] : new long[] {b[0] - b[2], b[0] - b[1]});
        }
        return times;
    }

    static Map<String, long[]> expected(Case c, List<RefEvent> events) {
        Map<String, long[]> out = new TreeMap<>();
        for (var e : RefFunnels.compute(events, c.ref(), ZONE).entrySet()) {
            RefFunnels.Cell cell = e.getValue();
            long[] t = e.getKey().step() == 1
                    ? new long[0]
                    : new long[] {Math.round(cell.fromPrevious.get(0) * 1000), Math.round(cell.fromStart.get(0) * 1000)
                    };
            out.put(e.getKey().entryDay() + "/" + e.getKey().step(), t);
        }
        return out;
    }

    static Map<String, List<Long>> readable(Map<String, long[]> m) {
        Map<String, List<Long>> out = new TreeMap<>();
        for (var e : m.entrySet())
            out.put(e.getKey(), Arrays.stream(e.getValue()).boxed().toList());
        return out;
    }

    /**
     * One user's 8 hours: 1,500 pricing views (step 1) with a sign-up after every tenth and a purchase
     * after every hundredth. Without the gate CEP keeps an attempt per step-1 event for the whole
     * window and matches every event against all of them; behind the gate no event meets more
     * than steps × entry days of them, and most step-1 events never reach CEP.
     */
    @Test
    void cepWorkPerEventIsBoundedBehindTheGateOnly() throws Exception {
        // CEP's work per event depends on the gate, not on where state lives: the heap run shows it.
        assumeTrue(backend == HarnessBackend.HEAP);
        Case c = cases().get(3); // window of three days: up to four entry days, four steps
        List<RefEvent> user = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            long ts = T0 + i * 20_000L;
            user.add(new RefEvent(user.size(), "s" + i, "a", "heavy", ts, "production", null, Map.of()));
            if (i % 10 == 9)
                user.add(new RefEvent(user.size(), "b" + i, "b", "heavy", ts + 1, "production", null, Map.of()));
            if (i % 100 == 99)
                user.add(new RefEvent(user.size(), "c" + i, "c", "heavy", ts + 2, "production", null, Map.of()));
        }
        var gated = new InterceptingOperatorMetricGroup();
        FunnelChain chain = FunnelChain.of(backend, c.compiled(), ZONE.getId(), false, null, gated);
        for (RefEvent e : user) chain.processElement(project(e, c.ref()));
        int forwarded = chain.processWatermark(Long.MAX_VALUE);
        long behindGate = ((Number) ((Gauge<?>) gated.get("maxPartialMatchesPerEvent")).getValue()).longValue();
        assertThat(readable(firstReaches(chain.reaches()))).isEqualTo(readable(expected(c, user)));

        var alone = new InterceptingOperatorMetricGroup();
        var cepAlone = FunnelChain.cep(backend, c.compiled(), null, alone);
        int position = 0;
        for (RefEvent e : user) {
            FunnelEvent f = project(e, c.ref());
            cepAlone.processElement(f.forwarded(position++, null), e.timestamp());
        }
        cepAlone.processWatermark(new Watermark(Long.MAX_VALUE));
        long withoutGate = ((Number) ((Gauge<?>) alone.get("maxPartialMatchesPerEvent")).getValue()).longValue();

        assertThat(behindGate)
                .as("partial matches one event meets behind the gate: at most 4 entry days x 4 steps")
                .isBetween(1L, 16L);
        assertThat(withoutGate)
                .as("without the gate: an attempt per step-1 event in the window")
                .isGreaterThan(500L);
        assertThat(forwarded)
                .as("events the gate forwards (sign-ups and what they extend)")
                .isLessThan(user.size() / 4);
        chain.close();
        cepAlone.close();
    }

    @Test
    void streamingAndBatchEqualTheReferenceOnRandomUsers() throws Exception {
        int events = 0;
        Map<String, Integer> forwarded = new HashMap<>();
        for (Case c : cases()) forwarded.put(c.name(), 0);
        int users = backend == HarnessBackend.HEAP ? 120 : 12;
        for (int seed = 0; seed < users; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            List<RefEvent> user = events(r);
            events += user.size();
            for (Case c : cases()) {
                var expected = readable(expected(c, user));
                Result s = streaming(c, user, r.split());
                assertThat(readable(s.reaches()))
                        .as(c.name() + ", streaming, seed " + seed)
                        .isEqualTo(expected);
                Result b = batch(c, user, r.split());
                assertThat(readable(b.reaches()))
                        .as(c.name() + ", batch, seed " + seed)
                        .isEqualTo(expected);
                forwarded.merge(c.name(), b.forwarded(), Integer::sum);
            }
        }
        for (Case c : cases()) {
            assertThat(forwarded.get(c.name()))
                    .as(c.name() + ": the gate holds back events that cannot change an answer")
                    .isLessThan(events * 9 / 10);
        }
    }
}
