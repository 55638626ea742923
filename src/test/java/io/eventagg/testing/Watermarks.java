package io.eventagg.testing;

import io.eventagg.ingest.Ingested;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * A watermark after every event (max timestamp - out-of-orderness - 1, like Flink's bounded
 * out-of-orderness generator, but not periodic), so which events are late is a function of the
 * input order alone and a test can compute it.
 */
public final class Watermarks {
    private Watermarks() {}

    public static WatermarkStrategy<Ingested> perEvent(Duration outOfOrderness) {
        return perEvent(outOfOrderness, false);
    }

    /**
     * Like {@link #perEvent}, but a dead letter marks its split idle (until the next event), so a
     * test can hold one source subtask idle for as long as it reads garbage.
     */
    public static WatermarkStrategy<Ingested> perEventIdleOnDeadLetters(Duration outOfOrderness) {
        return perEvent(outOfOrderness, true);
    }

    private static WatermarkStrategy<Ingested> perEvent(Duration outOfOrderness, boolean idleOnDeadLetters) {
        long ooo = outOfOrderness.toMillis();
        return WatermarkStrategy.<Ingested>forGenerator(ctx -> new WatermarkGenerator<>() {
                    private long max = Long.MIN_VALUE;

                    @Override
                    public void onEvent(Ingested r, long ts, WatermarkOutput out) {
                        if (r.event() == null) {
                            if (idleOnDeadLetters) out.markIdle();
                            return;
                        }
                        max = Math.max(max, ts);
                        out.emitWatermark(new Watermark(max - ooo - 1));
                    }

                    @Override
                    public void onPeriodicEmit(WatermarkOutput out) {}
                })
                .withTimestampAssigner(
                        (r, prev) -> r.event() != null ? r.event().timestamp() : Long.MIN_VALUE);
    }

    /** The events (in file order) the router does not find late under {@link #perEvent}: what counts. */
    public static List<RefEvent> onTimeUnderPerEvent(
            List<RefEvent> events, Duration outOfOrderness, Duration lateness) {
        boolean[] late = lateUnderPerEvent(events, outOfOrderness, lateness);
        List<RefEvent> onTime = new ArrayList<>();
        for (int i = 0; i < late.length; i++) if (!late[i]) onTime.add(events.get(i));
        return onTime;
    }

    /** Which events (in file order) the router finds late under {@link #perEvent}. */
    public static boolean[] lateUnderPerEvent(List<RefEvent> events, Duration outOfOrderness, Duration lateness) {
        boolean[] late = new boolean[events.size()];
        long max = Long.MIN_VALUE;
        for (int i = 0; i < events.size(); i++) {
            long ts = events.get(i).timestamp();
            if (max != Long.MIN_VALUE) {
                long watermark = max - outOfOrderness.toMillis() - 1;
                late[i] = ts <= watermark - lateness.toMillis();
            }
            max = Math.max(max, ts);
        }
        return late;
    }
}
