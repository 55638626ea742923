package io.eventagg.retention;

import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
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
 * allowed lateness has passed, the first-time marker once its horizon has passed.
 *
 * @param <K> the user key's type (text in streaming, a hash in batch: see {@link RetentionPipeline}); the tracker never reads it
 */
public final class RetentionTracker<K> extends KeyedProcessFunction<K, RetentionEvent, RetentionDelta> {
    private static final long serialVersionUID = 1L;

    private final List<RetentionDefinition> definitions;
    private final BucketCalendar calendar;
    private final long latenessMs;
    private transient ValueState<long[]>[] states;
    /** Tests: false sends every return through the full path (which the fast path must equal). */
    boolean fastReturns = true;

    public RetentionTracker(List<RetentionDefinition> definitions, BucketCalendar calendar, long latenessMs) {
        this.definitions = List.copyOf(definitions);
        this.calendar = calendar;
        this.latenessMs = latenessMs;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open(OpenContext openContext) {
        states = new ValueState[definitions.size()];
        for (int d = 0; d < states.length; d++) {
            states[d] = getRuntimeContext().getState(new ValueStateDescriptor<>("retention-" + definitions.get(d).name(),
                    PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
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
            if (fastReturns && (e.startMask() & bit) == 0 && raw != null && returnChangesNothing(def, raw, e.timestamp(), watermark)) {
                states[d].update(raw);
                continue;
            }
            UserRetention u = UserRetention.of(raw);
            if (watermark != Long.MIN_VALUE) u.pruneRecent(watermark - latenessMs);
            // A start is handled before a return on the same event: it can count as its own return.
            if ((e.startMask() & bit) != 0) onStart(d, def, u, e, ctx, out);
            if ((e.returnMask() & bit) != 0) onReturn(d, def, u, e, ctx, out);
            save(d, u);
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

    private void onStart(int d, RetentionDefinition def, UserRetention u, RetentionEvent e, Context ctx, Collector<RetentionDelta> out) {
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
            } else if (u.lastStart == Long.MIN_VALUE || ts >= u.lastStart + def.firstTimeHorizon().toMillis()) {
                long mask = recentBits(def, u, bucket, ts);
                u.addCohort(bucket, ts, mask);
                out.collect(new RetentionDelta(d, e.environment(), bucket, +1, mask));
                ctx.timerService().registerEventTimeTimer(cohortExpiry(def, bucket));
            }
            u.lastStart = Math.max(u.lastStart, ts);
            ctx.timerService().registerEventTimeTimer(u.lastStart + def.firstTimeHorizon().toMillis() + latenessMs);
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

    private void onReturn(int d, RetentionDefinition def, UserRetention u, RetentionEvent e, Context ctx, Collector<RetentionDelta> out) {
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
        for (int d = 0; d < definitions.size(); d++) {
            long[] raw = states[d].value();
            if (raw == null) continue;
            RetentionDefinition def = definitions.get(d);
            UserRetention u = UserRetention.of(raw);
            u.pruneRecent(timestamp - latenessMs);
            for (int c = u.cohorts - 1; c >= 0; c--) {
                if (cohortExpiry(def, u.cohortStart[c]) <= timestamp) u.removeCohort(c);
            }
            if (u.lastStart != Long.MIN_VALUE && u.cohorts == 0
                    && (def.type() == RetentionType.RECURRING || u.lastStart + def.firstTimeHorizon().toMillis() + latenessMs <= timestamp)) {
                u.lastStart = Long.MIN_VALUE;
            }
            save(d, u);
        }
    }

    private void save(int d, UserRetention u) throws Exception {
        if (u.isEmpty()) states[d].clear();
        else states[d].update(u.toArray());
    }
}
