package io.eventagg.retention;

import io.eventagg.config.RetentionDefinition;
import io.eventagg.config.RetentionType;
import io.eventagg.time.BucketCalendar;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per user (and environment): which cohort(s) of each retention definition the user is in and in
 * which periods they came back, emitted as {@link RetentionDelta}s as soon as they change.
 *
 * <p>Rules, per definition, in event time:
 *
 * <ul>
 *   <li>first_time: the cohort is the period of the user's first start event; a start within
 *       {@code first_time_horizon} after the latest start changes nothing; a start later than that
 *       (after a long silence) starts a new cohort. recurring: every period with a start event is
 *       a cohort of the user.
 *   <li>A return event counts for a cohort if it is at or after the cohort's first start event; its
 *       period index is the number of whole calendar periods between the two buckets (0..periods).
 *   <li>Events may arrive out of order within the allowed lateness: a late start event that is
 *       earlier than the cohort's first start moves the user (to an earlier cohort for first_time),
 *       and returns seen before it that now qualify are counted. For that, the latest return per
 *       period bucket is remembered for the allowed lateness.
 * </ul>
 *
 * State per user and definition: a few longs; a cohort is dropped once its last period plus the
 * allowed lateness has passed, the first-time marker once its horizon has passed. Nothing grows
 * with a user's history: a recurring user is in at most the cohorts whose periods are still open
 * (batch runs, whose timers fire only after the user's last event, drop the others as the user's
 * events, sorted by time there, pass them), and the first-time horizon has one timer per user,
 * moved forward when it fires rather than one per start event.
 *
 * <p>Metric: gauge {@code trackedUsers} per definition (group {@code retention}, the definition's
 * name): users with state for it on this subtask (after a rescale each subtask's share is
 * approximate until users expire; the sum over subtasks is exact).
 *
 * @param <K> the user key's type (text in streaming, a hash in batch: see {@link RetentionPipeline}); the tracker never reads it
 */
public final class RetentionTracker<K> extends KeyedProcessFunction<K, RetentionEvent, RetentionDelta>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    private final List<RetentionDefinition> definitions;
    private final BucketCalendar calendar;
    private final long latenessMs;
    private final boolean sortedInput;
    private transient ValueState<long[]>[] states;
    private transient long[] tracked;
    private transient ListState<long[]> trackedState;
    private final boolean fastReturns;

    /**
     * @param sortedInput true in batch execution, where each user's events arrive in timestamp
     *     order and timers fire only after the user's last one
     */
    public RetentionTracker(
            List<RetentionDefinition> definitions, BucketCalendar calendar, long latenessMs, boolean sortedInput) {
        this(definitions, calendar, latenessMs, sortedInput, true);
    }

    /**
     * @param fastReturns false sends every return event through the full path, which the fast path
     *     must equal (tests compare the two)
     */
    RetentionTracker(
            List<RetentionDefinition> definitions,
            BucketCalendar calendar,
            long latenessMs,
            boolean sortedInput,
            boolean fastReturns) {
        this.fastReturns = fastReturns;
        this.definitions = List.copyOf(definitions);
        this.calendar = calendar;
        this.latenessMs = latenessMs;
        this.sortedInput = sortedInput;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        trackedState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>(
                        "retention-tracked-users", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        tracked = new long[definitions.size()];
        // Entries are (hash of the definition's name, users): definitions may change between runs.
        for (long[] entry : trackedState.get()) {
            for (int d = 0; d < definitions.size(); d++) {
                if (definitions.get(d).name().hashCode() == entry[0]) tracked[d] += entry[1];
            }
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        List<long[]> entries = new ArrayList<>();
        for (int d = 0; d < definitions.size(); d++)
            entries.add(new long[] {definitions.get(d).name().hashCode(), tracked[d]});
        trackedState.update(entries);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open(OpenContext openContext) {
        states = new ValueState[definitions.size()];
        for (int d = 0; d < states.length; d++) {
            states[d] = getRuntimeContext()
                    .getState(new ValueStateDescriptor<>(
                            "retention-" + definitions.get(d).name(),
                            PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        }
        if (tracked == null) tracked = new long[definitions.size()];
        for (int d = 0; d < definitions.size(); d++) {
            int def = d;
            getRuntimeContext()
                    .getMetricGroup()
                    .addGroup("retention", definitions.get(d).name())
                    .gauge("trackedUsers", () -> tracked[def]);
        }
    }

    @Override
    public void processElement(RetentionEvent e, Context ctx, Collector<RetentionDelta> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        for (int d = 0; d < definitions.size(); d++) {
            long bit = 1L << d;
            if ((e.startMask() & bit) == 0 && (e.returnMask() & bit) == 0) continue;
            RetentionDefinition def = definitions.get(d);
            long[] raw = states[d].value();
            if (fastReturns
                    && (e.startMask() & bit) == 0
                    && raw != null
                    && returnChangesNothing(def, raw, e.timestamp(), watermark)) {
                states[d].update(raw);
                continue;
            }
            UserRetention u = UserRetention.of(raw);
            if (watermark != Long.MIN_VALUE) u.pruneRecent(watermark - latenessMs);
            // Sorted (batch) input: no event of this user before this one can still come.
            if (sortedInput) expireCohorts(def, u, e.timestamp());
            // A start is handled before a return on the same event: it can count as its own return.
            if ((e.startMask() & bit) != 0) onStart(d, def, u, e, ctx, out);
            if ((e.returnMask() & bit) != 0) onReturn(d, def, u, e, ctx, out);
            save(d, raw != null, u);
        }
    }

    /**
     * The common case of a return event, decided on the stored array itself: its period bucket is
     * already remembered (so its timer is set; batch runs remember none) and every cohort it counts
     * for already has that period. Then only the bucket's latest return moves (in place); true. Anything else (a new
     * bucket or period, something to prune) takes the full path; false, nothing changed.
     */
    private boolean returnChangesNothing(RetentionDefinition def, long[] a, long ts, long watermark) {
        int cohorts = (int) a[1];
        int recentAt = 2 + 3 * cohorts;
        int recent = (int) a[recentAt];
        long bucket = calendar.start(def.cohortPeriod(), ts);
        long horizon = watermark == Long.MIN_VALUE ? Long.MIN_VALUE : watermark - latenessMs;
        int slot = -1;
        for (int r = 0; r < recent; r++) {
            long max = a[recentAt + 2 + 2 * r];
            if (max <= horizon) return false; // pruning due: the full path does it
            if (a[recentAt + 1 + 2 * r] == bucket) slot = recentAt + 2 + 2 * r;
        }
        // Without lateness (batch) returns are not remembered, and no timer is set for them.
        if (slot < 0 && latenessMs > 0) return false;
        for (int c = 0; c < cohorts; c++) {
            long cohortStart = a[2 + 3 * c];
            long firstStart = a[3 + 3 * c];
            long mask = a[4 + 3 * c];
            if (ts < firstStart) continue;
            long k = calendar.bucketsBetween(def.cohortPeriod(), cohortStart, bucket);
            if (k < 0 || k > def.periods()) continue;
            if ((mask & (1L << k)) == 0) return false;
        }
        if (slot >= 0 && ts > a[slot]) a[slot] = ts;
        return true;
    }

    private void onStart(
            int d,
            RetentionDefinition def,
            UserRetention u,
            RetentionEvent e,
            Context ctx,
            Collector<RetentionDelta> out) {
        long ts = e.timestamp();
        long bucket = calendar.start(def.cohortPeriod(), ts);
        if (def.type() == RetentionType.FIRST_TIME) {
            if (u.cohorts == 1) {
                if (ts < u.firstStart[0]) {
                    // An earlier start arrived late: the user's first start, maybe in an earlier cohort.
                    long oldCohort = u.cohortStart[0];
                    long oldMask = u.mask[0];
                    long mask = reindex(def, oldMask, oldCohort, bucket) | recentBits(def, u, bucket, ts);
                    out.collect(new RetentionDelta(d, e.environment(), oldCohort, -1, oldMask));
                    u.cohortStart[0] = bucket;
                    u.firstStart[0] = ts;
                    u.mask[0] = mask;
                    out.collect(new RetentionDelta(d, e.environment(), bucket, +1, mask));
                    ctx.timerService().registerEventTimeTimer(cohortExpiry(def, bucket));
                }
            } else if (u.lastStart == Long.MIN_VALUE
                    || ts >= u.lastStart + def.firstTimeHorizon().toMillis()) {
                long mask = recentBits(def, u, bucket, ts);
                u.addCohort(bucket, ts, mask);
                out.collect(new RetentionDelta(d, e.environment(), bucket, +1, mask));
                ctx.timerService().registerEventTimeTimer(cohortExpiry(def, bucket));
            }
            // One horizon timer per user: set with the first start, moved forward when it fires.
            if (u.lastStart == Long.MIN_VALUE)
                ctx.timerService()
                        .registerEventTimeTimer(ts + def.firstTimeHorizon().toMillis() + latenessMs);
            u.lastStart = Math.max(u.lastStart, ts);
        } else {
            int c = u.cohortIndex(bucket);
            if (c < 0) {
                long mask = recentBits(def, u, bucket, ts);
                u.addCohort(bucket, ts, mask);
                out.collect(new RetentionDelta(d, e.environment(), bucket, +1, mask));
                ctx.timerService().registerEventTimeTimer(cohortExpiry(def, bucket));
            } else if (ts < u.firstStart[c]) {
                long mask = u.mask[c] | recentBits(def, u, bucket, ts);
                u.firstStart[c] = ts;
                if (mask != u.mask[c]) {
                    out.collect(new RetentionDelta(d, e.environment(), bucket, -1, u.mask[c]));
                    u.mask[c] = mask;
                    out.collect(new RetentionDelta(d, e.environment(), bucket, +1, mask));
                }
            }
        }
    }

    private void onReturn(
            int d,
            RetentionDefinition def,
            UserRetention u,
            RetentionEvent e,
            Context ctx,
            Collector<RetentionDelta> out) {
        long ts = e.timestamp();
        long bucket = calendar.start(def.cohortPeriod(), ts);
        // A bucket already remembered has its timer (it fires at the bucket's end plus the
        // lateness, after which no return of that bucket can arrive).
        if (latenessMs > 0 && u.noteReturn(bucket, ts)) {
            ctx.timerService().registerEventTimeTimer(calendar.end(def.cohortPeriod(), bucket) + latenessMs);
        }
        for (int c = 0; c < u.cohorts; c++) {
            if (ts < u.firstStart[c]) continue;
            long k = calendar.bucketsBetween(def.cohortPeriod(), u.cohortStart[c], bucket);
            if (k < 0 || k > def.periods() || (u.mask[c] & (1L << k)) != 0) continue;
            out.collect(new RetentionDelta(d, e.environment(), u.cohortStart[c], -1, u.mask[c]));
            u.mask[c] |= 1L << k;
            out.collect(new RetentionDelta(d, e.environment(), u.cohortStart[c], +1, u.mask[c]));
        }
    }

    /** Periods of cohort {@code cohort} with a remembered return at or after {@code start}. */
    private long recentBits(RetentionDefinition def, UserRetention u, long cohort, long start) {
        long bits = 0;
        for (int r = 0; r < u.recent; r++) {
            if (u.recentMax[r] < start) continue;
            long k = calendar.bucketsBetween(def.cohortPeriod(), cohort, u.recentBucket[r]);
            if (k >= 0 && k <= def.periods()) bits |= 1L << k;
        }
        return bits;
    }

    /** Re-expresses returned periods relative to another cohort. */
    private long reindex(RetentionDefinition def, long mask, long from, long to) {
        long out = 0;
        for (long m = mask; m != 0; m &= m - 1) {
            int k = Long.numberOfTrailingZeros(m);
            long bucket = calendar.plus(def.cohortPeriod(), from, k);
            long k2 = calendar.bucketsBetween(def.cohortPeriod(), to, bucket);
            if (k2 >= 0 && k2 <= def.periods()) out |= 1L << k2;
        }
        return out;
    }

    /** When a cohort's last period plus the allowed lateness is over. */
    private long cohortExpiry(RetentionDefinition def, long cohort) {
        return calendar.plus(def.cohortPeriod(), cohort, def.periods() + 1) + latenessMs;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RetentionDelta> out) throws Exception {
        // The end of the input (batch: of this user's input); timers cannot be set any more.
        boolean end = ctx.timerService().currentWatermark() == Long.MAX_VALUE;
        for (int d = 0; d < definitions.size(); d++) {
            long[] raw = states[d].value();
            if (raw == null) continue;
            if (end) {
                states[d].clear();
                tracked[d]--;
                continue;
            }
            RetentionDefinition def = definitions.get(d);
            UserRetention u = UserRetention.of(raw);
            u.pruneRecent(timestamp - latenessMs);
            expireCohorts(def, u, timestamp);
            if (u.lastStart != Long.MIN_VALUE
                    && u.cohorts == 0
                    && (def.type() == RetentionType.RECURRING
                            || u.lastStart + def.firstTimeHorizon().toMillis() + latenessMs <= timestamp)) {
                u.lastStart = Long.MIN_VALUE;
            }
            if (u.lastStart != Long.MIN_VALUE && def.type() == RetentionType.FIRST_TIME) {
                // The horizon timer moves forward to the latest start's (a no-op when it is already set there).
                long horizonEnd = u.lastStart + def.firstTimeHorizon().toMillis() + latenessMs;
                if (horizonEnd > timestamp) ctx.timerService().registerEventTimeTimer(horizonEnd);
            }
            save(d, true, u);
        }
    }

    /** Drops the cohorts whose last period plus the allowed lateness is over at {@code time}. */
    private void expireCohorts(RetentionDefinition def, UserRetention u, long time) {
        for (int c = u.cohorts - 1; c >= 0; c--) {
            if (cohortExpiry(def, u.cohortStart[c]) <= time) u.removeCohort(c);
        }
    }

    private void save(int d, boolean hadState, UserRetention u) throws Exception {
        if (u.isEmpty()) {
            states[d].clear();
            if (hadState) tracked[d]--;
        } else {
            states[d].update(u.toArray());
            if (!hadState) tracked[d]++;
        }
    }
}
