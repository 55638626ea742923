package io.eventagg.window;

import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;

/**
 * An operator-wide processing-time tick at every multiple of an interval (aligned, so that every
 * subtask and operator of a job flushes at the same moments and the sinks get large batches).
 */
public final class AlignedTicks {
    private AlignedTicks() {}

    /** Calls {@code action} at the next multiple of {@code intervalMs}, and so on forever. */
    public static void every(ProcessingTimeService time, long intervalMs, ProcessingTimeCallback action) {
        ahead(time, intervalMs, 0, action);
    }

    /**
     * Calls {@code action} {@code leadMs} before every multiple of {@code intervalMs}: what feeds an
     * operator ticking at those multiples runs just before it (the combiner before the emission).
     */
    public static void ahead(ProcessingTimeService time, long intervalMs, long leadMs, ProcessingTimeCallback action) {
        long now = time.getCurrentProcessingTime();
        long next = ((now + leadMs) / intervalMs + 1) * intervalMs - leadMs;
        time.registerTimer(next, t -> {
            action.onProcessingTime(t);
            ahead(time, intervalMs, leadMs, action);
        });
    }
}
