package io.eventagg.funnel;

import io.eventagg.config.FunnelDefinition;
import io.eventagg.sink.RowVersion;
import io.eventagg.sketch.Sketches;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Emits one row per step of the funnel for the entry day, each time the window fires. */
public final class FunnelWindowFunction
        extends ProcessWindowFunction<FunnelAccumulator, FunnelRow, String, TimeWindow> {
    private static final long serialVersionUID = 1L;

    private final FunnelDefinition funnel;
    private final long allowedLatenessMs;
    private final long generation;

    /** @param allowedLatenessMs the window's allowed lateness (the conversion window) */
    public FunnelWindowFunction(FunnelDefinition funnel, long allowedLatenessMs, long generation) {
        this.funnel = funnel;
        this.allowedLatenessMs = allowedLatenessMs;
        this.generation = generation;
    }

    @Override
    public void process(String key, Context ctx, Iterable<FunnelAccumulator> elements, Collector<FunnelRow> out) {
        FunnelAccumulator a = elements.iterator().next();
        if (a.funnel < 0) return;
        FunnelDefinition f = funnel;
        boolean isFinal = ctx.currentWatermark() >= ctx.window().maxTimestamp() + allowedLatenessMs;
        long version = RowVersion.of(generation, a.contributions, isFinal);
        for (int i = 0; i < f.steps().size(); i++) {
            out.collect(new FunnelRow(
                    f.name(),
                    a.environment,
                    ctx.window().getStart(),
                    i + 1,
                    f.steps().get(i).name(),
                    Sketches.estimate(a.users[i]),
                    Sketches.toBytes(a.users[i]),
                    a.previousCount[i],
                    a.previousSumMs[i] / 1000.0,
                    Sketches.toBytes(a.fromPrevious[i]),
                    a.startCount[i],
                    a.startSumMs[i] / 1000.0,
                    Sketches.toBytes(a.fromStart[i]),
                    isFinal,
                    version));
        }
    }
}
