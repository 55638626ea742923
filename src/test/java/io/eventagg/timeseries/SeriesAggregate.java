package io.eventagg.timeseries;

import org.apache.flink.api.common.functions.AggregateFunction;

/** Merges combiner partials into a window accumulator: lets {@code EmitTriggerTest} drive the trigger with time-series values. */
public final class SeriesAggregate implements AggregateFunction<SeriesPartial, SeriesAccumulator, SeriesAccumulator> {
    private static final long serialVersionUID = 1L;

    private final int lgK;
    private final int breakdownKeys;
    private final int cap;

    public SeriesAggregate(int lgK, int breakdownKeys, int cap) {
        this.lgK = lgK;
        this.breakdownKeys = breakdownKeys;
        this.cap = cap;
    }

    @Override
    public SeriesAccumulator createAccumulator() {
        return SeriesAccumulator.empty(lgK, breakdownKeys, cap);
    }

    @Override
    public SeriesAccumulator add(SeriesPartial value, SeriesAccumulator acc) {
        acc.add(value, lgK);
        return acc;
    }

    @Override
    public SeriesAccumulator getResult(SeriesAccumulator acc) {
        return acc;
    }

    @Override
    public SeriesAccumulator merge(SeriesAccumulator a, SeriesAccumulator b) {
        throw new UnsupportedOperationException("tumbling windows never merge");
    }
}
