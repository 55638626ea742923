package io.eventagg.funnel;

import java.util.List;
import java.util.Map;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns a match of the funnel's pattern into a {@link FunnelReach}: the step its last element
 * reached, with the times of its first, previous and last steps. A match whose last element is an
 * exclusion (the attempt ended there, see {@link FunnelPatterns}) reaches nothing new.
 */
public final class FunnelMatch extends PatternProcessFunction<FunnelEvent, FunnelReach> {
    private static final long serialVersionUID = 1L;

    private final int funnel;
    private final CompiledFunnel compiled;

    public FunnelMatch(int funnel, CompiledFunnel compiled) {
        this.funnel = funnel;
        this.compiled = compiled;
    }

    @Override
    public void processMatch(Map<String, List<FunnelEvent>> match, Context ctx, Collector<FunnelReach> out) {
        FunnelEvent first = match.get(FunnelPatterns.FIRST).get(0);
        List<FunnelEvent> next = match.get(FunnelPatterns.NEXT);
        int k = next == null ? 0 : next.size();
        boolean strict = compiled.definition().strictOrder();
        if (k > 0 && FunnelPatterns.endsAttempt(compiled, strict, next.get(k - 1), k - 1)) return;
        FunnelEvent last = k == 0 ? first : next.get(k - 1);
        FunnelEvent previous = k <= 1 ? first : next.get(k - 2);
        out.collect(new FunnelReach(
                funnel,
                first.environment(),
                first.distinctId(),
                k + 1,
                first.timestamp(),
                last.timestamp(),
                previous.timestamp()));
    }
}
