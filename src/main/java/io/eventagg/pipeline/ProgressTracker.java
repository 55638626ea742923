package io.eventagg.pipeline;

import io.eventagg.window.AlignedTicks;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Records how far event time has progressed, for readers that must know which results are complete
 * (retention periods, funnel windows, closed buckets). Runs with parallelism 1 on a trickle of
 * per-subtask maximum timestamps, so it sees the job-wide watermark. While the input is unbounded
 * the progress is the watermark; when a bounded input ends (watermark at +infinity) it is the
 * largest event timestamp seen, i.e. the end of the data.
 */
public final class ProgressTracker extends AbstractStreamOperator<ProgressRow>
        implements OneInputStreamOperator<Long, ProgressRow>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final long intervalMs;
    private transient long maxTimestamp;
    private transient long watermark;
    private transient long lastEmitted;

    public ProgressTracker(long intervalMs) {
        this.intervalMs = intervalMs;
    }

    @Override
    public void open() throws Exception {
        super.open();
        maxTimestamp = Long.MIN_VALUE;
        watermark = Long.MIN_VALUE;
        lastEmitted = Long.MIN_VALUE;
        if (intervalMs > 0) {
            AlignedTicks.every(getProcessingTimeService(), intervalMs, t -> {
                if (watermark != Long.MIN_VALUE && watermark != Long.MAX_VALUE) emit(watermark);
            });
        }
    }

    @Override
    public void processElement(StreamRecord<Long> element) {
        maxTimestamp = Math.max(maxTimestamp, element.getValue());
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = mark.getTimestamp();
        super.processWatermark(mark);
    }

    @Override
    public void endInput() {
        if (maxTimestamp != Long.MIN_VALUE) {
            emit(
                    watermark != Long.MIN_VALUE && watermark != Long.MAX_VALUE
                            ? Math.max(watermark, maxTimestamp)
                            : maxTimestamp);
        }
    }

    private void emit(long progress) {
        if (progress > lastEmitted) {
            lastEmitted = progress;
            output.collect(new StreamRecord<>(new ProgressRow(progress)));
        }
    }
}
