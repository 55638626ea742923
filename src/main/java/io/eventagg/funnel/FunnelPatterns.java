package io.eventagg.funnel;

import java.time.Duration;
import org.apache.flink.cep.EventComparator;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;

/**
 * CEP patterns for a funnel. Pattern k matches an attempt that reaches step k: step 1, then steps
 * 2..k in order ({@code followedBy} for ordered funnels: other events may come between;
 * {@code next} for strict ones: the user's very next event), with no excluded event in a gap an
 * exclusion covers, all within the conversion window of the step-1 event. Every step-1 event
 * starts its own attempt (no skipping after a match). CEP only reports complete matches, so
 * "reached step k" needs its own pattern per k; that is also what makes the counts live.
 */
public final class FunnelPatterns {
    private FunnelPatterns() {}

    public static Pattern<FunnelEvent, FunnelEvent> reaching(CompiledFunnel funnel, int k) {
        FunnelDefinition f = funnel.definition();
        Pattern<FunnelEvent, FunnelEvent> p = Pattern.<FunnelEvent>begin(stepName(1), AfterMatchSkipStrategy.noSkip())
                .where(new StepCondition(0));
        for (int step = 2; step <= k; step++) {
            long excluded = f.strictOrder() ? 0 : funnel.exclusionsBefore(step);
            if (excluded != 0) {
                p = p.notFollowedBy("excluded-before-" + step).where(new ExclusionCondition(excluded));
            }
            p = f.strictOrder() ? p.next(stepName(step)) : p.followedBy(stepName(step));
            p = p.where(new StepCondition(step - 1));
        }
        // CEP drops a partial match once (ts - ts(step 1)) >= window; the funnel allows ts(k) - ts(1) <= window.
        return k == 1 ? p : p.within(Duration.ofMillis(f.conversionWindowMillis() + 1));
    }

    public static String stepName(int step) {
        return "step-" + step;
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

    static final class ExclusionCondition extends SimpleCondition<FunnelEvent> {
        private static final long serialVersionUID = 1L;
        private final long mask;

        ExclusionCondition(long mask) {
            this.mask = mask;
        }

        @Override
        public boolean filter(FunnelEvent e) {
            return (e.exclusionMask() & mask) != 0;
        }
    }
}
