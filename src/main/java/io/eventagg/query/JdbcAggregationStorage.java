package io.eventagg.query;

import io.eventagg.config.JobDefinition;
import io.eventagg.sink.SinkSettings;
import java.time.Clock;

/**
 * {@link AggregationStorage} over the tables in DuckDB or ClickHouse: one connection, shared by a
 * reader per kind of answer ({@link TimeSeriesReader}, {@link FunnelReader},
 * {@link RetentionReader}). Readers read only the newest row per key, merge unique-user sketches
 * and sum counts; buckets without data appear as zero points.
 */
public class JdbcAggregationStorage implements AggregationStorage {
    /** More buckets than this in one answer is almost certainly a mistake (a year of minutes is 525,600). */
    public static final int MAX_BUCKETS = QueryRange.MAX_BUCKETS;

    private final QueryDatabase db;
    private final TimeSeriesReader timeSeries;
    private final FunnelReader funnels;
    private final RetentionReader retention;
    private final StickinessReader stickiness;
    private final MeasureReader measures;
    private final CatalogReader catalog;

    public JdbcAggregationStorage(JobDefinition job, SinkSettings settings) {
        this(job, settings, null);
    }

    /** @param raw the raw events table, for per-user ({@code distinct_id}) questions; null when there is none */
    public JdbcAggregationStorage(JobDefinition job, SinkSettings settings, RawEvents raw) {
        this(job, settings, raw, Clock.systemUTC());
    }

    /** @param clock what the job's horizons are measured from (a fixed one for replays of history) */
    public JdbcAggregationStorage(JobDefinition job, SinkSettings settings, RawEvents raw, Clock clock) {
        this.db = QueryDatabase.open(settings);
        RefreshCheck refreshes = new RefreshCheck(db, job);
        this.timeSeries = new TimeSeriesReader(job, db, refreshes, raw, clock);
        this.funnels = new FunnelReader(job, db, refreshes);
        this.retention = new RetentionReader(job, db, refreshes);
        this.stickiness = new StickinessReader(job, db, refreshes);
        this.measures = new MeasureReader(job, db, refreshes);
        this.catalog = new CatalogReader(job, db);
    }

    @Override
    public AggregationResult query(TimeSeriesQuery query) {
        return timeSeries.read(query);
    }

    @Override
    public FunnelResult funnel(FunnelQuery query) {
        return funnels.read(query);
    }

    @Override
    public RetentionResult retention(RetentionQuery query) {
        return retention.read(query);
    }

    @Override
    public StickinessResult stickiness(StickinessQuery query) {
        return stickiness.read(query);
    }

    @Override
    public MeasureResult measure(MeasureQuery query) {
        return measures.read(query);
    }

    @Override
    public Catalog catalog() {
        return catalog.read();
    }

    @Override
    public void close() {
        db.close();
    }
}
