package io.eventagg.timeseries;

import io.eventagg.config.JobDefinition;
import io.eventagg.ingest.Event;
import io.eventagg.sketch.Sketches;
import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import io.eventagg.window.AlignedTicks;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * <p>A minute accumulator keeps its count, the distinct hashes of its users (and sessions, for the
 * rollup) and exact breakdown counts. At a flush every distinct hash goes once into the sketch of
 * each granularity's partial, and breakdowns are added up per coarser bucket.
 *
 * <p>It holds no Flink state: it flushes before every checkpoint barrier, at the end of input,
 * every {@code flushIntervalMs} of processing time (streaming), when it holds too many buckets, and
 * before forwarding a watermark that could close a bucket it still holds. Flushed partials carry
 * their bucket start as timestamp, for the calendar windows downstream.
 */
public final class SeriesCombiner extends AbstractStreamOperator<SeriesPartial>
        implements OneInputStreamOperator<Event, SeriesPartial>, BoundedOneInput {
    private static final long serialVersionUID = 1L;
    private static final long MINUTE_MS = 60_000L;

    private final JobDefinition job;
    private final long flushIntervalMs;
    private final int maxBuckets;

    private transient BucketCalendar calendar;
    private transient Granularity[] granularities;
    private transient boolean emitMinutes;
    private transient Granularity[] coarse;
    private transient int lgK;
    private transient int breakdownKeys;
    private transient int breakdownCap;
    private transient long allowedLatenessMs;
    /** Per environment: the rollup and the series of each event. */
    private transient HashMap<String, Environment> environments;
    private transient Environment lastEnvironment;
    /** Series with buffered minutes, in the order they got their first one since the last flush. */
    private transient ArrayList<Series> active;
    private transient int buffered;
    private transient long oldestBuffered;

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
        List<Granularity> c = new ArrayList<>();
        for (Granularity g : granularities) {
            if (g == Granularity.MINUTE) emitMinutes = true;
            else c.add(g);
        }
        coarse = c.toArray(new Granularity[0]);
        lgK = job.sketchLgK();
        breakdownKeys = job.breakdowns().size();
        breakdownCap = job.limits().breakdownValuesPerBucket();
        allowedLatenessMs = job.watermark().allowedLateness().toMillis();
        environments = new HashMap<>();
        active = new ArrayList<>();
        buffered = 0;
        oldestBuffered = Long.MAX_VALUE;
        if (flushIntervalMs > 0) AlignedTicks.every(getProcessingTimeService(), flushIntervalMs, t -> flush());
    }

    @Override
    public void processElement(StreamRecord<Event> record) {
        Event e = record.getValue();
        long ts = e.timestamp();
        long minute = calendar.start(Granularity.MINUTE, ts);
        long user = Sketches.idHash(e.distinctId());
        if (ts < oldestBuffered) oldestBuffered = ts;

        Environment env = environment(e.environment());
        MinuteAcc rollup = env.rollup.minute(minute, this);
        rollup.count++;
        rollup.users.add(user);
        if (e.sessionId() != null) rollup.sessions.add(Sketches.idHash(e.sessionId()));

        Series series = env.series(e.event(), this);
        if (series != null) {
            MinuteAcc acc = series.minute(minute, this);
            acc.count++;
            acc.users.add(user);
            if (breakdownKeys > 0) {
                String[] values = e.propertyValues();
                for (int k = 0; k < breakdownKeys; k++) {
                    if (values[k] != null) acc.breakdowns.add(k, values[k], 1);
                }
            }
        }
        if (buffered >= maxBuckets) flush();
    }

    private Environment environment(String name) {
        Environment env = lastEnvironment;
        if (env != null && (env.name == name || env.name.equals(name))) return env;
        env = environments.get(name);
        if (env == null) {
            env = new Environment(name);
            environments.put(name, env);
        }
        lastEnvironment = env;
        return env;
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        // A bucket is closed downstream once the watermark passes its end plus the allowed
        // lateness; anything buffered for it must be out before that watermark is.
        if (buffered > 0) {
            long firstEnd = calendar.end(Granularity.MINUTE, calendar.start(Granularity.MINUTE, oldestBuffered));
            if (firstEnd - 1 + allowedLatenessMs <= mark.getTimestamp()) flush();
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
        if (buffered == 0) return;
        Map<Long, long[]> coarseStarts = new HashMap<>();
        for (Series s : active) {
            @SuppressWarnings("unchecked")
            Map<Long, CoarseAcc>[] byGranularity = new Map[coarse.length];
            for (Map.Entry<Long, MinuteAcc> entry : s.minutes.entrySet()) {
                long minute = entry.getKey();
                MinuteAcc a = entry.getValue();
                long[] starts = coarseStarts.computeIfAbsent(minute, this::coarseStarts);
                if (emitMinutes) {
                    emit(s, Granularity.MINUTE, minute, starts[coarse.length], a.count, a.users, a.sessions, a.breakdowns);
                }
                for (int g = 0; g < coarse.length; g++) {
                    if (byGranularity[g] == null) byGranularity[g] = new HashMap<>();
                    CoarseAcc c = byGranularity[g].get(starts[g]);
                    if (c == null) {
                        c = new CoarseAcc(lgK, s.rollup, s.rollup ? 0 : breakdownKeys, breakdownCap);
                        byGranularity[g].put(starts[g], c);
                    }
                    c.add(a);
                }
            }
            for (int g = 0; g < coarse.length; g++) {
                if (byGranularity[g] == null) continue;
                for (Map.Entry<Long, CoarseAcc> entry : byGranularity[g].entrySet()) {
                    CoarseAcc c = entry.getValue();
                    long start = entry.getKey();
                    long shard = SeriesKeys.shard(calendar, coarse[g], start);
                    emit(s, coarse[g], start, shard, c.count, c.users, c.sessions, c.breakdowns);
                }
            }
            s.clear();
        }
        active.clear();
        buffered = 0;
        oldestBuffered = Long.MAX_VALUE;
    }

    /** Per coarse granularity the bucket start of {@code minute}, then (last) its local day: the shard of minutes and hours. */
    private long[] coarseStarts(long minute) {
        long[] starts = new long[coarse.length + 1];
        for (int g = 0; g < coarse.length; g++) starts[g] = calendar.start(coarse[g], minute);
        starts[coarse.length] = calendar.start(Granularity.DAY, minute);
        return starts;
    }

    private void emit(Series s, Granularity g, long start, long shard, long count, DistinctIds.Collector users,
            DistinctIds.Collector sessions, BreakdownCounts breakdowns) {
        int[] keys = null;
        String[] vals = null;
        long[] counts = null;
        long[] overflow = null;
        if (breakdowns != null && breakdowns.keys() > 0) {
            BreakdownCounts.Flat flat = breakdowns.flatten();
            keys = flat.keys();
            vals = flat.values();
            counts = flat.counts();
            overflow = flat.overflow();
        }
        long key = SeriesKeys.key(s.hash, g, shard);
        output.collect(new StreamRecord<>(
                new SeriesPartial(key, s.rollup, s.environment, s.event, start, count, users.build(),
                        sessions == null ? null : sessions.build(), keys, vals, counts, overflow),
                start));
    }

    /** One environment: its rollup and its event series. */
    static final class Environment {
        final String name;
        final Series rollup;
        final HashMap<String, Series> events = new HashMap<>();
        /** Events the time series do not track (when the job lists events). */
        final HashMap<String, Boolean> untracked = new HashMap<>();

        Environment(String name) {
            this.name = name;
            this.rollup = new Series(true, name, null);
        }

        /** The series of an event, or null when the job does not track it. */
        Series series(String event, SeriesCombiner c) {
            Series s = events.get(event);
            if (s != null) return s;
            if (untracked.containsKey(event)) return null;
            if (!c.job.tracksEvent(event)) {
                untracked.put(event, Boolean.TRUE);
                return null;
            }
            s = new Series(false, name, event);
            events.put(event, s);
            return s;
        }
    }

    /** The rollup or one event's series in one environment, with its buffered minutes. */
    static final class Series {
        final boolean rollup;
        final String environment;
        final String event;
        /** {@link SeriesKeys#seriesHash}, computed once. */
        final long hash;
        final HashMap<Long, MinuteAcc> minutes = new HashMap<>();
        private long lastMinute = Long.MIN_VALUE;
        private MinuteAcc last;

        Series(boolean rollup, String environment, String event) {
            this.rollup = rollup;
            this.environment = environment;
            this.event = event;
            this.hash = SeriesKeys.seriesHash(rollup, environment, event);
        }

        MinuteAcc minute(long minute, SeriesCombiner c) {
            if (minute == lastMinute && last != null) return last;
            MinuteAcc a = minutes.get(minute);
            if (a == null) {
                if (minutes.isEmpty()) c.active.add(this);
                a = new MinuteAcc(c.lgK, rollup, rollup ? 0 : c.breakdownKeys, c.breakdownCap);
                minutes.put(minute, a);
                c.buffered++;
            }
            lastMinute = minute;
            last = a;
            return a;
        }

        void clear() {
            minutes.clear();
            last = null;
            lastMinute = Long.MIN_VALUE;
        }
    }

    /** Buffered state of one series (or the rollup) in one minute. */
    static final class MinuteAcc {
        long count;
        final DistinctIds.Collector users;
        final DistinctIds.Collector sessions;
        final BreakdownCounts breakdowns;

        MinuteAcc(int lgK, boolean rollup, int breakdownKeys, int cap) {
            users = new DistinctIds.Collector(lgK);
            sessions = rollup ? new DistinctIds.Collector(lgK) : null;
            breakdowns = rollup ? null : new BreakdownCounts(breakdownKeys, cap);
        }
    }

    /** A coarser bucket assembled from minute accumulators at flush time. */
    static final class CoarseAcc {
        long count;
        final DistinctIds.Collector users;
        final DistinctIds.Collector sessions;
        final BreakdownCounts breakdowns;

        CoarseAcc(int lgK, boolean rollup, int breakdownKeys, int cap) {
            users = new DistinctIds.Collector(lgK);
            sessions = rollup ? new DistinctIds.Collector(lgK) : null;
            breakdowns = rollup ? null : new BreakdownCounts(breakdownKeys, cap);
        }

        void add(MinuteAcc a) {
            count += a.count;
            users.addAll(a.users);
            if (sessions != null) sessions.addAll(a.sessions);
            if (breakdowns != null) breakdowns.addAll(a.breakdowns);
        }
    }

    record MinuteKey(boolean rollup, String environment, String event, long minute) {}

    /** Used by tests and the benchmark to see how much is buffered. */
    int buffered() {
        return buffered;
    }

    List<MinuteKey> bufferedKeys() {
        List<MinuteKey> out = new ArrayList<>();
        for (Series s : active) {
            for (Long m : s.minutes.keySet()) out.add(new MinuteKey(s.rollup, s.environment, s.event, m));
        }
        return out;
    }
}
