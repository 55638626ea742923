package io.eventagg.funnel;

import java.time.Duration;
import org.apache.flink.cep.EventComparator;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;

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
        Pattern<FunnelEvent, FunnelEvent> loop = (f.strictOrder() ? p.next(NEXT) : p.followedBy(NEXT))
                .where(new NextStepCondition(funnel, steps, f.strictOrder()))
                .oneOrMore();
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
     * Equal timestamps: by the lowest funnel step the event matches (events matching none last),
     * then by uuid, so a step-1 and a step-2 event at the same millisecond convert.
     */
    public static EventComparator<FunnelEvent> comparator() {
        return (a, b) -> {
            int c = Integer.compare(a.firstStep(), b.firstStep());
            if (c != 0) return c;
            if (a.uuid() == null || b.uuid() == null) return a.uuid() == null ? (b.uuid() == null ? 0 : 1) : -1;
            return a.uuid().compareTo(b.uuid());
        };
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

        NextStepCondition(CompiledFunnel funnel, int steps, boolean strict) {
            this.funnel = funnel;
            this.steps = steps;
            this.strict = strict;
        }

        @Override
        public boolean filter(FunnelEvent e, Context<FunnelEvent> ctx) throws Exception {
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
}
