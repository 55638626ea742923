package io.eventagg.retention;

import io.eventagg.config.RetentionDefinition;
import io.eventagg.sink.RowVersion;
import io.eventagg.time.BucketCalendar;
import io.eventagg.window.EmitTick;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per cohort: exact counts from the users' deltas, written as full values (never per-delta rows):
 * at most once per emit interval while they change, and a final row when the cohort's last
 * period plus the allowed lateness has passed, after which the state is dropped.
 */
public final class CohortCounter extends KeyedProcessFunction<String, RetentionDelta, RetentionRow> {
    private static final long serialVersionUID = 1L;

    private final List<RetentionDefinition> definitions;
    private final BucketCalendar calendar;
    private final long latenessMs;
    private final long emitIntervalMs;
    private final long generation;
    /** [size, updates, on[0..P], onOrAfter[0..P]] */
    private transient ValueState<long[]> counts;

    private transient ValueState<Long> pendingTick;

    public CohortCounter(
            List<RetentionDefinition> definitions,
            BucketCalendar calendar,
            long latenessMs,
            long emitIntervalMs,
            long generation) {
        this.definitions = List.copyOf(definitions);
        this.calendar = calendar;
        this.latenessMs = latenessMs;
        this.emitIntervalMs = emitIntervalMs;
        this.generation = generation;
    }

    @Override
    public void open(OpenContext openContext) {
        counts = getRuntimeContext()
                .getState(new ValueStateDescriptor<>(
                        "cohort-counts", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        pendingTick = getRuntimeContext().getState(new ValueStateDescriptor<>("cohort-emit-tick", Types.LONG));
    }

    @Override
    public void processElement(RetentionDelta d, Context ctx, Collector<RetentionRow> out) throws Exception {
        RetentionDefinition def = definitions.get(d.definition());
        int periods = def.periods() + 1;
        long[] c = counts.value();
        if (c == null) {
            c = new long[2 + 2 * periods];
            ctx.timerService().registerEventTimeTimer(closing(def, d.cohortStart()));
        }
        c[0] += d.sign();
        c[1] += d.updates();
        int highest = 63 - Long.numberOfLeadingZeros(d.mask());
        for (int k = 0; k < periods; k++) {
            if ((d.mask() & (1L << k)) != 0) c[2 + k] += d.sign();
            if (k <= highest) c[2 + periods + k] += d.sign();
        }
        counts.update(c);
        EmitTick.ensure(pendingTick, ctx.timerService(), emitIntervalMs);
    }

    private long closing(RetentionDefinition def, long cohort) {
        return calendar.plus(def.cohortPeriod(), cohort, def.periods() + 1) + latenessMs;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RetentionRow> out) throws Exception {
        long[] c = counts.value();
        if (c == null) return;
        String[] key = ctx.getCurrentKey().split("\u001f", 3);
        RetentionDefinition def = definitions.get(Integer.parseInt(key[0]));
        long cohort = Long.parseLong(key[2]);
        boolean isFinal = ctx.timeDomain() == TimeDomain.EVENT_TIME && timestamp >= closing(def, cohort);
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) EmitTick.fired(pendingTick);
        int periods = def.periods() + 1;
        long[] on = new long[periods];
        long[] onOrAfter = new long[periods];
        System.arraycopy(c, 2, on, 0, periods);
        System.arraycopy(c, 2 + periods, onOrAfter, 0, periods);
        out.collect(new RetentionRow(
                def.name(), key[1], cohort, c[0], on, onOrAfter, isFinal, RowVersion.of(generation, c[1], isFinal)));
        if (isFinal) {
            counts.clear();
            EmitTick.cancel(pendingTick, ctx.timerService());
        }
    }
}
