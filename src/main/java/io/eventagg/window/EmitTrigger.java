package io.eventagg.window;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.triggers.TriggerResult;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

/**
 * When a window emits its full value: while it changes, at most once per {@code emitInterval} of
 * processing time (ticks aligned to multiples of the interval, so all keys flush together and the
 * sink gets large batches); when the watermark passes its end; and once more, as the final row,
 * when the watermark passes its end plus the allowed lateness (just before Flink drops its state).
 * Late updates in between are emitted at the next tick. It never purges: every firing emits the
 * whole accumulated value.
 *
 * <p>With {@code emitIntervalMs = 0} (batch execution) only the final firing happens.
 */
public final class EmitTrigger extends Trigger<Object, TimeWindow> {
    private static final long serialVersionUID = 1L;

    private final long emitIntervalMs;
    private final long allowedLatenessMs;
    private final ValueStateDescriptor<Long> pendingTick = new ValueStateDescriptor<>("emit-tick", Types.LONG);
    private final ValueStateDescriptor<Boolean> dirty = new ValueStateDescriptor<>("emit-dirty", Types.BOOLEAN);

    public EmitTrigger(long emitIntervalMs, long allowedLatenessMs) {
        this.emitIntervalMs = emitIntervalMs;
        this.allowedLatenessMs = allowedLatenessMs;
    }

    @Override
    public TriggerResult onElement(Object element, long timestamp, TimeWindow window, TriggerContext ctx)
            throws Exception {
        ctx.getPartitionedState(dirty).update(true);
        ctx.registerEventTimeTimer(window.maxTimestamp());
        if (allowedLatenessMs > 0) ctx.registerEventTimeTimer(window.maxTimestamp() + allowedLatenessMs);
        if (emitIntervalMs > 0) {
            ValueState<Long> tick = ctx.getPartitionedState(pendingTick);
            if (tick.value() == null) {
                long next = (ctx.getCurrentProcessingTime() / emitIntervalMs + 1) * emitIntervalMs;
                ctx.registerProcessingTimeTimer(next);
                tick.update(next);
            }
        }
        return TriggerResult.CONTINUE;
    }

    @Override
    public TriggerResult onProcessingTime(long time, TimeWindow window, TriggerContext ctx) throws Exception {
        ctx.getPartitionedState(pendingTick).clear();
        return fireIfDirty(ctx);
    }

    @Override
    public TriggerResult onEventTime(long time, TimeWindow window, TriggerContext ctx) throws Exception {
        long closing = window.maxTimestamp() + allowedLatenessMs;
        if (time == closing) {
            // The final row is written even if nothing changed since the last one: it carries the
            // final flag.
            ctx.getPartitionedState(dirty).clear();
            return TriggerResult.FIRE;
        }
        if (time == window.maxTimestamp() && ctx.getCurrentWatermark() < closing) {
            return fireIfDirty(ctx);
        }
        return TriggerResult.CONTINUE;
    }

    private TriggerResult fireIfDirty(TriggerContext ctx) throws Exception {
        ValueState<Boolean> d = ctx.getPartitionedState(dirty);
        if (Boolean.TRUE.equals(d.value())) {
            d.clear();
            return TriggerResult.FIRE;
        }
        return TriggerResult.CONTINUE;
    }

    @Override
    public void clear(TimeWindow window, TriggerContext ctx) throws Exception {
        ctx.deleteEventTimeTimer(window.maxTimestamp());
        if (allowedLatenessMs > 0) ctx.deleteEventTimeTimer(window.maxTimestamp() + allowedLatenessMs);
        ValueState<Long> tick = ctx.getPartitionedState(pendingTick);
        if (tick.value() != null) ctx.deleteProcessingTimeTimer(tick.value());
        tick.clear();
        ctx.getPartitionedState(dirty).clear();
    }

    @Override
    public String toString() {
        return "EmitTrigger(every " + emitIntervalMs + "ms, lateness " + allowedLatenessMs + "ms)";
    }
}
