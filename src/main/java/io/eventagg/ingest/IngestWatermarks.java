package io.eventagg.ingest;

import io.eventagg.config.WatermarkSettings;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Watermarks for ingested records: bounded out-of-orderness over event timestamps, per source
 * split, with {@link CatchUpAwareIdleness}. Dead letters carry no event time, so they neither move
 * the watermark nor count as late.
 */
public final class IngestWatermarks {
    /**
     * A split silent since the job (re)started is idle after this many idleness timeouts: long
     * enough for a restored consumer to reconnect and fetch, short enough for an empty partition.
     */
    public static final int NEVER_DELIVERED_FACTOR = 10;

    private IngestWatermarks() {}

    public static WatermarkStrategy<Ingested> strategy(WatermarkSettings settings) {
        SerializableTimestampAssigner<Ingested> assigner =
                (r, previous) -> r.event() != null ? r.event().timestamp() : Long.MIN_VALUE;
        Duration ooo = settings.outOfOrderness();
        Duration idleness = settings.idleness();
        Duration behind = settings.outOfOrderness().plus(settings.allowedLateness());
        return WatermarkStrategy.<Ingested>forGenerator(ctx -> new CatchUpAwareIdleness<>(
                        new BoundedOutOfOrdernessWatermarks<>(ooo),
                        idleness,
                        ctx.getInputActivityClock(),
                        System::currentTimeMillis,
                        behind,
                        idleness.multipliedBy(NEVER_DELIVERED_FACTOR)))
                .withTimestampAssigner(assigner);
    }
}
