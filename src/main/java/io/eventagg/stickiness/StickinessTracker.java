package io.eventagg.stickiness;

import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per user (and environment): on which days of each open week or month the user was active,
 * emitting a {@link StickinessDelta} whenever a day is added. State: one {@code long[]} of (period
 * index, period start, day mask) triples for the periods that can still change; a period is
 * dropped when its end plus the allowed lateness has passed (in batch, whose timers fire only after
 * the user's last event and whose events come in time order, as soon as a later period begins), so
 * nothing grows with a user's history.
 */
public final class StickinessTracker extends KeyedProcessFunction<Long, ActiveDay, StickinessDelta> {
    private static final long serialVersionUID = 1L;

    private final List<Granularity> periods;
    private final BucketCalendar calendar;
    private final long latenessMs;
    private final boolean sortedInput;
    private transient ValueState<long[]> days;

    /** @param sortedInput true in batch execution (each user's events in time order) */
    public StickinessTracker(List<Granularity> periods, BucketCalendar calendar, long latenessMs, boolean sortedInput) {
        this.periods = List.copyOf(periods);
        this.calendar = calendar;
        this.latenessMs = latenessMs;
        this.sortedInput = sortedInput;
    }

    @Override
    public void open(OpenContext openContext) {
        days = getRuntimeContext()
                .getState(new ValueStateDescriptor<>(
                        "stickiness-days", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    public void processElement(ActiveDay e, Context ctx, Collector<StickinessDelta> out) throws Exception {
        long[] a = days.value();
        if (a == null) a = new long[0];
        long ts = e.timestamp();
        long day = calendar.start(Granularity.DAY, ts);
        boolean changed = false;
        for (int p = 0; p < periods.size(); p++) {
            Granularity g = periods.get(p);
            long start = calendar.start(g, ts);
            if (sortedInput) a = dropBefore(a, p, start);
            int at = find(a, p, start);
            if (at < 0) {
                a = Arrays.copyOf(a, a.length + 3);
                at = a.length - 3;
                a[at] = p;
                a[at + 1] = start;
                ctx.timerService().registerEventTimeTimer(calendar.end(g, start) - 1 + latenessMs);
            }
            long bit = 1L << calendar.bucketsBetween(Granularity.DAY, start, day);
            long mask = a[at + 2];
            if ((mask & bit) != 0) continue;
            int before = Long.bitCount(mask);
            a[at + 2] = mask | bit;
            changed = true;
            out.collect(new StickinessDelta(e.environment(), p, start, before, before + 1));
        }
        if (changed || sortedInput) days.update(a);
    }

    private static int find(long[] a, int p, long start) {
        for (int i = 0; i < a.length; i += 3) if (a[i] == p && a[i + 1] == start) return i;
        return -1;
    }

    /** Without period {@code p}'s entries that start before {@code start} (sorted input: they are done). */
    private static long[] dropBefore(long[] a, int p, long start) {
        int keep = 0;
        for (int i = 0; i < a.length; i += 3) if (!(a[i] == p && a[i + 1] < start)) keep += 3;
        if (keep == a.length) return a;
        long[] out = new long[keep];
        int o = 0;
        for (int i = 0; i < a.length; i += 3) {
            if (a[i] == p && a[i + 1] < start) continue;
            System.arraycopy(a, i, out, o, 3);
            o += 3;
        }
        return out;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<StickinessDelta> out) throws Exception {
        long[] a = days.value();
        if (a == null) return;
        int keep = 0;
        for (int i = 0; i < a.length; i += 3) if (closes(a, i) > timestamp) keep += 3;
        if (keep == 0) {
            days.clear();
            return;
        }
        long[] rest = new long[keep];
        int o = 0;
        for (int i = 0; i < a.length; i += 3) {
            if (closes(a, i) <= timestamp) continue;
            System.arraycopy(a, i, rest, o, 3);
            o += 3;
        }
        days.update(rest);
    }

    private long closes(long[] a, int i) {
        return calendar.end(periods.get((int) a[i]), a[i + 1]) - 1 + latenessMs;
    }
}
