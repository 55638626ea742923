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
 * hour, day, week and month accumulators are fed from the minutes when a minute is flushed, so
 * per-event work does not grow with the number of granularities.
 *
 * <p>A minute accumulator keeps its count, the distinct hashes of its users (and sessions, for the
 * rollup) and exact breakdown counts; a coarse one the same, built from its minutes. Partials carry
 * the distinct hashes ({@link DistinctIds}; a sketch only for large sets).
 *
 * <p>It holds no Flink state: everything is emitted before every checkpoint barrier, at the end of
 * input, {@code flushLeadMs} before every emission tick of the bucket operator (streaming: every
 * {@code flushIntervalMs}, the emit interval, so each emission sees what arrived until just
 * before it, with one flush per emission instead of several) and when it holds too many
 * buckets. Before forwarding a watermark it emits just the accumulators that watermark could close
 * downstream (end plus allowed lateness passed): in a replay of history almost every watermark
 * closes some minute, and emitting everything then split most buckets over several partials and
 * rebuilt the coarse buckets' sets (thousands of users a day) a few times a second. Partials carry
 * their bucket start as timestamp.
 */
public final class SeriesCombiner extends AbstractStreamOperator<SeriesPartial>
        implements OneInputStreamOperator<Event, SeriesPartial>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final JobDefinition job;
    private final long flushIntervalMs;
    private final long flushLeadMs;
    private final int maxBuckets;

    private transient BucketCalendar calendar;
    private transient boolean emitMinutes;
    private transient Granularity[] coarse;
    private transient int lgK;
    private transient int breakdownKeys;
    private transient int breakdownCap;
    private transient long allowedLatenessMs;
    /** Per environment: the rollup and the series of each event. */
    private transient HashMap<String, Environment> environments;
    private transient Environment lastEnvironment;
    /** Series with buffered accumulators, in the order they got their first one. */
    private transient ArrayList<Series> active;
    /** Minute and coarse accumulators held. */
    private transient int buffered;
    /** The earliest buffered minute start (a lower bound after a partial flush). */
    private transient long oldestMinute;
    /** The earliest close time of a buffered coarse accumulator (a lower bound). */
    private transient long earliestCoarseClose;
    /** Per minute start: its coarse bucket starts, then its local day (cleared at each flush). */
    private transient HashMap<Long, long[]> coarseStarts;

    /**
     * @param flushIntervalMs processing-time flush period (the emit interval); 0 disables it (batch execution)
     * @param flushLeadMs how long before each multiple of the period it flushes
     * @param maxBuckets flush everything when this many accumulators are buffered
     */
    public SeriesCombiner(JobDefinition job, long flushIntervalMs, long flushLeadMs, int maxBuckets) {
        this.job = job;
        this.flushIntervalMs = flushIntervalMs;
        this.flushLeadMs = Math.min(flushLeadMs, flushIntervalMs / 2);
        this.maxBuckets = maxBuckets;
    }

    @Override
    public void open() throws Exception {
        super.open();
        calendar = job.calendar();
        List<Granularity> c = new ArrayList<>();
        for (Granularity g : job.granularities()) {
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
        coarseStarts = new HashMap<>();
        buffered = 0;
        oldestMinute = Long.MAX_VALUE;
        earliestCoarseClose = Long.MAX_VALUE;
        if (flushIntervalMs > 0) AlignedTicks.ahead(getProcessingTimeService(), flushIntervalMs, flushLeadMs, t -> flush());
    }

    @Override
    public void processElement(StreamRecord<Event> record) {
        Event e = record.getValue();
        long ts = e.timestamp();
        long minute = calendar.start(Granularity.MINUTE, ts);
        long user = Sketches.idHash(e.distinctId());
        if (minute < oldestMinute) oldestMinute = minute;

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

    private long closeTime(Granularity g, long start) {
        return calendar.end(g, start) - 1 + allowedLatenessMs;
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        // A bucket is closed downstream once the watermark passes its end plus the allowed
        // lateness; anything buffered for it must be out before that watermark is.
        long w = mark.getTimestamp();
        if (buffered > 0 && (closeTime(Granularity.MINUTE, oldestMinute) <= w || earliestCoarseClose <= w)) {
            if (w == Long.MAX_VALUE) {
                flush();
            } else {
                flushDue(w);
            }
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

    /** Emits every buffered accumulator: minutes (folded into their coarse buckets first), then coarse buckets. */
    void flush() {
        if (buffered == 0) return;
        for (Series s : active) {
            for (Map.Entry<Long, MinuteAcc> entry : s.minutes.entrySet()) flushMinute(s, entry.getKey(), entry.getValue());
            s.minutes.clear();
            s.forgetLast();
            for (int g = 0; s.coarse != null && g < coarse.length; g++) {
                HashMap<Long, CoarseAcc> accs = s.coarse[g];
                if (accs == null) continue;
                for (Map.Entry<Long, CoarseAcc> entry : accs.entrySet()) emitCoarse(s, g, entry.getKey(), entry.getValue());
                accs.clear();
            }
        }
        active.clear();
        buffered = 0;
        oldestMinute = Long.MAX_VALUE;
        earliestCoarseClose = Long.MAX_VALUE;
        coarseStarts.clear();
    }

    /** Emits the accumulators a watermark of {@code w} could close downstream, and only those. */
    private void flushDue(long w) {
        long nextMinute = Long.MAX_VALUE;
        long nextCoarse = Long.MAX_VALUE;
        for (int i = 0; i < active.size(); i++) {
            Series s = active.get(i);
            var minutes = s.minutes.entrySet().iterator();
            while (minutes.hasNext()) {
                Map.Entry<Long, MinuteAcc> entry = minutes.next();
                long minute = entry.getKey();
                if (closeTime(Granularity.MINUTE, minute) <= w) {
                    flushMinute(s, minute, entry.getValue());
                    minutes.remove();
                    buffered--;
                } else {
                    nextMinute = Math.min(nextMinute, minute);
                }
            }
            s.forgetLast();
            for (int g = 0; s.coarse != null && g < coarse.length; g++) {
                HashMap<Long, CoarseAcc> accs = s.coarse[g];
                if (accs == null) continue;
                var it = accs.entrySet().iterator();
                while (it.hasNext()) {
                    Map.Entry<Long, CoarseAcc> entry = it.next();
                    CoarseAcc c = entry.getValue();
                    if (c.closeTime <= w) {
                        emitCoarse(s, g, entry.getKey(), c);
                        it.remove();
                        buffered--;
                    } else {
                        nextCoarse = Math.min(nextCoarse, c.closeTime);
                    }
                }
            }
        }
        active.removeIf(Series::isEmpty);
        oldestMinute = nextMinute;
        earliestCoarseClose = nextCoarse;
        coarseStarts.clear();
    }

    /** Emits a minute's partial and folds the minute into its coarse buckets (which stay buffered). */
    private void flushMinute(Series s, long minute, MinuteAcc a) {
        long[] starts = coarseStarts.get(minute);
        if (starts == null) {
            starts = coarseStarts(minute);
            coarseStarts.put(minute, starts);
        }
        if (emitMinutes) emit(s, Granularity.MINUTE, minute, starts[coarse.length], a.count, a.users, a.sessions, a.breakdowns);
        for (int g = 0; g < coarse.length; g++) {
            HashMap<Long, CoarseAcc> accs = s.coarse(g, coarse.length);
            CoarseAcc c = accs.get(starts[g]);
            if (c == null) {
                c = new CoarseAcc(lgK, s.rollup, s.rollup ? 0 : breakdownKeys, breakdownCap, closeTime(coarse[g], starts[g]));
                accs.put(starts[g], c);
                buffered++;
                earliestCoarseClose = Math.min(earliestCoarseClose, c.closeTime);
            }
            c.add(a);
        }
    }

    private void emitCoarse(Series s, int g, long start, CoarseAcc c) {
        emit(s, coarse[g], start, SeriesKeys.shard(calendar, coarse[g], start), c.count, c.users, c.sessions, c.breakdowns);
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
        /** Per coarse granularity (the job's order), the buffered coarse buckets by start. */
        HashMap<Long, CoarseAcc>[] coarse;
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
                if (isEmpty()) c.active.add(this);
                a = new MinuteAcc(c.lgK, rollup, rollup ? 0 : c.breakdownKeys, c.breakdownCap);
                minutes.put(minute, a);
                c.buffered++;
            }
            lastMinute = minute;
            last = a;
            return a;
        }

        @SuppressWarnings("unchecked")
        HashMap<Long, CoarseAcc> coarse(int g, int granularities) {
            if (coarse == null) coarse = new HashMap[granularities];
            if (coarse[g] == null) coarse[g] = new HashMap<>();
            return coarse[g];
        }

        boolean isEmpty() {
            if (!minutes.isEmpty()) return false;
            if (coarse != null) {
                for (HashMap<Long, CoarseAcc> m : coarse) if (m != null && !m.isEmpty()) return false;
            }
            return true;
        }

        /** Drops the cached last minute (after its accumulator may have been flushed). */
        void forgetLast() {
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

    /** A coarser bucket assembled from flushed minute accumulators. */
    static final class CoarseAcc {
        final long closeTime;
        long count;
        final DistinctIds.Collector users;
        final DistinctIds.Collector sessions;
        final BreakdownCounts breakdowns;

        CoarseAcc(int lgK, boolean rollup, int breakdownKeys, int cap, long closeTime) {
            this.closeTime = closeTime;
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
