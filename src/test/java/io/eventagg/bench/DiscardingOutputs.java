package io.eventagg.bench;

import io.eventagg.funnel.FunnelRow;
import io.eventagg.ingest.DeadLetter;
import io.eventagg.ingest.LateEvent;
import io.eventagg.measure.MeasureRow;
import io.eventagg.pipeline.JdbcOutputs;
import io.eventagg.pipeline.Outputs;
import io.eventagg.pipeline.ProgressRow;
import io.eventagg.retention.RetentionRow;
import io.eventagg.stickiness.StickinessRow;
import io.eventagg.timeseries.SeriesRow;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Every result stream counted (as {@code rowsWritten}, like the JDBC outputs) and dropped: the
 * pipeline's cost without the sink's, to separate the two.
 */
public final class DiscardingOutputs implements Outputs {
    private static final long serialVersionUID = 1L;

    @Override
    public void series(DataStream<SeriesRow> rows) {
        discard(rows, "timeseries");
    }

    @Override
    public void deadLetters(DataStream<DeadLetter> deadLetters) {
        discard(deadLetters, "dead-letters");
    }

    @Override
    public void lateEvents(DataStream<LateEvent> lateEvents) {
        discard(lateEvents, "late-events");
    }

    @Override
    public void progress(DataStream<ProgressRow> progress) {
        discard(progress, "progress");
    }

    @Override
    public void funnels(DataStream<FunnelRow> rows) {
        discard(rows, "funnels");
    }

    @Override
    public void retention(DataStream<RetentionRow> rows) {
        discard(rows, "retention");
    }

    @Override
    public void measures(DataStream<MeasureRow> rows) {
        discard(rows, "measures");
    }

    @Override
    public void stickiness(DataStream<StickinessRow> rows) {
        discard(rows, "stickiness");
    }

    private static <T> void discard(DataStream<T> stream, String name) {
        int parallelism = stream.getParallelism();
        stream.map(new JdbcOutputs.CountRows<T>())
                .returns(stream.getType())
                .setParallelism(parallelism)
                .name("count " + name)
                .uid("count-" + name)
                .sinkTo(new DiscardingSink<>())
                .setParallelism(parallelism)
                .name("discard " + name)
                .uid("discard-" + name);
    }
}
