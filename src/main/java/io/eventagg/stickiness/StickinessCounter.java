package io.eventagg.stickiness;

import io.eventagg.sink.RowVersion;
import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import io.eventagg.window.EmitTick;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per period: how many users were active on 1, 2, … of its days, from the users' deltas, written
 * as full values at most once per emit interval while they change and finally when the period plus
 * the allowed lateness has passed (then the state is dropped).
 */
public final class StickinessCounter extends KeyedProcessFunction<String, StickinessDelta, StickinessRow> {
    private static final long serialVersionUID = 1L;

    private final List<Granularity> periods;
    private final BucketCalendar calendar;
    private final long latenessMs;
    private final long emitIntervalMs;
    private final long generation;
    /** [updates, users on 1 day, on 2 days, … on 31 days] */
    private transient ValueState<long[]> counts;

    private transient ValueState<Long> pendingTick;

    public StickinessCounter(
            List<Granularity> periods, BucketCalendar calendar, long latenessMs, long emitIntervalMs, long generation) {
        this.periods = List.copyOf(periods);
        this.calendar = calendar;
        this.latenessMs = latenessMs;
        this.emitIntervalMs = emitIntervalMs;
        this.generation = generation;
    }

    @Override
    public void open(OpenContext openContext) {
        counts = getRuntimeContext()
                .getState(new ValueStateDescriptor<>(
                        "stickiness-counts", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        pendingTick = getRuntimeContext().getState(new ValueStateDescriptor<>("stickiness-emit-tick", Types.LONG));
    }

    @Override
    public void processElement(StickinessDelta d, Context ctx, Collector<StickinessRow> out) throws Exception {
        long[] c = counts.value();
        if (c == null) {
            c = new long[1 + 31];
            ctx.timerService().registerEventTimeTimer(closing(d.period(), d.periodStart()));
        }
        c[0]++;
        if (d.from() > 0) c[d.from()]--;
        c[d.to()]++;
        counts.update(c);
        EmitTick.ensure(pendingTick, ctx.timerService(), emitIntervalMs);
    }

    private long closing(int period, long start) {
        return calendar.end(periods.get(period), start) - 1 + latenessMs;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<StickinessRow> out) throws Exception {
        long[] c = counts.value();
        if (c == null) return;
        String[] key = ctx.getCurrentKey().split("\u001f", 3);
        int period = Integer.parseInt(key[0]);
        long start = Long.parseLong(key[2]);
        Granularity g = periods.get(period);
        boolean isFinal = ctx.timeDomain() == TimeDomain.EVENT_TIME && timestamp >= closing(period, start);
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) EmitTick.fired(pendingTick);
        int length = (int) calendar.bucketsBetween(Granularity.DAY, start, calendar.end(g, start));
        out.collect(new StickinessRow(
                key[1],
                g.id(),
                start,
                Arrays.copyOfRange(c, 1, 1 + length),
                isFinal,
                RowVersion.of(generation, c[0], isFinal)));
        if (isFinal) {
            counts.clear();
            EmitTick.cancel(pendingTick, ctx.timerService());
        }
    }
}
