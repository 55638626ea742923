package io.eventagg.timeseries;

import io.eventagg.config.JobDefinition;
import io.eventagg.ingest.Event;
import io.eventagg.sketch.Sketches;
import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.Union;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Local pre-aggregation before the shuffle (the "combiner" of a two-phase aggregation). Each event
 * updates exactly one minute-level accumulator of its series and one of the all-events rollup;
 * hour, day, week and month partials are derived from those at flush time, so per-event work does
 * not grow with the number of granularities.
 *
 * <p>It holds no Flink state: it flushes before every checkpoint barrier, at the end of input,
 * every {@code flushIntervalMs} of processing time (streaming), when it holds too many buckets, and
 * before forwarding a watermark that could close a bucket it still holds. Flushed partials carry
 * their bucket start as timestamp, for the calendar windows downstream.
 */
public final class SeriesCombiner extends AbstractStreamOperator<SeriesPartial>
        implements OneInputStreamOperator<Event, SeriesPartial>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final JobDefinition job;
    private final long flushIntervalMs;
    private final int maxBuckets;

    private transient BucketCalendar calendar;
    private transient Granularity[] granularities;
    private transient HashMap<MinuteKey, MinuteAcc> buffer;
    private transient long oldestBuffered;
    private transient int breakdownKeys;

    /**
     * @param flushIntervalMs processing-time flush period; 0 disables it (batch execution)
     * @param maxBuckets flush everything when this many minute accumulators are buffered
     */
    public SeriesCombiner(JobDefinition job, long flushIntervalMs, int maxBuckets) {
        this.job = job;
        this.flushIntervalMs = flushIntervalMs;
        this.maxBuckets = maxBuckets;
    }

    @Override
    public void open() throws Exception {
        super.open();
        calendar = job.calendar();
        granularities = job.granularities().toArray(new Granularity[0]);
        buffer = new HashMap<>();
        oldestBuffered = Long.MAX_VALUE;
        breakdownKeys = job.breakdowns().size();
        if (flushIntervalMs > 0) scheduleFlush();
    }

    private void scheduleFlush() {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        long next = (now / flushIntervalMs + 1) * flushIntervalMs;
        getProcessingTimeService().registerTimer(next, t -> {
            flush();
            scheduleFlush();
        });
    }

    @Override
    public void processElement(StreamRecord<Event> record) {
        Event e = record.getValue();
        long minute = calendar.start(Granularity.MINUTE, e.timestamp());
        long user = Sketches.idHash(e.distinctId());
        if (e.timestamp() < oldestBuffered) oldestBuffered = e.timestamp();

        MinuteAcc rollup = acc(new MinuteKey(true, e.environment(), null, minute));
        rollup.count++;
        rollup.users.update(user);
        if (e.sessionId() != null) rollup.sessions.update(Sketches.idHash(e.sessionId()));

        if (job.tracksEvent(e.event())) {
            MinuteAcc series = acc(new MinuteKey(false, e.environment(), e.event(), minute));
            series.count++;
            series.users.update(user);
            String[] values = e.propertyValues();
            for (int k = 0; k < breakdownKeys; k++) {
                if (values[k] != null) series.breakdowns.add(k, values[k], 1);
            }
        }
        if (buffer.size() >= maxBuckets) flush();
    }

    private MinuteAcc acc(MinuteKey key) {
        MinuteAcc a = buffer.get(key);
        if (a == null) {
            a = new MinuteAcc(job.sketchLgK(), key.rollup, key.rollup ? 0 : breakdownKeys, job.limits().breakdownValuesPerBucket());
            buffer.put(key, a);
        }
        return a;
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        // A bucket is closed downstream once the watermark passes its end plus the allowed
        // lateness; anything buffered for it must be out before that watermark is.
        if (!buffer.isEmpty()) {
            long firstEnd = calendar.end(Granularity.MINUTE, calendar.start(Granularity.MINUTE, oldestBuffered));
            if (firstEnd - 1 + job.watermark().allowedLateness().toMillis() <= mark.getTimestamp()) flush();
        }
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush();
    }

    @Override
    public void endInput() {
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    /** Emits all buffered minute accumulators and the coarser partials derived from them. */
    void flush() {
        if (buffer.isEmpty()) return;
        Map<CoarseKey, CoarseAcc> coarse = new HashMap<>();
        for (Map.Entry<MinuteKey, MinuteAcc> entry : buffer.entrySet()) {
            MinuteKey k = entry.getKey();
            MinuteAcc a = entry.getValue();
            for (Granularity g : granularities) {
                if (g == Granularity.MINUTE) {
                    emit(k.rollup, k.environment, k.event, g, k.minute, a.count, Sketches.toBytes(a.users),
                            a.sessions == null ? null : Sketches.toBytes(a.sessions), a.breakdowns);
                } else {
                    long start = calendar.start(g, k.minute);
                    CoarseAcc c = coarse.computeIfAbsent(new CoarseKey(k.rollup, k.environment, k.event, g, start),
                            x -> new CoarseAcc(job.sketchLgK(), x.rollup, x.rollup ? 0 : breakdownKeys, job.limits().breakdownValuesPerBucket()));
                    c.add(a);
                }
            }
        }
        for (Map.Entry<CoarseKey, CoarseAcc> entry : coarse.entrySet()) {
            CoarseKey k = entry.getKey();
            CoarseAcc c = entry.getValue();
            emit(k.rollup, k.environment, k.event, k.granularity, k.start, c.count, Sketches.toBytes(c.users),
                    c.sessions == null ? null : Sketches.toBytes(c.sessions), c.breakdowns);
        }
        buffer.clear();
        oldestBuffered = Long.MAX_VALUE;
    }

    private void emit(boolean rollup, String env, String event, Granularity g, long start, long count,
            byte[] users, byte[] sessions, BreakdownCounts breakdowns) {
        int[] keys = null;
        String[] vals = null;
        long[] counts = null;
        long[] overflow = null;
        if (breakdowns != null && breakdowns.keys() > 0) {
            Object[] flat = breakdowns.flatten();
            keys = (int[]) flat[0];
            vals = (String[]) flat[1];
            counts = (long[]) flat[2];
            overflow = (long[]) flat[3];
        }
        output.collect(new StreamRecord<>(
                new SeriesPartial(rollup, env, event, g.ordinal(), start, count, users, sessions, keys, vals, counts, overflow),
                start));
    }

    /** Buffered state of one series (or the rollup) in one minute. */
    static final class MinuteAcc {
        long count;
        final HllSketch users;
        final HllSketch sessions;
        final BreakdownCounts breakdowns;

        MinuteAcc(int lgK, boolean rollup, int breakdownKeys, int cap) {
            users = Sketches.newHll(lgK);
            sessions = rollup ? Sketches.newHll(lgK) : null;
            breakdowns = rollup ? null : new BreakdownCounts(breakdownKeys, cap);
        }
    }

    /** A coarser bucket assembled from minute accumulators at flush time. */
    static final class CoarseAcc {
        long count;
        final Union users;
        final Union sessions;
        final BreakdownCounts breakdowns;

        CoarseAcc(int lgK, boolean rollup, int breakdownKeys, int cap) {
            users = Sketches.newUnion(lgK);
            sessions = rollup ? Sketches.newUnion(lgK) : null;
            breakdowns = rollup ? null : new BreakdownCounts(breakdownKeys, cap);
        }

        void add(MinuteAcc a) {
            count += a.count;
            users.update(a.users);
            if (sessions != null) sessions.update(a.sessions);
            if (breakdowns != null) breakdowns.addAll(a.breakdowns);
        }
    }

    record MinuteKey(boolean rollup, String environment, String event, long minute) {}

    record CoarseKey(boolean rollup, String environment, String event, Granularity granularity, long start) {}

    /** Used by tests and the benchmark to see how much is buffered. */
    int buffered() {
        return buffer.size();
    }

    List<MinuteKey> bufferedKeys() {
        return new ArrayList<>(buffer.keySet());
    }
}
