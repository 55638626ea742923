package io.eventagg.measure;

import io.eventagg.config.MeasureDefinition;
import io.eventagg.sink.RowVersion;
import io.eventagg.sketch.Sketches;
import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import io.eventagg.window.EmitTick;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per measure, environment and bucket: the samples folded into a {@link MeasureAccumulator},
 * written as full values at most once per emit interval while they change and finally when the
 * bucket's end plus the allowed lateness has passed (then the state is dropped).
 */
public final class MeasureBuckets extends KeyedProcessFunction<String, MeasureSample, MeasureRow> {
    private static final long serialVersionUID = 1L;

    private final List<MeasureDefinition> measures;
    private final List<Granularity> granularities;
    private final BucketCalendar calendar;
    private final long latenessMs;
    private final long emitIntervalMs;
    private final long generation;
    private transient ValueState<MeasureAccumulator> bucket;
    private transient ValueState<Long> pendingTick;

    public MeasureBuckets(
            List<MeasureDefinition> measures,
            List<Granularity> granularities,
            BucketCalendar calendar,
            long latenessMs,
            long emitIntervalMs,
            long generation) {
        this.measures = List.copyOf(measures);
        this.granularities = List.copyOf(granularities);
        this.calendar = calendar;
        this.latenessMs = latenessMs;
        this.emitIntervalMs = emitIntervalMs;
        this.generation = generation;
    }

    @Override
    public void open(OpenContext openContext) {
        bucket = getRuntimeContext()
                .getState(new ValueStateDescriptor<>("measure-bucket", MeasureAccumulator.typeInfo()));
        pendingTick = getRuntimeContext().getState(new ValueStateDescriptor<>("measure-emit-tick", Types.LONG));
    }

    @Override
    public void processElement(MeasureSample s, Context ctx, Collector<MeasureRow> out) throws Exception {
        MeasureAccumulator a = bucket.value();
        if (a == null) {
            a = new MeasureAccumulator();
            ctx.timerService().registerEventTimeTimer(closing(s.granularity(), s.bucketStart()));
        }
        a.add(s);
        bucket.update(a);
        EmitTick.ensure(pendingTick, ctx.timerService(), emitIntervalMs);
    }

    private long closing(int granularity, long start) {
        return calendar.end(granularities.get(granularity), start) - 1 + latenessMs;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<MeasureRow> out) throws Exception {
        MeasureAccumulator a = bucket.value();
        if (a == null) return;
        String[] key = ctx.getCurrentKey().split("\u001f", 4);
        int g = Integer.parseInt(key[1]);
        long start = Long.parseLong(key[2]);
        boolean isFinal = ctx.timeDomain() == TimeDomain.EVENT_TIME && timestamp >= closing(g, start);
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) EmitTick.fired(pendingTick);
        boolean any = a.values > 0;
        out.collect(new MeasureRow(
                measures.get(Integer.parseInt(key[0])).name(),
                key[3],
                granularities.get(g).id(),
                start,
                a.events,
                a.values,
                a.sum,
                any ? a.min : null,
                any ? a.max : null,
                a.nonNumeric,
                any ? Sketches.toBytes(a.quantiles) : null,
                isFinal,
                RowVersion.of(generation, a.events, isFinal)));
        if (isFinal) {
            bucket.clear();
            EmitTick.cancel(pendingTick, ctx.timerService());
        }
    }
}
