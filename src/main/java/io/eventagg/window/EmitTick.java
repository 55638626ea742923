package io.eventagg.window;

import java.io.IOException;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.TimerService;

/**
 * The one pending processing-time timer of a key whose full value is written at most once per
 * emit interval while it changes (counters of cohorts, stickiness periods, measure buckets): kept
 * in a {@code Long} value state so that a key has at most one, aligned to the interval.
 */
public final class EmitTick {
    private EmitTick() {}

    /** Sets the key's next tick unless one is pending (nothing when the interval is 0: batch). */
    public static void ensure(ValueState<Long> pending, TimerService timers, long intervalMs) throws IOException {
        if (intervalMs <= 0 || pending.value() != null) return;
        long next = (timers.currentProcessingTime() / intervalMs + 1) * intervalMs;
        timers.registerProcessingTimeTimer(next);
        pending.update(next);
    }

    /** Forgets the pending tick after it fired. */
    public static void fired(ValueState<Long> pending) {
        pending.clear();
    }

    /** Deletes the pending tick (the key's final value was written). */
    public static void cancel(ValueState<Long> pending, TimerService timers) throws IOException {
        Long tick = pending.value();
        if (tick != null) timers.deleteProcessingTimeTimer(tick);
        pending.clear();
    }
}
