package io.eventagg.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.ManualClock;
import org.junit.jupiter.api.Test;

class CatchUpAwareIdlenessTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final Duration IDLENESS = Duration.ofSeconds(30);
    private static final Duration OOO = Duration.ofSeconds(10);
    private static final Duration BEHIND = Duration.ofHours(1);
    private static final Duration NEVER_DELIVERED = Duration.ofMinutes(5);

    /** Records what the generator tells its output: "idle", or the watermark's timestamp. */
    static final class Recorded implements WatermarkOutput {
        final List<String> calls = new ArrayList<>();

        @Override
        public void emitWatermark(Watermark w) {
            calls.add(Long.toString(w.getTimestamp()));
        }

        @Override
        public void markIdle() {
            calls.add("idle");
        }

        @Override
        public void markActive() {
            calls.add("active");
        }

        String last() {
            return calls.isEmpty() ? null : calls.get(calls.size() - 1);
        }
    }

    private final ManualClock activity = new ManualClock();
    private final AtomicLong wall = new AtomicLong(NOW);
    private final CatchUpAwareIdleness<String> generator = new CatchUpAwareIdleness<>(
            new BoundedOutOfOrdernessWatermarks<>(OOO), IDLENESS, activity, wall::get, BEHIND, NEVER_DELIVERED);
    private final Recorded out = new Recorded();

    /** Silence: periodic emits for {@code seconds} of activity-clock and wall-clock time. */
    private void silence(int seconds) {
        for (int s = 0; s < seconds; s++) {
            activity.advanceTime(1, TimeUnit.SECONDS);
            wall.addAndGet(1000);
            generator.onPeriodicEmit(out);
        }
    }

    @Test
    void aSplitCloseToTheWallClockGoesIdleAfterTheTimeout() {
        generator.onEvent("e", NOW - 5_000, out);
        silence(29);
        assertThat(out.calls).doesNotContain("idle").last().isEqualTo(Long.toString(NOW - 5_000 - 10_000 - 1));
        silence(5); // Flink's timer starts at the first silent probe, and the timeout must be exceeded
        assertThat(out.last()).isEqualTo("idle");
        assertThat(out.calls).containsOnlyOnce("idle");
    }

    @Test
    void aSplitThatNeverDeliveredGoesIdleOnlyAfterTheLongerTimeout() {
        silence(299);
        assertThat(out.calls).doesNotContain("idle");
        silence(3);
        assertThat(out.last()).isEqualTo("idle");
    }

    @Test
    void aSilentSplitFarBehindTheWallClockKeepsHoldingTheWatermark() {
        long old = NOW - Duration.ofDays(3).toMillis();
        generator.onEvent("e", old, out);
        silence(600);
        assertThat(out.calls).doesNotContain("idle");
        assertThat(out.last()).isEqualTo(Long.toString(old - 10_000 - 1));
    }

    @Test
    void theLimitIsOutOfOrdernessPlusLatenessBehindTheWallClockWhenTheSilenceEnds() {
        // 59 min behind when the 30 s timeout passes: still harmless to skip.
        generator.onEvent("e", NOW - Duration.ofMinutes(59).toMillis() + 32_000, out);
        silence(34);
        assertThat(out.last()).isEqualTo("idle");
        // Behind by more than an hour at the same moment: not idle.
        CatchUpAwareIdleness<String> behind = new CatchUpAwareIdleness<>(
                new BoundedOutOfOrdernessWatermarks<>(OOO), IDLENESS, activity, wall::get, BEHIND, NEVER_DELIVERED);
        Recorded out2 = new Recorded();
        behind.onEvent("e", wall.get() - Duration.ofMinutes(61).toMillis(), out2);
        for (int s = 0; s < 40; s++) {
            activity.advanceTime(1, TimeUnit.SECONDS);
            wall.addAndGet(1000);
            behind.onPeriodicEmit(out2);
        }
        assertThat(out2.calls).doesNotContain("idle");
    }

    @Test
    void anEventEndsIdlenessAndAnIdleSplitStaysIdleUntilThen() {
        generator.onEvent("e", NOW, out);
        silence(34);
        assertThat(out.last()).isEqualTo("idle");
        // Hours of further silence: it stays idle (no watermark, no second mark) although its
        // newest event is now far behind the wall clock.
        int before = out.calls.size();
        silence(7200);
        assertThat(out.calls).hasSize(before);
        generator.onEvent("e2", wall.get(), out);
        generator.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(Long.toString(wall.get() - 10_000 - 1));
    }
}
