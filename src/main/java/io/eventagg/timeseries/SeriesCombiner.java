package io.eventagg.timeseries;

import io.eventagg.config.ActionDefinition;
import io.eventagg.config.Horizons;
import io.eventagg.config.JobDefinition;
import io.eventagg.filter.EventMatcher;
import io.eventagg.filter.PropertySelection;
import io.eventagg.ingest.Event;
import io.eventagg.sketch.Sketches;
import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import io.eventagg.window.AlignedTicks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
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
 * updates exactly one accumulator of its series and one of the all-events rollup, at the finest
 * accumulation level ({@link #finestLevel}: a minute, or the coarsest of hour and day that still
 * nests in all of the job's granularities); coarser accumulators are fed by cascade when a finer
 * one is flushed (minutes into hours, hours into days, days into weeks and months: each into the
 * next coarser granularities of the job it nests in), so per-event work does not grow with the
 * number of granularities, and each distinct user of a bucket is merged once more per level
 * instead of once per granularity.
 *
 * <p>With horizons ({@code horizons: {minute: 7d}}), an event older than a level's horizon is
 * counted at the next coarser level instead ({@link #entryGranularities}), so the old part of a
 * replay costs what a job without minute buckets costs, and coarser buckets still hold every event.
 *
 * <p>An accumulator keeps its count, the distinct hashes of its users (and sessions, for the
 * rollup) and exact breakdown counts. Partials carry the distinct hashes ({@link DistinctIds}; a
 * sketch only for large sets).
 *
 * <p>It holds no Flink state: everything is emitted before every checkpoint barrier, at the end of
 * input, {@code flushLeadMs} before every emission tick of the bucket operator (streaming: every
 * {@code flushIntervalMs}, the emit interval, so each emission sees what arrived until just
 * before it, with one flush per emission instead of several) and when it holds too many buckets.
 * Before forwarding a watermark it emits just the accumulators that watermark could close
 * downstream (end plus allowed lateness passed), finest first so that each has folded into its
 * coarser ones: in a replay of history almost every watermark closes some minute, and emitting
 * everything then split most buckets over several partials and rebuilt the coarse buckets' sets
 * (thousands of users a day) a few times a second. Partials carry their bucket start as timestamp.
 */
public final class SeriesCombiner extends AbstractStreamOperator<SeriesPartial>
        implements OneInputStreamOperator<Event, SeriesPartial>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final JobDefinition job;
    private final long flushIntervalMs;
    private final long flushLeadMs;
    private final int maxBuckets;
    /** The fixed time horizons are measured from; 0: the wall clock. */
    private final long nowMs;

    private transient BucketCalendar calendar;
    /**
     * Accumulation levels, finest first: {@link #finestLevel} (emitted only if the job has it), then
     * the job's coarser granularities.
     */
    private transient Granularity[] levels;

    private transient boolean[] emitted;
    /** Per level, the coarser levels it folds into when flushed. */
    private transient int[][] parents;
    /**
     * With horizons: the levels an event may be counted at, finest first ({@link #entryLevels}),
     * and from which time on each takes events ({@link #entryFrom}, refreshed from the clock); an
     * event older than all of them is in no bucket. Null without horizons.
     */
    private transient int[] entryLevels;

    private transient long[] entryFrom;
    private transient int untilClockRead;

    private transient int lgK;
    private transient int breakdownKeys;
    private transient int breakdownCap;
    private transient int valueUsersLgK;
    /** Per action (the job's order), its alternatives; an event matching any counts in its series. */
    private transient EventMatcher[][] actions;
    /** Per action, the event column of its series. */
    private transient String[] actionNames;

    private transient long allowedLatenessMs;
    /** Per environment: the rollup and the series of each event. */
    private transient HashMap<String, Environment> environments;

    private transient Environment lastEnvironment;
    /** Series with buffered accumulators, in the order they got their first one. */
    private transient ArrayList<Series> active;
    /** Accumulators held, all levels. */
    private transient int buffered;
    /** The earliest close time of a buffered accumulator (a lower bound after a partial flush). */
    private transient long earliestClose;

    /**
     * @param flushIntervalMs processing-time flush period (the emit interval); 0 disables it (batch execution)
     * @param flushLeadMs how long before each multiple of the period it flushes
     * @param maxBuckets flush everything when this many accumulators are buffered
     */
    public SeriesCombiner(JobDefinition job, long flushIntervalMs, long flushLeadMs, int maxBuckets) {
        this(job, flushIntervalMs, flushLeadMs, maxBuckets, 0);
    }

    /** @param nowMs the fixed time the job's horizons are measured from; 0: the wall clock */
    public SeriesCombiner(JobDefinition job, long flushIntervalMs, long flushLeadMs, int maxBuckets, long nowMs) {
        this.job = job;
        this.nowMs = nowMs;
        this.flushIntervalMs = flushIntervalMs;
        this.flushLeadMs = Math.min(flushLeadMs, flushIntervalMs / 2);
        this.maxBuckets = maxBuckets;
    }

    @Override
    public void open() throws Exception {
        super.open();
        calendar = job.calendar();
        List<Granularity> entries = entryGranularities(job.granularities(), job.horizons());
        Granularity finest = entries.get(0);
        EnumSet<Granularity> l = EnumSet.copyOf(entries);
        for (Granularity g : job.granularities()) {
            if (g.ordinal() > finest.ordinal()) l.add(g);
        }
        levels = l.toArray(new Granularity[0]);
        emitted = new boolean[levels.length];
        for (int i = 0; i < levels.length; i++) emitted[i] = job.granularities().contains(levels[i]);
        parents = parents(levels);
        if (!job.horizons().byGranularity().isEmpty()) {
            entryLevels = new int[entries.size()];
            for (int j = 0; j < entryLevels.length; j++)
                entryLevels[j] = Arrays.asList(levels).indexOf(entries.get(j));
            entryFrom = new long[entries.size()];
            readClock();
        }
        lgK = job.sketchLgK();
        // Every level collects them when any emits them: finer buckets fold into coarser ones.
        valueUsersLgK = job.breakdownUsers().isEmpty() ? 0 : lgK;
        breakdownKeys = job.breakdowns().size();
        breakdownCap = job.limits().breakdownValuesPerBucket();
        PropertySelection selection = job.propertySelection();
        actions = new EventMatcher[job.actions().size()][];
        actionNames = new String[actions.length];
        for (int a = 0; a < actions.length; a++) {
            ActionDefinition d = job.actions().get(a);
            actionNames[a] = d.storedName();
            actions[a] = d.anyOf().stream()
                    .map(x -> new EventMatcher(x.event(), x.filters(), selection))
                    .toArray(EventMatcher[]::new);
        }
        allowedLatenessMs = job.watermark().allowedLateness().toMillis();
        environments = new HashMap<>();
        active = new ArrayList<>();
        buffered = 0;
        earliestClose = Long.MAX_VALUE;
        if (flushIntervalMs > 0)
            AlignedTicks.ahead(getProcessingTimeService(), flushIntervalMs, flushLeadMs, t -> flush());
    }

    /**
     * The level every event is counted at: the coarsest of minute, hour and day that is no coarser
     * than the job's finest granularity and nests in all of them, so that every granularity is fed
     * by cascade. Jobs without minute buckets thus keep one accumulator per series and hour (or
     * day), not sixty per hour: weeks and months alone need days (weeks do not nest in months).
     */
    static Granularity finestLevel(Collection<Granularity> granularities) {
        Granularity best = Granularity.MINUTE;
        for (Granularity candidate : new Granularity[] {Granularity.HOUR, Granularity.DAY}) {
            boolean nests = true;
            for (Granularity g : granularities) nests &= candidate.nestsIn(g);
            if (nests) best = candidate;
        }
        return best;
    }

    /**
     * The levels an event may be counted at, finest first: {@link #finestLevel} of the job's
     * granularities, then, while that level has a horizon, the finest level of the granularities
     * left without it (events older than a minute horizon are counted per hour, or per day if the
     * job has no hours...).
     */
    static List<Granularity> entryGranularities(Collection<Granularity> granularities, Horizons horizons) {
        List<Granularity> entries = new ArrayList<>();
        EnumSet<Granularity> remaining = EnumSet.copyOf(granularities);
        while (true) {
            Granularity f = finestLevel(remaining);
            entries.add(f);
            if (!horizons.has(f) || !remaining.remove(f) || remaining.isEmpty()) return entries;
        }
    }

    /** Takes the horizons' cut-offs from the clock again (the wall clock moves; a fixed one does not). */
    private void readClock() {
        long now = nowMs != 0 ? nowMs : getProcessingTimeService().getCurrentProcessingTime();
        for (int j = 0; j < entryFrom.length; j++)
            entryFrom[j] = job.horizons().keptFrom(calendar, levels[entryLevels[j]], now);
        untilClockRead = nowMs != 0 ? Integer.MAX_VALUE : 4096;
    }

    /**
     * For each level, the coarser levels it nests in with no level between that it also nests in
     * and that nests in them: minute into hour, hour into day, day into week and month; without
     * hours, minutes go straight into days; weeks go nowhere (they do not nest in months).
     */
    static int[][] parents(Granularity[] levels) {
        int[][] p = new int[levels.length][];
        for (int i = 0; i < levels.length; i++) {
            List<Integer> out = new ArrayList<>();
            for (int c = i + 1; c < levels.length; c++) {
                if (!levels[i].nestsIn(levels[c])) continue;
                boolean direct = true;
                for (int m = i + 1; m < c; m++) {
                    if (levels[i].nestsIn(levels[m]) && levels[m].nestsIn(levels[c])) direct = false;
                }
                if (direct) out.add(c);
            }
            p[i] = out.stream().mapToInt(Integer::intValue).toArray();
        }
        return p;
    }

    @Override
    public void processElement(StreamRecord<Event> record) {
        Event e = record.getValue();
        long ts = e.timestamp();
        int level = 0;
        if (entryFrom != null) {
            if (--untilClockRead <= 0) readClock();
            int j = 0;
            while (ts < entryFrom[j]) {
                if (++j == entryFrom.length) return;
            }
            level = entryLevels[j];
        }
        long bucket = calendar.start(levels[level], ts);
        long user = Sketches.idHash(e.distinctId());

        Environment env = environment(e.environment());
        Acc rollup = env.rollup.at(level, bucket, this);
        rollup.count++;
        rollup.users.add(user);
        if (e.sessionId() != null) rollup.sessions.add(Sketches.idHash(e.sessionId()));

        Series series = env.series(e.event(), this);
        if (series != null) count(series.at(level, bucket, this), e, user);
        for (int a = 0; a < actions.length; a++) {
            if (matchesAny(actions[a], e))
                count(env.action(a, actionNames[a], actions.length).at(level, bucket, this), e, user);
        }
        if (buffered >= maxBuckets) flush();
    }

    private void count(Acc acc, Event e, long user) {
        acc.count++;
        acc.users.add(user);
        if (breakdownKeys > 0) {
            String[] values = e.propertyValues();
            for (int k = 0; k < breakdownKeys; k++) {
                if (values[k] != null) acc.breakdowns.add(k, values[k], 1, user);
            }
        }
    }

    private static boolean matchesAny(EventMatcher[] alternatives, Event e) {
        for (EventMatcher m : alternatives)
            if (m.matches(e.event(), e.propertyValues(), e.propertyKinds())) return true;
        return false;
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

    /** A new accumulator of {@code level} (counted as buffered). */
    Acc newAcc(boolean rollup, int level, long start) {
        Acc a = new Acc(
                lgK, rollup, rollup ? 0 : breakdownKeys, breakdownCap, valueUsersLgK, closeTime(levels[level], start));
        buffered++;
        earliestClose = Math.min(earliestClose, a.closeTime);
        return a;
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        // A bucket is closed downstream once the watermark passes its end plus the allowed
        // lateness; anything buffered for it must be out before that watermark is.
        long w = mark.getTimestamp();
        if (buffered > 0 && earliestClose <= w) {
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

    /** Emits every buffered accumulator, finest level first, each folded into its coarser ones before. */
    void flush() {
        if (entryFrom != null) readClock();
        if (buffered == 0) return;
        for (Series s : active) {
            for (int l = 0; l < levels.length; l++) {
                HashMap<Long, Acc> accs = s.levels[l];
                if (accs == null || accs.isEmpty()) continue;
                for (Map.Entry<Long, Acc> entry : accs.entrySet()) release(s, l, entry.getKey(), entry.getValue());
                accs.clear();
            }
            s.forgetLast();
        }
        active.clear();
        buffered = 0;
        earliestClose = Long.MAX_VALUE;
    }

    /** Emits the accumulators a watermark of {@code w} could close downstream, and only those. */
    private void flushDue(long w) {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < active.size(); i++) {
            Series s = active.get(i);
            for (int l = 0; l < levels.length; l++) {
                HashMap<Long, Acc> accs = s.levels[l];
                if (accs == null || accs.isEmpty()) continue;
                var it = accs.entrySet().iterator();
                while (it.hasNext()) {
                    Map.Entry<Long, Acc> entry = it.next();
                    Acc a = entry.getValue();
                    if (a.closeTime <= w) {
                        release(s, l, entry.getKey(), a);
                        it.remove();
                        buffered--;
                    } else {
                        next = Math.min(next, a.closeTime);
                    }
                }
            }
            s.forgetLast();
        }
        active.removeIf(Series::isEmpty);
        earliestClose = next;
    }

    /** Folds an accumulator into its coarser levels' accumulators (creating them) and emits it if its level is the job's. */
    private void release(Series s, int level, long start, Acc a) {
        for (int p : parents[level]) {
            long parentStart = calendar.start(levels[p], start);
            HashMap<Long, Acc> accs = s.level(p, levels.length);
            Acc parent = accs.get(parentStart);
            if (parent == null) {
                parent = newAcc(s.rollup, p, parentStart);
                accs.put(parentStart, parent);
            }
            parent.add(a);
        }
        if (emitted[level]) emit(s, levels[level], start, a);
    }

    private void emit(Series s, Granularity g, long start, Acc a) {
        int[] keys = null;
        String[] vals = null;
        long[] counts = null;
        long[] overflow = null;
        DistinctIds[] valueUsers = null, overflowUsers = null;
        if (a.breakdowns != null && a.breakdowns.keys() > 0) {
            BreakdownCounts.Flat flat = a.breakdowns.flatten(job.breakdownUsersAt(g));
            keys = flat.keys();
            vals = flat.values();
            counts = flat.counts();
            overflow = flat.overflow();
            valueUsers = flat.users();
            overflowUsers = flat.overflowUsers();
        }
        long key = SeriesKeys.key(s.hash, g, SeriesKeys.shard(calendar, g, start));
        output.collect(new StreamRecord<>(
                new SeriesPartial(
                        key,
                        s.rollup,
                        s.environment,
                        s.event,
                        start,
                        a.count,
                        a.users.build(),
                        a.sessions == null ? null : a.sessions.build(),
                        keys,
                        vals,
                        counts,
                        overflow,
                        valueUsers,
                        overflowUsers),
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

        /** Per action, its series here (created when first matched). */
        Series[] actions;

        /** The series of action {@code a} (stored as {@code storedName}). */
        Series action(int a, String storedName, int count) {
            if (actions == null) actions = new Series[count];
            Series s = actions[a];
            if (s == null) actions[a] = s = new Series(false, name, storedName);
            return s;
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

    /** The rollup or one event's series in one environment, with its buffered accumulators per level. */
    static final class Series {
        final boolean rollup;
        final String environment;
        final String event;
        /** {@link SeriesKeys#seriesHash}, computed once. */
        final long hash;
        /** Per level (finest first), the buffered accumulators by bucket start; level 0 is where events are counted. */
        HashMap<Long, Acc>[] levels;

        private long lastStart = Long.MIN_VALUE;
        private int lastLevel;
        private Acc last;

        Series(boolean rollup, String environment, String event) {
            this.rollup = rollup;
            this.environment = environment;
            this.event = event;
            this.hash = SeriesKeys.seriesHash(rollup, environment, event);
        }

        /** The accumulator of the bucket of level {@code l} starting at {@code start}. */
        Acc at(int l, long start, SeriesCombiner c) {
            if (start == lastStart && l == lastLevel && last != null) return last;
            HashMap<Long, Acc> accs = level(l, c.levels.length);
            Acc a = accs.get(start);
            if (a == null) {
                if (isEmpty()) c.active.add(this);
                a = c.newAcc(rollup, l, start);
                accs.put(start, a);
            }
            lastStart = start;
            lastLevel = l;
            last = a;
            return a;
        }

        @SuppressWarnings("unchecked")
        HashMap<Long, Acc> level(int l, int count) {
            if (levels == null) levels = new HashMap[count];
            if (levels[l] == null) levels[l] = new HashMap<>();
            return levels[l];
        }

        boolean isEmpty() {
            if (levels != null) {
                for (HashMap<Long, Acc> m : levels) if (m != null && !m.isEmpty()) return false;
            }
            return true;
        }

        /** Drops the cached last bucket (after its accumulator may have been flushed). */
        void forgetLast() {
            last = null;
            lastStart = Long.MIN_VALUE;
        }
    }

    /** Buffered state of one series (or the rollup) in one bucket of one level. */
    static final class Acc {
        final long closeTime;
        long count;
        final DistinctIds.Collector users;
        final DistinctIds.Collector sessions;
        final BreakdownCounts breakdowns;

        /** @param valueUsersLgK sketch size of the users per breakdown value; 0 for none */
        Acc(int lgK, boolean rollup, int breakdownKeys, int cap, int valueUsersLgK, long closeTime) {
            this.closeTime = closeTime;
            users = new DistinctIds.Collector(lgK);
            sessions = rollup ? new DistinctIds.Collector(lgK) : null;
            breakdowns = rollup ? null : new BreakdownCounts(breakdownKeys, cap, valueUsersLgK);
        }

        void add(Acc a) {
            count += a.count;
            users.addAll(a.users);
            if (sessions != null) sessions.addAll(a.sessions);
            if (breakdowns != null) breakdowns.addAll(a.breakdowns);
        }
    }

    /** Used by tests and the benchmark to see how much is buffered. */
    int buffered() {
        return buffered;
    }
}
