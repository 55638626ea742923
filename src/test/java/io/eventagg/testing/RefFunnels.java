package io.eventagg.testing;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A plain reference implementation of the funnel rules, written from the text: per
 * environment and user, events in (timestamp, matched step, uuid) order; every step-1 event starts
 * an attempt; ordered attempts skip other events, strict attempts need the very next event;
 * exclusions stop an attempt in the gaps they cover; the window bounds ts(k) - ts(1); a user counts
 * at step k for the entry day of any attempt that reached k, with the times of the attempt that
 * reached k first (ties: the later start, in event order).
 */
public final class RefFunnels {
    /** A funnel as the reference sees it. */
    public record Funnel(List<Predicate<RefEvent>> steps, long windowMs, boolean strict, List<Exclusion> exclusions) {}

    /** An exclusion between 1-based steps. */
    public record Exclusion(Predicate<RefEvent> matches, int afterStep, int beforeStep) {}

    public record Key(String environment, long entryDay, int step) {}

    /** Expected content of one (environment, entry day, step). */
    public static final class Cell {
        public final Set<String> users = new HashSet<>();
        public final List<Double> fromPrevious = new ArrayList<>();
        public final List<Double> fromStart = new ArrayList<>();
    }

    private RefFunnels() {}

    public static Map<Key, Cell> compute(List<RefEvent> events, Funnel f, ZoneId zone) {
        Map<String, List<RefEvent>> byUser = new HashMap<>();
        for (RefEvent e : events)
            byUser.computeIfAbsent(e.environment() + "\u0001" + e.distinctId(), k -> new ArrayList<>())
                    .add(e);
        Map<Key, Cell> out = new HashMap<>();
        for (List<RefEvent> userEvents : byUser.values()) {
            userEvents.sort(Comparator.comparingLong(RefEvent::timestamp)
                    .thenComparingInt(e -> firstStep(f, e))
                    .thenComparing(e -> e.uuid() == null ? "\uffff" : e.uuid()));
            // best[(day, step)] = {tsK, ts1, tsPrev}
            Map<Long, long[]> best = new HashMap<>();
            for (int i = 0; i < userEvents.size(); i++) {
                RefEvent start = userEvents.get(i);
                if (!f.steps().get(0).test(start)) continue;
                long day = RefTimeSeries.bucketStart("day", start.timestamp(), zone);
                long[] reached = new long[f.steps().size()];
                reached[0] = start.timestamp();
                offer(best, day, 1, start.timestamp(), start.timestamp(), start.timestamp());
                int step = 1; // steps reached so far
                for (int j = i + 1; j < userEvents.size() && step < f.steps().size(); j++) {
                    RefEvent e = userEvents.get(j);
                    if (e.timestamp() - start.timestamp() > f.windowMs()) break;
                    int next = step + 1;
                    if (!f.strict() && excluded(f, e, next)) break;
                    if (f.steps().get(next - 1).test(e)) {
                        reached[next - 1] = e.timestamp();
                        offer(best, day, next, e.timestamp(), start.timestamp(), reached[next - 2]);
                        step = next;
                    } else if (f.strict()) {
                        break;
                    }
                }
            }
            RefEvent any = userEvents.get(0);
            for (Map.Entry<Long, long[]> b : best.entrySet()) {
                long day = b.getKey() >> 6;
                int step = (int) (b.getKey() & 63);
                Cell c = out.computeIfAbsent(new Key(any.environment(), day, step), k -> new Cell());
                c.users.add(any.distinctId());
                if (step > 1) {
                    c.fromPrevious.add((b.getValue()[0] - b.getValue()[2]) / 1000.0);
                    c.fromStart.add((b.getValue()[0] - b.getValue()[1]) / 1000.0);
                }
            }
        }
        return out;
    }

    private static void offer(Map<Long, long[]> best, long day, int step, long tsK, long ts1, long tsPrev) {
        long key = (day << 6) | step;
        long[] b = best.get(key);
        if (b == null || tsK < b[0] || (tsK == b[0] && ts1 >= b[1])) best.put(key, new long[] {tsK, ts1, tsPrev});
    }

    private static boolean excluded(Funnel f, RefEvent e, int nextStep) {
        for (Exclusion x : f.exclusions()) {
            if (x.afterStep() < nextStep
                    && nextStep <= x.beforeStep()
                    && x.matches().test(e)) return true;
        }
        return false;
    }

    static int firstStep(Funnel f, RefEvent e) {
        for (int i = 0; i < f.steps().size(); i++) if (f.steps().get(i).test(e)) return i;
        return 64;
    }

    /** Highest step reached per user over the whole dataset (any attempt), for windowFunnel cross-checks. */
    public static Map<String, Integer> highestStep(List<RefEvent> events, Funnel f, ZoneId zone) {
        Map<String, Integer> top = new HashMap<>();
        for (Map.Entry<Key, Cell> e : compute(events, f, zone).entrySet()) {
            for (String u : e.getValue().users)
                top.merge(e.getKey().environment() + "\u0001" + u, e.getKey().step(), Math::max);
        }
        return top;
    }
}
