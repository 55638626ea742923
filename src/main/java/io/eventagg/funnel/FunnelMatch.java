package io.eventagg.funnel;

import java.util.List;
import java.util.Map;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.util.Collector;

/** Turns a match of "reaching step k" into a {@link FunnelReach}. */
public final class FunnelMatch extends PatternProcessFunction<FunnelEvent, FunnelReach> {
    private static final long serialVersionUID = 1L;

    private final int funnel;
    private final int step;

    public FunnelMatch(int funnel, int step) {
        this.funnel = funnel;
        this.step = step;
    }

    @Override
    public void processMatch(Map<String, List<FunnelEvent>> match, Context ctx, Collector<FunnelReach> out) {
        FunnelEvent first = match.get(FunnelPatterns.stepName(1)).get(0);
        FunnelEvent last = match.get(FunnelPatterns.stepName(step)).get(0);
        FunnelEvent previous = step == 1 ? first : match.get(FunnelPatterns.stepName(step - 1)).get(0);
        out.collect(new FunnelReach(funnel, first.environment(), first.distinctId(), step, first.timestamp(), last.timestamp(),
                previous.timestamp()));
    }
}
