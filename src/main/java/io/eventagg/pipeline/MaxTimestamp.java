package io.eventagg.pipeline;

import io.eventagg.ingest.Event;
import io.eventagg.window.AlignedTicks;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Per source subtask, the largest event timestamp seen, emitted only when the input ends or once
 * per interval if it grew: a trickle for {@link ProgressTracker} instead of every event.
 */
public final class MaxTimestamp extends AbstractStreamOperator<Long>
        implements OneInputStreamOperator<Event, Long>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final long intervalMs;
    private transient long max;
    private transient long sent;

    public MaxTimestamp(long intervalMs) {
        this.intervalMs = intervalMs;
    }

    @Override
    public void open() throws Exception {
        super.open();
        max = Long.MIN_VALUE;
        sent = Long.MIN_VALUE;
        if (intervalMs > 0) AlignedTicks.every(getProcessingTimeService(), intervalMs, t -> send());
    }

    @Override
    public void processElement(StreamRecord<Event> element) {
        long ts = element.getValue().timestamp();
        if (ts > max) max = ts;
    }

    private void send() {
        if (max > sent) {
            sent = max;
            output.collect(new StreamRecord<>(max));
        }
    }

    @Override
    public void endInput() {
        send();
    }
}
