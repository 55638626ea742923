package io.eventagg.funnel;

import io.eventagg.config.FunnelDefinition;
import java.time.Duration;
import java.util.Comparator;
import java.util.Iterator;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.cep.EventComparator;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.apache.flink.cep.pattern.conditions.RichIterativeCondition;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.metrics.Counter;

/**
 * The CEP pattern of a funnel: one pattern whose matches are the attempts reaching each step. It
 * begins with a step-1 event (every one starts its own attempt: no skipping after a match), then
 * takes the following steps one at a time in a loop ({@code followedBy}: other events may come
 * between, each step is the first matching event after the previous one; {@code next} and
 * consecutive for strict funnels: the user's very next event), all within the conversion window
 * of the step-1 event. The loop is optional, and CEP reports a match each time it grows, so one
 * attempt yields "reached step 1", "reached step 2"… as they happen: live counts.
 *
 * <p>An excluded event in a gap an exclusion covers ends the attempt: the loop takes it as a last
 * element that no step may follow, and {@link FunnelMatch} drops the match it completes.
 *
 * <p>The {@link FunnelGate} in front names, on the events it forwards, attempts that end at that
 * event (dominated ones, ended ones, finished ones; see {@link FunnelFrontier}): for those both the
 * loop's condition and its {@code until} condition hold, so CEP neither takes the event nor keeps
 * waiting (an ignore edge is the negation of the condition), and the partial match is dropped.
 * That is what keeps CEP's partial matches per user within steps × entry days in a window.
 *
 * <p>This replaced one pattern (and one CEP operator, each buffering every funnel event) per step.
 */
public final class FunnelPatterns {
    /** The name of the step-1 element of a match. */
    public static final String FIRST = "step-1";
    /** The name of the elements for steps 2, 3… of a match, in order. */
    public static final String NEXT = "next-steps";

    private FunnelPatterns() {}

    public static Pattern<FunnelEvent, FunnelEvent> reaching(CompiledFunnel funnel) {
        FunnelDefinition f = funnel.definition();
        Pattern<FunnelEvent, FunnelEvent> p = Pattern.<FunnelEvent>begin(FIRST, AfterMatchSkipStrategy.noSkip())
                .where(new StepCondition(0));
        int steps = f.steps().size();
        if (steps == 1) return p;
        Killed killed = new Killed();
        Pattern<FunnelEvent, FunnelEvent> loop = (f.strictOrder() ? p.next(NEXT) : p.followedBy(NEXT))
                .where(new NextStepCondition(funnel, steps, f.strictOrder(), killed))
                .oneOrMore()
                .until(killed);
        if (f.strictOrder()) loop = loop.consecutive();
        // CEP drops a partial match once (ts - ts(step 1)) >= window; the funnel allows ts(k) - ts(1) <= window.
        return loop.optional().within(Duration.ofMillis(f.conversionWindowMillis() + 1));
    }

    /**
     * Whether the {@code index}-th element (0-based) of {@link #NEXT} ended its attempt: it matches an
     * exclusion covering the gap before step {@code index + 2} (an exclusion wins over a step).
     */
    static boolean endsAttempt(CompiledFunnel funnel, boolean strict, FunnelEvent e, int index) {
        return !strict && (e.exclusionMask() & funnel.exclusionsBefore(index + 2)) != 0;
    }

    /**
     * The order of a user's events at the same millisecond: by the lowest funnel step the event
     * matches (events matching none last), so a step-1 and a step-2 event at the same millisecond
     * convert, then by uuid (none last), then by what the event matches; events equal in all of
     * these are interchangeable for the funnel. The {@link FunnelGate} sorts by it.
     */
    public static Comparator<FunnelEvent> sameMillisecondOrder() {
        return (a, b) -> {
            int c = Integer.compare(a.firstStep(), b.firstStep());
            if (c != 0) return c;
            if (a.uuid() == null || b.uuid() == null) {
                c = a.uuid() == null ? (b.uuid() == null ? 0 : 1) : -1;
            } else {
                c = a.uuid().compareTo(b.uuid());
            }
            if (c != 0) return c;
            c = Long.compare(a.stepMask(), b.stepMask());
            return c != 0 ? c : Long.compare(a.exclusionMask(), b.exclusionMask());
        };
    }

    /** CEP's order of equal timestamps: the gate's (its position travels with each event). */
    public static EventComparator<FunnelEvent> comparator() {
        return (a, b) -> Integer.compare(a.order(), b.order());
    }

    static final class StepCondition extends SimpleCondition<FunnelEvent> {
        private static final long serialVersionUID = 1L;
        private final long bit;

        StepCondition(int stepIndex) {
            this.bit = 1L << stepIndex;
        }

        @Override
        public boolean filter(FunnelEvent e) {
            return (e.stepMask() & bit) != 0;
        }
    }

    /**
     * Takes the attempt's next step (step 2 after the first element, then 3…), or an exclusion that
     * ends the attempt; nothing after such an exclusion or after the last step.
     */
    static final class NextStepCondition extends IterativeCondition<FunnelEvent> {
        private static final long serialVersionUID = 1L;
        private final CompiledFunnel funnel;
        private final int steps;
        private final boolean strict;
        private final Killed killed;

        NextStepCondition(CompiledFunnel funnel, int steps, boolean strict, Killed killed) {
            this.funnel = funnel;
            this.steps = steps;
            this.strict = strict;
            this.killed = killed;
        }

        @Override
        public boolean filter(FunnelEvent e, Context<FunnelEvent> ctx) throws Exception {
            // True for an attempt the event kills, so that the ignore edge (its negation) fails too.
            if (killed.filter(e, ctx)) return true;
            // Most events a funnel sees are only step-1 events (e.g. page views of the pricing
            // page): they can extend no attempt, and reading the attempt's events back from CEP's
            // shared buffer (below) is the expensive part of this condition.
            if ((e.stepMask() & ~1L) == 0 && (strict || e.exclusionMask() == 0)) return false;
            int taken = 0;
            FunnelEvent last = null;
            for (FunnelEvent x : ctx.getEventsForPattern(NEXT)) {
                last = x;
                taken++;
            }
            if (last != null && endsAttempt(funnel, strict, last, taken - 1)) return false;
            int nextStep = taken + 2;
            if (nextStep > steps) return false;
            if (!strict && (e.exclusionMask() & funnel.exclusionsBefore(nextStep)) != 0) return true;
            return (e.stepMask() & (1L << (nextStep - 1))) != 0;
        }
    }

    /**
     * Whether the event ends the partial match before it is matched: the event's kill list names
     * the step it has reached and a range its start lies in (see {@link FunnelFrontier}). Only
     * events with kills read the partial match back from CEP's buffer.
     *
     * <p>It also measures CEP's work: every partial match is checked once per event (CEP builds a
     * new context for each), counted in {@code partialMatchChecks}; the gauge {@code
     * maxPartialMatchesPerEvent} is the most partial matches one event met (one user's open
     * attempts).
     */
    static final class Killed extends RichIterativeCondition<FunnelEvent> {
        private static final long serialVersionUID = 1L;
        private transient Counter checks;
        private transient Object lastContext;
        private transient FunnelEvent lastEvent;
        private transient long thisEvent;
        private transient long maxPerEvent;
        private transient boolean lastAnswer;

        @Override
        public void open(OpenContext openContext) throws Exception {
            super.open(openContext);
            if (checks == null) {
                checks = getRuntimeContext().getMetricGroup().counter("partialMatchChecks");
                getRuntimeContext().getMetricGroup().gauge("maxPartialMatchesPerEvent", () -> maxPerEvent);
            }
        }

        @Override
        public boolean filter(FunnelEvent e, Context<FunnelEvent> ctx) throws Exception {
            if (ctx == lastContext) return lastAnswer;
            lastContext = ctx;
            if (e != lastEvent) {
                lastEvent = e;
                thisEvent = 0;
            }
            thisEvent++;
            if (thisEvent > maxPerEvent) maxPerEvent = thisEvent;
            if (checks != null) checks.inc();
            lastAnswer = e.kills() != null && hits(e.kills(), ctx);
            return lastAnswer;
        }

        private static boolean hits(long[] kills, Context<FunnelEvent> ctx) throws Exception {
            Iterator<FunnelEvent> first = ctx.getEventsForPattern(FIRST).iterator();
            if (!first.hasNext()) return false;
            long start = first.next().timestamp();
            int level = 1;
            for (FunnelEvent ignored : ctx.getEventsForPattern(NEXT)) level++;
            for (int k = 0; k < kills.length; k += 3) {
                if (kills[k] == level && kills[k + 1] <= start && start < kills[k + 2]) return true;
            }
            return false;
        }
    }
}
