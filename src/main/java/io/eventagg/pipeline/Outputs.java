package io.eventagg.pipeline;

import io.eventagg.funnel.FunnelRow;
import io.eventagg.ingest.DeadLetter;
import io.eventagg.ingest.LateEvent;
import io.eventagg.measure.MeasureRow;
import io.eventagg.retention.RetentionRow;
import io.eventagg.stickiness.StickinessRow;
import io.eventagg.timeseries.SeriesRow;
import java.io.Serializable;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Where a pipeline's results go. Production wires JDBC sinks ({@link JdbcOutputs}); tests wire
 * collecting sinks. Each method attaches sinks to one result stream.
 */
public interface Outputs extends Serializable {
    /** Time-series rows and all-events rollup rows ({@link SeriesRow#rollup()}). */
    void series(DataStream<SeriesRow> rows);

    void deadLetters(DataStream<DeadLetter> deadLetters);

    void lateEvents(DataStream<LateEvent> lateEvents);

    void progress(DataStream<ProgressRow> progress);

    /** One row per funnel step and entry day. */
    void funnels(DataStream<FunnelRow> rows);

    /** One row per retention cohort, with its per-period counts. */
    void retention(DataStream<RetentionRow> rows);

    /** One row per stickiness period, with its users by number of active days. */
    void stickiness(DataStream<StickinessRow> rows);

    /** One row per numeric measure, environment and bucket. */
    void measures(DataStream<MeasureRow> rows);
}
