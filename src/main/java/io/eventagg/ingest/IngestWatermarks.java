package io.eventagg.ingest;

import io.eventagg.config.WatermarkSettings;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Watermarks for ingested records: bounded out-of-orderness over event timestamps, with source
 * idleness. Dead letters carry no event time, so they neither move the watermark nor count as late.
 */
public final class IngestWatermarks {
    private IngestWatermarks() {}

    public static WatermarkStrategy<Ingested> strategy(WatermarkSettings settings) {
        SerializableTimestampAssigner<Ingested> assigner =
                (r, previous) -> r.event() != null ? r.event().timestamp() : Long.MIN_VALUE;
        return WatermarkStrategy.<Ingested>forBoundedOutOfOrderness(settings.outOfOrderness())
                .withTimestampAssigner(assigner)
                .withIdleness(settings.idleness());
    }
}
