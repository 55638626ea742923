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
        long next = (time.getCurrentProcessingTime() / intervalMs + 1) * intervalMs;
        time.registerTimer(next, t -> {
            action.onProcessingTime(t);
            every(time, intervalMs, action);
        });
    }
}
