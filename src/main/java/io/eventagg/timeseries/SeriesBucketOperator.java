package io.eventagg.timeseries;

import io.eventagg.config.JobDefinition;
import io.eventagg.ingest.RunCounter;
import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import io.eventagg.window.AlignedTicks;
import java.time.Instant;
import java.util.LinkedHashSet;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calendar buckets of every series at every granularity in one keyed operator (key: {@link
 * SeriesKeys}: series, granularity and shard; state namespace: the bucket start). It merges the combiner's partials
 * into one accumulator per bucket and emits the bucket's full-value row:
 *
 * <ul>
 *   <li>while it changes, at most once per {@code emitIntervalMs} of processing time (one timer for
 *       the whole operator, aligned to multiples of the interval, so the sink gets large batches),
 *       and before every checkpoint barrier;
 *   <li>once more, as the final row, when the watermark passes its end plus the allowed lateness;
 *       then its state is dropped, and partials that arrive later go to {@link #LATE_PARTIALS}.
 * </ul>
 *
 * <p>A partial should never reach a closed bucket: the router decides lateness against a watermark
 * no lower than this operator's, across subtasks and restores (see {@code IngestRouter}). If one
 * does, its events are in no result; they are counted ({@code closedBucketEvents}, finest
 * granularity of the rollup) and logged with the affected range, so an alert can ask for a refresh.
 *
 * <p>It replaces one Flink window operator per granularity with a calendar assigner and a trigger:
 * with one partial per window (a minute bucket rarely gets more), the window operator's per-window
 * overhead (trigger state, three timers, a window object per element, one task per granularity)
 * was most of the pipeline's cost. Here a bucket costs one state entry and a place in its key's
 * index of open buckets ({@link OpenBuckets}); each key has one event-time timer, for its earliest
 * open bucket, which closes every bucket of the key that is due (no firing at a bucket's end: the
 * emission ticks already make its value visible within an interval). Which buckets changed since
 * their last row is kept in memory only, as it is empty at every checkpoint (the changed buckets
 * are emitted before the barrier).
 *
 * <p>With {@code emitIntervalMs = 0} and no allowed lateness (batch execution) only the final row
 * is written.
 */
public final class SeriesBucketOperator extends AbstractStreamOperator<SeriesRow>
        implements OneInputStreamOperator<SeriesPartial, SeriesRow>, Triggerable<Long, Long> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SeriesBucketOperator.class);

    /** Partials that reach a closed bucket; always empty unless the lateness rules are broken. */
    public static final OutputTag<SeriesPartial> LATE_PARTIALS = new OutputTag<>("late-partials") {};

    private final BucketCalendar calendar;
    private final SeriesRows rows;
    private final int lgK;
    private final JobDefinition job;
    private final int breakdownKeys;
    private final int breakdownCap;
    private final long allowedLatenessMs;
    private final long emitIntervalMs;
    private final Granularity[] jobGranularities;

    /** Per key and bucket start (the state's namespace): the bucket's accumulator. */
    private transient ValueStateDescriptor<SeriesAccumulator> bucketState;
    /** Per key: the starts of its open buckets (which its one timer closes). */
    private transient ValueState<OpenBuckets> open;

    private transient InternalTimerService<Long> timers;
    /**
     * Buckets changed since their last row (streaming only), in the order of their first change.
     * A set rather than a flag on the accumulator: state backends other than the heap hand out
     * copies, and the operator must not depend on which one runs.
     */
    private transient LinkedHashSet<Changed> changed;

    private transient int finest;
    private transient RunCounter closedBucketEvents;
    private transient long closedFrom;
    private transient long closedTo;
    private transient long closedEvents;
    private transient long lastClosedLog;

    public SeriesBucketOperator(JobDefinition job, long allowedLatenessMs, long emitIntervalMs, long generation) {
        this.calendar = job.calendar();
        this.rows = new SeriesRows(job.breakdowns(), job.breakdownLimit(), generation);
        this.lgK = job.sketchLgK();
        this.job = job;
        this.breakdownKeys = job.breakdowns().size();
        this.breakdownCap = job.limits().breakdownValuesPerBucket();
        this.allowedLatenessMs = allowedLatenessMs;
        this.emitIntervalMs = emitIntervalMs;
        this.jobGranularities = job.granularities().toArray(new Granularity[0]);
    }

    @Override
    public void open() throws Exception {
        super.open();
        bucketState = new ValueStateDescriptor<>("series-bucket", SeriesAccumulator.typeInfo());
        open = getRuntimeContext().getState(new ValueStateDescriptor<>("series-open-buckets", OpenBuckets.typeInfo()));
        // The timer service is @Internal, but a keyed operator has no public way to key its timers
        // by a namespace (here: the bucket start), which the one-timer-per-key scheme needs.
        timers = getInternalTimerService("series-buckets", LongSerializer.INSTANCE, this);
        changed = new LinkedHashSet<>();
        finest = Integer.MAX_VALUE;
        for (Granularity g : jobGranularities) finest = Math.min(finest, g.ordinal());
        closedBucketEvents = new RunCounter(getRuntimeContext(), getMetricGroup(), RunCounter.CLOSED_BUCKET_EVENTS);
        closedFrom = Long.MAX_VALUE;
        closedTo = Long.MIN_VALUE;
        if (emitIntervalMs > 0) AlignedTicks.every(getProcessingTimeService(), emitIntervalMs, t -> emitChanged());
    }

    private boolean tracksChanges() {
        return emitIntervalMs > 0 || allowedLatenessMs > 0;
    }

    @Override
    public void processElement(StreamRecord<SeriesPartial> record) throws Exception {
        SeriesPartial p = record.getValue();
        long start = p.bucketStart();
        Granularity g = p.granularity();
        long end = calendar.end(g, start);
        long watermark = timers.currentWatermark();
        if (end - 1 + allowedLatenessMs <= watermark) {
            closedBucket(p, end);
            output.collect(LATE_PARTIALS, record);
            return;
        }
        ValueState<SeriesAccumulator> buckets = bucket(start);
        SeriesAccumulator acc = buckets.value();
        if (acc == null) {
            acc = SeriesAccumulator.empty(lgK, breakdownKeys, breakdownCap, job.breakdownUsersAt(g) ? lgK : 0);
            OpenBuckets index = open.value();
            if (index == null) index = new OpenBuckets();
            // One timer per key, for its earliest open bucket: it moves only when this bucket
            // closes before all others.
            long earliest = index.isEmpty() ? Long.MIN_VALUE : index.min();
            if (index.add(start)) {
                if (earliest != Long.MIN_VALUE) timers.deleteEventTimeTimer(earliest, closeTime(g, earliest));
                timers.registerEventTimeTimer(start, end - 1 + allowedLatenessMs);
            }
            open.update(index);
        }
        acc.add(p, lgK);
        buckets.update(acc);
        if (tracksChanges()) changed.add(new Changed((Long) getCurrentKey(), start));
    }

    /**
     * The state of the bucket starting at {@code start} of the current key. Through the operator's
     * public namespaced-state accessor, which keeps the layout of savepoints taken before it was
     * used (the same state name and namespace).
     */
    private ValueState<SeriesAccumulator> bucket(long start) throws Exception {
        return getPartitionedState(start, LongSerializer.INSTANCE, bucketState);
    }

    /** Counts and (at most every 10 s) logs events that reached a closed bucket. */
    private void closedBucket(SeriesPartial p, long end) {
        if (!p.rollup() || p.granularity().ordinal() != finest) return;
        closedBucketEvents.inc(p.count());
        closedEvents += p.count();
        closedFrom = Math.min(closedFrom, p.bucketStart());
        closedTo = Math.max(closedTo, end);
        long now = getProcessingTimeService().getCurrentProcessingTime();
        if (now - lastClosedLog >= 10_000) {
            LOG.warn(
                    "{} events reached time-series buckets that were already closed, between {} and {}: they are not in the"
                            + " results; refresh that range, and please report it (docs/operations.md, Late data)",
                    closedEvents,
                    Instant.ofEpochMilli(closedFrom),
                    Instant.ofEpochMilli(closedTo));
            lastClosedLog = now;
            closedEvents = 0;
            closedFrom = Long.MAX_VALUE;
            closedTo = Long.MIN_VALUE;
        }
    }

    /**
     * The key's timer: closes every bucket of the key that the watermark has passed (end plus
     * allowed lateness), earliest first, then sets the timer for the earliest bucket left. A replay
     * or a batch run thus closes many buckets per timer, where a timer per bucket made the timer
     * queue the operator's largest cost.
     */
    @Override
    public void onEventTime(InternalTimer<Long, Long> timer) throws Exception {
        long key = timer.getKey();
        Granularity g = SeriesKeys.granularity(key);
        // Every timer up to the watermark fires in this round (batch execution: all of them).
        long bound = Math.max(timer.getTimestamp(), timers.currentWatermark());
        OpenBuckets index = open.value();
        if (index != null) {
            index.sort();
            int due = 0;
            while (due < index.size() && closeTime(g, index.get(due)) <= bound) {
                close(key, g, index.get(due));
                due++;
            }
            if (due > 0) {
                index.dropFirst(due);
                if (index.isEmpty()) {
                    open.clear();
                } else {
                    open.update(index);
                }
            }
            if (!index.isEmpty()) timers.registerEventTimeTimer(index.min(), closeTime(g, index.min()));
        }
    }

    private long closeTime(Granularity g, long start) {
        return calendar.end(g, start) - 1 + allowedLatenessMs;
    }

    /** Writes a bucket's final row and drops its state (nothing if it has none). */
    private void close(long key, Granularity g, long start) throws Exception {
        ValueState<SeriesAccumulator> buckets = bucket(start);
        SeriesAccumulator acc = buckets.value();
        if (acc == null) return;
        // The final row is written even if nothing changed since the last one: it carries the
        // final flag.
        emit(acc, g, start, calendar.end(g, start), true);
        buckets.clear();
        // A listed bucket is skipped at the next tick: its state is gone.
        if (tracksChanges()) changed.remove(new Changed(key, start));
    }

    @Override
    public void onProcessingTime(InternalTimer<Long, Long> timer) {
        // No keyed processing-time timers: the emission tick is one operator-wide timer.
    }

    /** Writes the row of every bucket that changed since its last one. */
    private void emitChanged() throws Exception {
        if (changed == null || changed.isEmpty()) return;
        for (Changed c : changed) {
            setCurrentKey(c.key);
            SeriesAccumulator acc = bucket(c.start).value();
            if (acc == null) continue;
            Granularity g = SeriesKeys.granularity(c.key);
            emit(acc, g, c.start, calendar.end(g, c.start), false);
        }
        changed.clear();
    }

    private void emit(SeriesAccumulator acc, Granularity g, long start, long end, boolean isFinal) {
        output.collect(new StreamRecord<>(rows.row(acc, g, start, isFinal), end - 1));
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        // What changed is not part of the snapshot: it is written now, so nothing is pending.
        emitChanged();
    }

    /** Used by tests: the events counted in {@code closedBucketEvents}. */
    long closedBucketEvents() {
        return closedBucketEvents.getCount();
    }

    /** A bucket whose latest value has not been written yet. */
    private record Changed(long key, long start) {}
}
