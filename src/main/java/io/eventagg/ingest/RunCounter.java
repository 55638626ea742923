package io.eventagg.ingest;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * A counter that is both a Flink metric (for dashboards and alerts on a cluster) and an
 * accumulator (so a local run can print totals when the job ends).
 */
public final class RunCounter implements Counter {
    public static final String EVENTS_IN = "eventsIn";
    public static final String EVENTS_AGGREGATED = "eventsAggregated";
    public static final String EVENTS_DEAD_LETTERED = "eventsDeadLettered";
    public static final String EVENTS_LATE = "eventsLate";
    public static final String ROWS_WRITTEN = "rowsWritten";
    /**
     * Events whose (finest) time-series bucket had already been closed when their partial
     * aggregate reached it: not in the results; a refresh of the range repairs them.
     */
    public static final String CLOSED_BUCKET_EVENTS = "closedBucketEvents";

    private final Counter metric;
    private final LongCounter total;

    public RunCounter(RuntimeContext ctx, MetricGroup group, String name) {
        this.metric = group.counter(name);
        LongCounter existing = ctx.getLongCounter(name);
        this.total = existing;
    }

    @Override
    public void inc() {
        metric.inc();
        total.add(1L);
    }

    @Override
    public void inc(long n) {
        metric.inc(n);
        total.add(n);
    }

    @Override
    public void dec() {
        throw new UnsupportedOperationException();
    }

    @Override
    public void dec(long n) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long getCount() {
        return metric.getCount();
    }
}
