package io.eventagg.window;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Forwards records unchanged and watermarks {@code lagMs} earlier. Placed before an operator that
 * must see every event within the allowed lateness in event-time order (CEP cannot take an event
 * older than its watermark back into a match), it turns "late but allowed" events into on-time
 * ones for that operator, at the price of results {@code lagMs} later.
 */
public final class WatermarkShift<T> extends AbstractStreamOperator<T> implements OneInputStreamOperator<T, T> {
    private static final long serialVersionUID = 1L;

    private final long lagMs;

    public WatermarkShift(long lagMs) {
        this.lagMs = lagMs;
    }

    @Override
    public void processElement(StreamRecord<T> element) {
        output.collect(element);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        long t = mark.getTimestamp();
        super.processWatermark(
                t == Long.MAX_VALUE || t == Long.MIN_VALUE
                        ? mark
                        : new Watermark(Math.max(Long.MIN_VALUE + 1, t - lagMs)));
    }
}
