package io.eventagg.query;

/**
 * Reads pre-aggregated results (the spec's {@code AggregationStorage.query}), for the CLI and for
 * JVM services that embed eventagg's query side.
 */
public interface AggregationStorage extends AutoCloseable {
    AggregationResult query(TimeSeriesQuery query);

    FunnelResult funnel(FunnelQuery query);

    RetentionResult retention(RetentionQuery query);

    StickinessResult stickiness(StickinessQuery query);

    MeasureResult measure(MeasureQuery query);

    /** What the job answers about: its names, the events and environments with data, its progress. */
    Catalog catalog();

    @Override
    void close();
}
