-- eventagg tables for ClickHouse. Mirrors sql/duckdb/schema.sql, column for column (a test checks
-- both files against io.eventagg.sink.Tables on the real servers).
-- Applied at start-up (or by `eventagg schema`) with CREATE TABLE IF NOT EXISTS: safe to run again.
--
-- Runs on Debian's ClickHouse 18.16 and on current releases: only MergeTree engines, DateTime,
-- Nullable, String and integer/float types (no DateTime64, Map, JSON, LowCardinality or Bool).
--
-- Reads are correct at any moment, before background merges:
--  * Versioned tables are ReplacingMergeTree(version) ORDER BY the natural key. Every row is the
--    full value of its key; a key may have several rows until ClickHouse merges them, and the merge
--    keeps the one with the highest version. eventagg reads them with FINAL (SqlDialect.current),
--    which applies that merge at read time. Readers of your own can use FINAL too, or
--    argMax(column, version) ... GROUP BY <key>.
--  * Append-only tables (dead letters, late events) are ReplacingMergeTree() ORDER BY their source
--    position: a record replayed after a restart replaces its earlier copy.
--  * Time-keyed tables are partitioned by month of their time column (UTC), so old months can be
--    dropped with ALTER TABLE ... DROP PARTITION 202401. Rows of one key always land in the same
--    partition, which is where ReplacingMergeTree deduplicates.
-- Timestamps are DateTime('UTC') with second precision; a bucket is stored as the instant of its
-- local start. Booleans are UInt8 (0/1).

-- Counts, unique users and breakdowns per event and bucket.
CREATE TABLE IF NOT EXISTS ea_timeseries (
    job           String,
    environment   String,
    event         String,
    granularity   String,            -- minute | hour | day | week | month
    bucket_start  DateTime('UTC'),
    event_count   Int64,
    unique_users  Int64,             -- HLL estimate; exact up to ~1,500 users
    users_sketch  Nullable(String),  -- base64 HLL sketch, merged by queries over ranges
    breakdowns    String,            -- JSON {"plan": {"pro": 12, "$other": 3}}
    is_final      UInt8,             -- closed: watermark past bucket end + allowed lateness
    version       Int64,
    -- JSON {"plan": {"pro": "<base64 HLL sketch>"}}: the users of each value in breakdowns (NULL in
    -- rows written without them); added after the first release, so the last column
    breakdown_users Nullable(String)
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(bucket_start)
ORDER BY (job, environment, event, granularity, bucket_start);

-- The all-events rollup: active users (DAU/WAU/MAU) and sessions per bucket.
CREATE TABLE IF NOT EXISTS ea_activity (
    job              String,
    environment      String,
    granularity      String,
    bucket_start     DateTime('UTC'),
    event_count      Int64,
    unique_users     Int64,
    users_sketch     Nullable(String),
    unique_sessions  Int64,             -- distinct session_id among events that carry one
    sessions_sketch  Nullable(String),
    is_final         UInt8,
    version          Int64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(bucket_start)
ORDER BY (job, environment, granularity, bucket_start);

-- Records that are not valid events, with the reason and where they came from.
CREATE TABLE IF NOT EXISTS ea_dead_letters (
    job            String,
    source         String,  -- file path or Kafka topic
    src_partition  Int32,   -- Kafka partition, -1 for files
    src_offset     Int64,   -- Kafka offset, or line number in the file
    reason         String,
    raw            String,  -- the record's text, truncated to limits.dead_letter_raw_bytes
    raw_bytes      Int64    -- the record's full size
) ENGINE = ReplacingMergeTree()
ORDER BY (job, source, src_partition, src_offset);

-- Events later than the allowed lateness: not aggregated, kept whole for a refresh.
CREATE TABLE IF NOT EXISTS ea_late_events (
    job            String,
    source         String,
    src_partition  Int32,
    src_offset     Int64,
    uuid           Nullable(String),
    event          String,
    distinct_id    String,
    timestamp      DateTime('UTC'),
    timestamp_ms   Int64,
    environment    String,
    session_id     Nullable(String),
    properties     Nullable(String),   -- the properties object as JSON text
    watermark      DateTime('UTC')     -- the watermark when it arrived
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(timestamp)
ORDER BY (job, source, src_partition, src_offset);

-- Event-time progress per job: results are complete up to this watermark.
CREATE TABLE IF NOT EXISTS ea_progress (
    job        String,
    watermark  DateTime('UTC'),
    version    Int64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (job);

-- Funnel steps per entry day (the day of the step-1 event, in the job's time zone).
CREATE TABLE IF NOT EXISTS ea_funnel_steps (
    job                        String,
    funnel                     String,
    environment                String,
    entry_day                  DateTime('UTC'),
    step                       Int32,             -- 1-based
    step_name                  String,
    users                      Int64,
    users_sketch               Nullable(String),  -- base64 HLL of the users at this step
    from_previous_count        Int64,
    from_previous_sum_seconds  Float64,
    from_previous_sketch       Nullable(String),  -- base64 KLL of seconds from the previous step
    from_start_count           Int64,
    from_start_sum_seconds     Float64,
    from_start_sketch          Nullable(String),  -- base64 KLL of seconds from step 1
    is_final                   UInt8,
    version                    Int64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(entry_day)
ORDER BY (job, funnel, environment, entry_day, step);

-- Retention cohort sizes.
CREATE TABLE IF NOT EXISTS ea_retention_cohorts (
    job           String,
    retention     String,
    environment   String,
    cohort_start  DateTime('UTC'),
    cohort_size   Int64,
    is_final      UInt8,
    version       Int64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(cohort_start)
ORDER BY (job, retention, environment, cohort_start);

-- Retention counts per cohort and period.
CREATE TABLE IF NOT EXISTS ea_retention_periods (
    job                String,
    retention          String,
    environment        String,
    cohort_start       DateTime('UTC'),
    period             Int32,
    users_on           Int64,  -- users with a return event in this period
    users_on_or_after  Int64,  -- users with a return event in this period or later
    is_final           UInt8,
    version            Int64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(cohort_start)
ORDER BY (job, retention, environment, cohort_start, period);

-- Stickiness: per period (week or month) and environment, the users active on exactly N of its days.
CREATE TABLE IF NOT EXISTS ea_stickiness (
    job           String,
    environment   String,
    period        String,            -- week | month
    period_start  DateTime('UTC'),
    days_active   Int32,             -- 1 .. days in the period
    users         Int64,             -- users active on exactly days_active of its days
    is_final      UInt8,
    version       Int64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(period_start)
ORDER BY (job, environment, period, period_start, days_active);

-- Numeric measures (job-file measures): per measure, environment and bucket, the events, how many
-- had a number in the property, their sum, min, max and distribution, and how many had a non-number.
CREATE TABLE IF NOT EXISTS ea_measures (
    job               String,
    environment       String,
    measure           String,
    granularity       String,
    bucket_start      DateTime('UTC'),
    event_count       Int64,
    value_count       Int64,
    value_sum         Float64,
    value_min         Nullable(Float64),
    value_max         Nullable(Float64),
    non_numeric       Int64,
    quantiles_sketch  Nullable(String),  -- base64 DDSketch (1 % relative accuracy), merged over ranges
    is_final          UInt8,
    version           Int64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(bucket_start)
ORDER BY (job, environment, measure, granularity, bucket_start);

-- Refreshes (backfills), as a log: a 'running' row when one starts, a 'done' or 'failed' row when it
-- ends. Each refresh has the next generation number; rows it writes carry it in their version.
CREATE TABLE IF NOT EXISTS ea_refreshes (
    generation    Int64,
    job           String,
    range_from    DateTime('UTC'),
    range_to      DateTime('UTC'),
    status        String,                      -- running, then done or failed: one row each
    recorded_at   DateTime('UTC')
) ENGINE = ReplacingMergeTree()
ORDER BY (generation, status);

-- Views for BI tools (Grafana's ClickHouse data source, Metabase, Superset): plain numbers, the
-- newest version of each key (FINAL), no sketches. unique_users is per bucket (or entry day, or
-- cohort): never add it up over several, that counts a user once per bucket; for a range ask the
-- API or the CLI, which merge the sketches. is_final = 0: the row can still change (its bucket is
-- open). Retention shares are the API's: 1.0 in period 0; a period that has not fully elapsed (its
-- end after ea_progress's watermark) shows its users so far, as do the funnel steps of an entry day
-- whose conversion window is still open.
CREATE VIEW IF NOT EXISTS ea_bi_timeseries AS
SELECT job, environment, event, granularity, bucket_start, event_count, unique_users, is_final
FROM ea_timeseries FINAL;

CREATE VIEW IF NOT EXISTS ea_bi_activity AS
SELECT job, environment, granularity, bucket_start, event_count, unique_users, unique_sessions, is_final
FROM ea_activity FINAL;

CREATE VIEW IF NOT EXISTS ea_bi_funnel_steps AS
SELECT job, funnel, environment, entry_day, step, step_name, users,
       if(from_previous_count > 0, from_previous_sum_seconds / from_previous_count, NULL) AS avg_seconds_from_previous,
       is_final
FROM ea_funnel_steps FINAL;

CREATE VIEW IF NOT EXISTS ea_bi_retention AS
SELECT job, retention, environment, cohort_start, cohort_size, period, users_on, users_on_or_after,
       if(period = 0, 1.0, if(cohort_size > 0, users_on / cohort_size, NULL)) AS retention_on,
       if(period = 0, 1.0, if(cohort_size > 0, users_on_or_after / cohort_size, NULL)) AS retention_on_or_after,
       is_final
FROM (SELECT job, retention, environment, cohort_start, period, users_on, users_on_or_after, is_final
      FROM ea_retention_periods FINAL)
ANY LEFT JOIN (SELECT job, retention, environment, cohort_start, cohort_size FROM ea_retention_cohorts FINAL)
USING (job, retention, environment, cohort_start);
