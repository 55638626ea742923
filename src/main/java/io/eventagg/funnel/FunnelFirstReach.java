package io.eventagg.funnel;

import io.eventagg.sketch.Sketches;
import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per user: counts each (entry day, step) once, with the times of the attempt that reached the
 * step first (earliest step event; on a tie, the attempt that started last, the only one CEP still
 * holds then: see {@link FunnelFrontier}). CEP reports matches in event-time order, so once the
 * watermark passes a step event's timestamp no better attempt can come, and the contribution is
 * emitted. Entries are dropped once the entry day's conversion window has passed, so state is
 * bounded by the window.
 */
public final class FunnelFirstReach extends KeyedProcessFunction<String, FunnelReach, FunnelContribution> {
    private static final long serialVersionUID = 1L;
    private static final int STEP_BITS = 6;

    private final int funnel;
    private final BucketCalendar calendar;
    private final long windowMillis;
    private transient MapState<Long, long[]> best;

    /**
     * @param funnel the funnel's index in the job
     * @param windowMillis the funnel's conversion window
     */
    public FunnelFirstReach(int funnel, BucketCalendar calendar, long windowMillis) {
        this.funnel = funnel;
        this.calendar = calendar;
        this.windowMillis = windowMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        best = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>(
                        "first-reach", Types.LONG, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    public void processElement(FunnelReach r, Context ctx, Collector<FunnelContribution> out) throws Exception {
        long day = calendar.start(Granularity.DAY, r.entryTs());
        long key = (day << STEP_BITS) | r.step();
        long[] b = best.get(key);
        if (b != null && (b[3] == 1 || b[0] < r.stepTs() || (b[0] == r.stepTs() && b[1] >= r.entryTs()))) {
            return;
        }
        best.put(key, new long[] {r.stepTs(), r.entryTs(), r.previousTs(), 0});
        ctx.timerService().registerEventTimeTimer(r.stepTs());
        ctx.timerService().registerEventTimeTimer(cleanupTime(day));
    }

    private long cleanupTime(long day) {
        return calendar.end(Granularity.DAY, day) + windowMillis;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FunnelContribution> out) throws Exception {
        String key = ctx.getCurrentKey();
        int cut = key.indexOf('\u001f');
        String environment = key.substring(0, cut);
        long userHash = Sketches.idHash(key.substring(cut + 1));
        List<Map.Entry<Long, long[]>> emitted = new ArrayList<>();
        Iterator<Map.Entry<Long, long[]>> it = best.iterator();
        while (it.hasNext()) {
            Map.Entry<Long, long[]> e = it.next();
            long day = e.getKey() >> STEP_BITS;
            int step = (int) (e.getKey() & ((1 << STEP_BITS) - 1));
            long[] b = e.getValue();
            if (cleanupTime(day) <= timestamp) {
                if (b[3] == 0) emit(out, funnel, environment, day, step, userHash, b);
                it.remove();
            } else if (b[3] == 0 && b[0] <= timestamp) {
                emit(out, funnel, environment, day, step, userHash, b);
                emitted.add(Map.entry(e.getKey(), new long[] {b[0], b[1], b[2], 1}));
            }
        }
        for (Map.Entry<Long, long[]> e : emitted) best.put(e.getKey(), e.getValue());
        // An emptied map is still a state entry until cleared.
        if (best.isEmpty()) best.clear();
    }

    private static void emit(
            Collector<FunnelContribution> out,
            int funnel,
            String environment,
            long day,
            int step,
            long userHash,
            long[] b) {
        long fromPrevious = step == 1 ? -1 : b[0] - b[2];
        long fromStart = step == 1 ? -1 : b[0] - b[1];
        out.collect(new FunnelContribution(funnel, environment, day, step, userHash, fromPrevious, fromStart));
    }
}
