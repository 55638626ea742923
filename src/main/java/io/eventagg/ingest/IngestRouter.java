package io.eventagg.ingest;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
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
 * <p>Counters (Flink metrics, also accumulators for the CLI summary): {@code eventsIn},
 * {@code eventsAggregated}, {@code eventsDeadLettered}, {@code eventsLate}.
 */
public final class IngestRouter extends ProcessFunction<Ingested, Event> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};
    public static final OutputTag<LateEvent> LATE_EVENTS = new OutputTag<>("late-events") {};

    private final long allowedLatenessMs;
    private transient Counter in;
    private transient Counter aggregated;
    private transient Counter dead;
    private transient Counter late;

    public IngestRouter(long allowedLatenessMs) {
        this.allowedLatenessMs = allowedLatenessMs;
    }

    @Override
    public void open(OpenContext openContext) {
        var metrics = getRuntimeContext().getMetricGroup();
        in = new RunCounter(getRuntimeContext(), metrics, RunCounter.EVENTS_IN);
        aggregated = new RunCounter(getRuntimeContext(), metrics, RunCounter.EVENTS_AGGREGATED);
        dead = new RunCounter(getRuntimeContext(), metrics, RunCounter.EVENTS_DEAD_LETTERED);
        late = new RunCounter(getRuntimeContext(), metrics, RunCounter.EVENTS_LATE);
    }

    @Override
    public void processElement(Ingested record, Context ctx, Collector<Event> out) {
        in.inc();
        if (record.deadLetter() != null) {
            dead.inc();
            ctx.output(DEAD_LETTERS, record.deadLetter());
            return;
        }
        Event e = record.event();
        long watermark = ctx.timerService().currentWatermark();
        if (watermark != Long.MIN_VALUE && e.timestamp() <= watermark - allowedLatenessMs) {
            late.inc();
            ctx.output(LATE_EVENTS, LateEvent.of(e, watermark));
            return;
        }
        aggregated.inc();
        out.collect(e);
    }
}
