package io.eventagg.ingest;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarksWithIdleness.IdlenessTimer;
import org.apache.flink.util.clock.RelativeClock;

/**
 * Source idleness that does not give up on a split with a backlog. Flink's idleness declares a
 * split idle after a silence measured in processing time, whatever the split still has to
 * deliver; during a catch-up (after an outage or restart, or a replay of history) a split can be
 * silent for a while although it is far behind (its broker is reconnecting, or the consumer is
 * serving other partitions), and once it is idle the watermark moves on without it and its events
 * arrive too late.
 *
 * <p>Here a silent split is declared idle only if that cannot make its events late: if its newest
 * event is within {@code behind} (out-of-orderness + allowed lateness) of the wall clock, then even
 * if the watermark jumps to the present without it, events at or after its newest one are still
 * within the allowed lateness. A split further behind keeps holding the watermark back while it is
 * silent. A split that has delivered nothing since the job (re)started may be an empty partition
 * or one still reconnecting after a restore; it is declared idle after the longer
 * {@code neverDelivered} silence. Once idle, a split stays idle until its next event, as in
 * Flink's own idleness.
 */
public final class CatchUpAwareIdleness<T> implements WatermarkGenerator<T> {
    private final WatermarkGenerator<T> watermarks;
    private final IdlenessTimer silence;
    private final IdlenessTimer silenceSinceStart;
    private final LongSupplier wallClockMs;
    private final long behindMs;
    private long newest = Long.MIN_VALUE;
    private boolean idle;

    public CatchUpAwareIdleness(
            WatermarkGenerator<T> watermarks,
            Duration idleness,
            RelativeClock activityClock,
            LongSupplier wallClockMs,
            Duration behind,
            Duration neverDelivered) {
        this.watermarks = watermarks;
        this.silence = new IdlenessTimer(activityClock, idleness);
        this.silenceSinceStart = new IdlenessTimer(activityClock, neverDelivered);
        this.wallClockMs = wallClockMs;
        this.behindMs = behind.toMillis();
    }

    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
        watermarks.onEvent(event, eventTimestamp, output);
        if (eventTimestamp > newest) newest = eventTimestamp;
        silence.activity();
        silenceSinceStart.activity();
        idle = false;
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        boolean silent = silence.checkIfIdle();
        boolean silentSinceStart = silenceSinceStart.checkIfIdle();
        if (silent && (idle || (newest == Long.MIN_VALUE ? silentSinceStart : harmlessToSkip()))) {
            if (!idle) {
                output.markIdle();
                idle = true;
            }
        } else {
            watermarks.onPeriodicEmit(output);
        }
    }

    private boolean harmlessToSkip() {
        return newest >= wallClockMs.getAsLong() - behindMs;
    }
}
