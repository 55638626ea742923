package io.eventagg.ingest;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * The one place where every record is classified, so that all aggregations agree on it: dead
 * letters and too-late events go to side outputs, the rest flows on. An event is too late when
 * {@code timestamp <= watermark - allowed_lateness}; every later stage sees a watermark no higher
 * than this operator's, so an event accepted here is never late downstream. That holds only if
 * this operator's watermark is the minimum over all source subtasks, not one subtask's own: in
 * streaming the pipeline puts an all-to-all exchange in front of it (see
 * {@code EventaggPipeline.acrossSubtasks}).
 *
 * <p>It must also hold across restores. Flink does not checkpoint watermarks: after a restore
 * every operator starts again from none, while the restored state of the buckets, funnel windows
 * and cohorts was closed against the watermark of the checkpoint. An event behind that watermark
 * (a partition that was behind) would then pass here and be merged into a closed bucket that is
 * created afresh, whose rows can never replace the final row already written, and it would be
 * lost. So the watermark this operator had at the checkpoint is part of its state, and after a
 * restore lateness is judged against the larger of it and the current watermark. (On rescaling,
 * the smallest of the subtasks' values: each one is at least what every later operator had.)
 *
 * <p>Counters (Flink metrics, also accumulators for the CLI summary): {@code eventsIn},
 * {@code eventsAggregated}, {@code eventsDeadLettered}, {@code eventsLate}.
 */
public final class IngestRouter extends AbstractStreamOperator<Event>
        implements OneInputStreamOperator<Ingested, Event> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};
    public static final OutputTag<LateEvent> LATE_EVENTS = new OutputTag<>("late-events") {};

    private final long allowedLatenessMs;
    private transient ListState<Long> checkpointedWatermark;
    private transient long restoredWatermark;
    private transient long watermark;
    private transient Counter in;
    private transient Counter aggregated;
    private transient Counter dead;
    private transient Counter late;

    public IngestRouter(long allowedLatenessMs) {
        this.allowedLatenessMs = allowedLatenessMs;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        checkpointedWatermark = context.getOperatorStateStore()
                .getUnionListState(new ListStateDescriptor<>("route-watermark", Types.LONG));
        restoredWatermark = Long.MIN_VALUE;
        if (context.isRestored()) {
            long min = Long.MAX_VALUE;
            boolean any = false;
            for (Long w : checkpointedWatermark.get()) {
                min = Math.min(min, w);
                any = true;
            }
            if (any) restoredWatermark = min;
        }
        watermark = Long.MIN_VALUE;
    }

    @Override
    public void open() throws Exception {
        super.open();
        var ctx = getRuntimeContext();
        var metrics = getMetricGroup();
        in = new RunCounter(ctx, metrics, RunCounter.EVENTS_IN);
        aggregated = new RunCounter(ctx, metrics, RunCounter.EVENTS_AGGREGATED);
        dead = new RunCounter(ctx, metrics, RunCounter.EVENTS_DEAD_LETTERED);
        late = new RunCounter(ctx, metrics, RunCounter.EVENTS_LATE);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = Math.max(watermark, mark.getTimestamp());
        super.processWatermark(mark);
    }

    /** The watermark lateness is judged against: the current one, or the checkpoint's after a restore. */
    long effectiveWatermark() {
        return Math.max(watermark, restoredWatermark);
    }

    @Override
    public void processElement(StreamRecord<Ingested> element) {
        in.inc();
        Ingested record = element.getValue();
        if (record.deadLetter() != null) {
            dead.inc();
            output.collect(DEAD_LETTERS, new StreamRecord<>(record.deadLetter()));
            return;
        }
        Event e = record.event();
        long w = effectiveWatermark();
        if (w != Long.MIN_VALUE && e.timestamp() <= w - allowedLatenessMs) {
            late.inc();
            output.collect(LATE_EVENTS, new StreamRecord<>(LateEvent.of(e, w)));
            return;
        }
        aggregated.inc();
        output.collect(element.replace(e));
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        checkpointedWatermark.clear();
        long w = effectiveWatermark();
        // Long.MAX_VALUE: the input has ended; nothing can follow that a restore must judge.
        if (w != Long.MIN_VALUE && w != Long.MAX_VALUE) checkpointedWatermark.add(w);
    }
}
