package io.eventagg.sink;

import static io.eventagg.sink.Column.nullable;
import static io.eventagg.sink.Column.of;
import static io.eventagg.sink.ColumnType.BOOL;
import static io.eventagg.sink.ColumnType.DOUBLE;
import static io.eventagg.sink.ColumnType.INT;
import static io.eventagg.sink.ColumnType.LONG;
import static io.eventagg.sink.ColumnType.TEXT;
import static io.eventagg.sink.ColumnType.TIMESTAMP;

import java.util.List;

/** Every table eventagg writes. Each row of a versioned table is the full value for its key. */
public final class Tables {
    private Tables() {}

    /** Counts, uniques and breakdowns per (environment, event, granularity, bucket). */
    public static final TableSpec TIMESERIES = new TableSpec(
            "ea_timeseries",
            List.of(
                    of("job", TEXT),
                    of("environment", TEXT),
                    of("event", TEXT),
                    of("granularity", TEXT),
                    of("bucket_start", TIMESTAMP),
                    of("event_count", LONG),
                    of("unique_users", LONG),
                    nullable("users_sketch", TEXT),
                    of("breakdowns", TEXT),
                    of("is_final", BOOL),
                    of("version", LONG),
                    nullable("breakdown_users", TEXT)),
            List.of("job", "environment", "event", "granularity", "bucket_start"),
            true);

    /** The all-events rollup: activity (DAU/WAU/MAU) and sessions per (environment, granularity, bucket). */
    public static final TableSpec ACTIVITY = new TableSpec(
            "ea_activity",
            List.of(
                    of("job", TEXT),
                    of("environment", TEXT),
                    of("granularity", TEXT),
                    of("bucket_start", TIMESTAMP),
                    of("event_count", LONG),
                    of("unique_users", LONG),
                    nullable("users_sketch", TEXT),
                    of("unique_sessions", LONG),
                    nullable("sessions_sketch", TEXT),
                    of("is_final", BOOL),
                    of("version", LONG)),
            List.of("job", "environment", "granularity", "bucket_start"),
            true);

    public static final TableSpec DEAD_LETTERS = new TableSpec(
            "ea_dead_letters",
            List.of(
                    of("job", TEXT),
                    of("source", TEXT),
                    of("src_partition", INT),
                    of("src_offset", LONG),
                    of("reason", TEXT),
                    of("raw", TEXT),
                    of("raw_bytes", LONG)),
            List.of("job", "source", "src_partition", "src_offset"),
            false);

    /** Events that came later than the allowed lateness, whole, for a refresh to pick up. */
    public static final TableSpec LATE_EVENTS = new TableSpec(
            "ea_late_events",
            List.of(
                    of("job", TEXT),
                    of("source", TEXT),
                    of("src_partition", INT),
                    of("src_offset", LONG),
                    nullable("uuid", TEXT),
                    of("event", TEXT),
                    of("distinct_id", TEXT),
                    of("timestamp", TIMESTAMP),
                    of("timestamp_ms", LONG),
                    of("environment", TEXT),
                    nullable("session_id", TEXT),
                    nullable("properties", TEXT),
                    of("watermark", TIMESTAMP)),
            List.of("job", "source", "src_partition", "src_offset"),
            false);

    /** How far event time has progressed, per job: the watermark the results are complete up to. */
    public static final TableSpec PROGRESS = new TableSpec(
            "ea_progress",
            List.of(of("job", TEXT), of("watermark", TIMESTAMP), of("version", LONG)),
            List.of("job"),
            true);

    /** Funnel step results per (funnel, environment, entry day, step). */
    public static final TableSpec FUNNELS = new TableSpec(
            "ea_funnel_steps",
            List.of(
                    of("job", TEXT),
                    of("funnel", TEXT),
                    of("environment", TEXT),
                    of("entry_day", TIMESTAMP),
                    of("step", INT),
                    of("step_name", TEXT),
                    of("users", LONG),
                    nullable("users_sketch", TEXT),
                    of("from_previous_count", LONG),
                    of("from_previous_sum_seconds", DOUBLE),
                    nullable("from_previous_sketch", TEXT),
                    of("from_start_count", LONG),
                    of("from_start_sum_seconds", DOUBLE),
                    nullable("from_start_sketch", TEXT),
                    of("is_final", BOOL),
                    of("version", LONG)),
            List.of("job", "funnel", "environment", "entry_day", "step"),
            true);

    /** Retention cohort sizes per (retention, environment, cohort start). */
    public static final TableSpec RETENTION_COHORTS = new TableSpec(
            "ea_retention_cohorts",
            List.of(
                    of("job", TEXT),
                    of("retention", TEXT),
                    of("environment", TEXT),
                    of("cohort_start", TIMESTAMP),
                    of("cohort_size", LONG),
                    of("is_final", BOOL),
                    of("version", LONG)),
            List.of("job", "retention", "environment", "cohort_start"),
            true);

    /** Retention counts per (retention, environment, cohort start, period). */
    public static final TableSpec RETENTION_PERIODS = new TableSpec(
            "ea_retention_periods",
            List.of(
                    of("job", TEXT),
                    of("retention", TEXT),
                    of("environment", TEXT),
                    of("cohort_start", TIMESTAMP),
                    of("period", INT),
                    of("users_on", LONG),
                    of("users_on_or_after", LONG),
                    of("is_final", BOOL),
                    of("version", LONG)),
            List.of("job", "retention", "environment", "cohort_start", "period"),
            true);

    /** Stickiness: per (environment, period, period start), the users active on exactly N of its days. */
    public static final TableSpec STICKINESS = new TableSpec(
            "ea_stickiness",
            List.of(
                    of("job", TEXT),
                    of("environment", TEXT),
                    of("period", TEXT),
                    of("period_start", TIMESTAMP),
                    of("days_active", INT),
                    of("users", LONG),
                    of("is_final", BOOL),
                    of("version", LONG)),
            List.of("job", "environment", "period", "period_start", "days_active"),
            true);

    /** Numeric measures per (measure, environment, granularity, bucket): counts, sum, min, max, distribution. */
    public static final TableSpec MEASURES = new TableSpec(
            "ea_measures",
            List.of(
                    of("job", TEXT),
                    of("environment", TEXT),
                    of("measure", TEXT),
                    of("granularity", TEXT),
                    of("bucket_start", TIMESTAMP),
                    of("event_count", LONG),
                    of("value_count", LONG),
                    of("value_sum", DOUBLE),
                    nullable("value_min", DOUBLE),
                    nullable("value_max", DOUBLE),
                    of("non_numeric", LONG),
                    nullable("quantiles_sketch", TEXT),
                    of("is_final", BOOL),
                    of("version", LONG)),
            List.of("job", "environment", "measure", "granularity", "bucket_start"),
            true);

    public static List<TableSpec> all() {
        return List.of(
                TIMESERIES,
                ACTIVITY,
                DEAD_LETTERS,
                LATE_EVENTS,
                PROGRESS,
                FUNNELS,
                RETENTION_COHORTS,
                RETENTION_PERIODS,
                STICKINESS,
                MEASURES);
    }
}
