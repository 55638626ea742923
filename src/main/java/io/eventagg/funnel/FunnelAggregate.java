package io.eventagg.funnel;

import org.apache.flink.api.common.functions.AggregateFunction;

/** Folds contributions into the entry day's accumulator. */
public final class FunnelAggregate
        implements AggregateFunction<FunnelContribution, FunnelAccumulator, FunnelAccumulator> {
    private static final long serialVersionUID = 1L;

    private final int maxSteps;
    private final int lgK;

    public FunnelAggregate(int maxSteps, int lgK) {
        this.maxSteps = maxSteps;
        this.lgK = lgK;
    }

    @Override
    public FunnelAccumulator createAccumulator() {
        return FunnelAccumulator.empty(maxSteps, lgK);
    }

    @Override
    public FunnelAccumulator add(FunnelContribution value, FunnelAccumulator acc) {
        acc.add(value);
        return acc;
    }

    @Override
    public FunnelAccumulator getResult(FunnelAccumulator acc) {
        return acc;
    }

    @Override
    public FunnelAccumulator merge(FunnelAccumulator a, FunnelAccumulator b) {
        a.merge(b);
        return a;
    }
}
