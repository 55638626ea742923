package io.eventagg.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The router's late check, and that it survives a restore (Flink does not checkpoint watermarks). */
class IngestRouterTest {
    private static final long LATENESS = 3_600_000L;
    private static final long W = 1_705_300_000_000L;

    private static Ingested event(String user, long ts) {
        return Ingested.of(
                new Event(null, "pageview", user, ts, "production", null, null, new String[0], new byte[0], "t", 0, 1));
    }

    private static OneInputStreamOperatorTestHarness<Ingested, Event> harness(OperatorSubtaskState restore)
            throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new IngestRouter(LATENESS));
        if (restore != null) h.initializeState(restore);
        h.open();
        return h;
    }

    private static List<String> aggregated(OneInputStreamOperatorTestHarness<Ingested, Event> h) {
        return h.extractOutputValues().stream().map(Event::distinctId).toList();
    }

    private static List<String> late(OneInputStreamOperatorTestHarness<Ingested, Event> h) {
        ConcurrentLinkedQueue<StreamRecord<LateEvent>> q = h.getSideOutput(IngestRouter.LATE_EVENTS);
        return q == null
                ? List.of()
                : q.stream().map(r -> r.getValue().event().distinctId()).toList();
    }

    private static OperatorSubtaskState snapshotAfterWatermark(long watermark) throws Exception {
        try (var h = harness(null)) {
            h.processWatermark(new Watermark(watermark));
            return h.snapshot(1, 1);
        }
    }

    @Test
    void eventsAtOrBeforeWatermarkMinusLatenessAreLate() throws Exception {
        try (var h = harness(null)) {
            h.processElement(event("before-any-watermark", 0), 0);
            h.processWatermark(new Watermark(W));
            h.processElement(event("at-limit", W - LATENESS), W - LATENESS);
            h.processElement(event("after-limit", W - LATENESS + 1), W - LATENESS + 1);
            assertThat(aggregated(h)).containsExactly("before-any-watermark", "after-limit");
            assertThat(late(h)).containsExactly("at-limit");
            assertThat(h.getSideOutput(IngestRouter.LATE_EVENTS)
                            .peek()
                            .getValue()
                            .watermark())
                    .isEqualTo(W);
        }
    }

    @Test
    void afterARestoreLatenessIsJudgedAgainstTheCheckpointsWatermark() throws Exception {
        OperatorSubtaskState state = snapshotAfterWatermark(W);
        try (var h = harness(state)) {
            // No watermark yet after the restore: still late against the checkpoint's.
            h.processElement(event("behind", W - LATENESS - 1), W - LATENESS - 1);
            h.processElement(event("on-time", W - LATENESS + 1), W - LATENESS + 1);
            // A lower watermark after the restore does not lower the limit; a higher one raises it.
            h.processWatermark(new Watermark(W - 10 * LATENESS));
            h.processElement(event("still-behind", W - 2 * LATENESS), W - 2 * LATENESS);
            h.processWatermark(new Watermark(W + LATENESS));
            h.processElement(event("behind-the-new-one", W), W);
            assertThat(aggregated(h)).containsExactly("on-time");
            assertThat(late(h)).containsExactly("behind", "still-behind", "behind-the-new-one");
        }
        try (var fresh = harness(null)) {
            fresh.processElement(event("behind", W - LATENESS - 1), W - LATENESS - 1);
            assertThat(aggregated(fresh))
                    .as("without the restored state the same event would pass")
                    .containsExactly("behind");
        }
    }

    @Test
    void theRestoredWatermarkIsCarriedIntoTheNextCheckpoint() throws Exception {
        OperatorSubtaskState second;
        try (var h = harness(snapshotAfterWatermark(W))) {
            second = h.snapshot(2, 2); // no watermark in this attempt at all
        }
        try (var h = harness(second)) {
            h.processElement(event("behind", W - LATENESS - 1), W - LATENESS - 1);
            assertThat(late(h)).containsExactly("behind");
        }
    }

    @Test
    void onRescalingTheSmallestSubtaskWatermarkCounts() throws Exception {
        OperatorSubtaskState merged = AbstractStreamOperatorTestHarness.repackageState(
                snapshotAfterWatermark(W), snapshotAfterWatermark(W - 5 * LATENESS));
        try (var h = harness(merged)) {
            h.processElement(event("behind-both", W - 6 * LATENESS - 1), 0);
            h.processElement(event("behind-one", W - 3 * LATENESS), 0);
            assertThat(late(h)).containsExactly("behind-both");
            assertThat(aggregated(h)).containsExactly("behind-one");
        }
    }
}
