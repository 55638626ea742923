package io.eventagg.refresh;

import io.eventagg.funnel.FunnelRow;
import io.eventagg.ingest.DeadLetter;
import io.eventagg.ingest.LateEvent;
import io.eventagg.measure.MeasureRow;
import io.eventagg.pipeline.Outputs;
import io.eventagg.pipeline.ProgressRow;
import io.eventagg.retention.RetentionRow;
import io.eventagg.stickiness.StickinessRow;
import io.eventagg.time.Granularity;
import io.eventagg.timeseries.SeriesRow;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The outputs of a refresh: only rows inside the refreshed range of their table reach the sinks,
 * so everything outside it stays untouched (the refresh reads more than it rewrites: whole buckets,
 * conversion windows, cohort periods).
 */
public final class RefreshOutputs implements Outputs {
    private static final long serialVersionUID = 1L;

    private final Outputs delegate;
    private final RefreshRange range;

    public RefreshOutputs(Outputs delegate, RefreshRange range) {
        this.delegate = delegate;
        this.range = range;
    }

    @Override
    public void series(DataStream<SeriesRow> rows) {
        RefreshRange r = range;
        delegate.series(
                rows.filter(x -> r.buckets(Granularity.parse(x.granularity())).contains(x.bucketStart()))
                        .setParallelism(rows.getParallelism())
                        .name("refresh range: time series")
                        .uid("refresh-range-series"));
    }

    @Override
    public void funnels(DataStream<FunnelRow> rows) {
        RefreshRange r = range;
        delegate.funnels(rows.filter(x -> r.entryDays(x.funnel()).contains(x.entryDay()))
                .setParallelism(rows.getParallelism())
                .name("refresh range: funnels")
                .uid("refresh-range-funnels"));
    }

    @Override
    public void retention(DataStream<RetentionRow> rows) {
        RefreshRange r = range;
        delegate.retention(rows.filter(x -> r.cohorts(x.retention()).contains(x.cohortStart()))
                .setParallelism(rows.getParallelism())
                .name("refresh range: retention")
                .uid("refresh-range-retention"));
    }

    @Override
    public void measures(DataStream<MeasureRow> rows) {
        RefreshRange r = range;
        delegate.measures(
                rows.filter(x -> r.buckets(Granularity.parse(x.granularity())).contains(x.bucketStart()))
                        .setParallelism(rows.getParallelism())
                        .name("refresh range: measures")
                        .uid("refresh-range-measures"));
    }

    @Override
    public void stickiness(DataStream<StickinessRow> rows) {
        RefreshRange r = range;
        delegate.stickiness(
                rows.filter(x -> r.stickiness(Granularity.parse(x.period())).contains(x.periodStart()))
                        .setParallelism(rows.getParallelism())
                        .name("refresh range: stickiness")
                        .uid("refresh-range-stickiness"));
    }

    @Override
    public void deadLetters(DataStream<DeadLetter> deadLetters) {
        delegate.deadLetters(deadLetters);
    }

    @Override
    public void lateEvents(DataStream<LateEvent> lateEvents) {
        delegate.lateEvents(lateEvents);
    }

    @Override
    public void progress(DataStream<ProgressRow> progress) {
        delegate.progress(progress);
    }
}
