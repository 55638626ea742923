-- eventagg tables for DuckDB (the embedded default).
-- Applied at start-up with CREATE … IF NOT EXISTS, so it is safe to run again.
-- Every versioned table holds one row per natural key (its primary key): the full value of that
-- key, replaced only by a row with a version at least as high (see RowVersion).
-- Timestamps are UTC instants; a bucket is stored as the instant of its local start.

-- Counts, unique users and breakdowns per event and bucket.
CREATE TABLE IF NOT EXISTS ea_timeseries (
    job           VARCHAR   NOT NULL,
    environment   VARCHAR   NOT NULL,
    event         VARCHAR   NOT NULL,
    granularity   VARCHAR   NOT NULL,  -- minute | hour | day | week | month
    bucket_start  TIMESTAMP NOT NULL,
    event_count   BIGINT    NOT NULL,
    unique_users  BIGINT    NOT NULL,  -- HLL estimate; exact up to ~1,500 users
    users_sketch  VARCHAR,             -- base64 HLL sketch, merged by queries over ranges
    breakdowns    VARCHAR   NOT NULL,  -- JSON {"plan": {"pro": 12, "$other": 3}}
    is_final      BOOLEAN   NOT NULL,  -- closed: watermark past bucket end + allowed lateness
    version       BIGINT    NOT NULL,
    -- JSON {"plan": {"pro": "<base64 HLL sketch>"}}: the users of each value in breakdowns (NULL in
    -- rows written without them); added after the first release, so the last column
    breakdown_users VARCHAR,
    PRIMARY KEY (job, environment, event, granularity, bucket_start)
);

-- The all-events rollup: active users (DAU/WAU/MAU) and sessions per bucket.
CREATE TABLE IF NOT EXISTS ea_activity (
    job              VARCHAR   NOT NULL,
    environment      VARCHAR   NOT NULL,
    granularity      VARCHAR   NOT NULL,
    bucket_start     TIMESTAMP NOT NULL,
    event_count      BIGINT    NOT NULL,
    unique_users     BIGINT    NOT NULL,
    users_sketch     VARCHAR,
    unique_sessions  BIGINT    NOT NULL,  -- distinct session_id among events that carry one
    sessions_sketch  VARCHAR,
    is_final         BOOLEAN   NOT NULL,
    version          BIGINT    NOT NULL,
    PRIMARY KEY (job, environment, granularity, bucket_start)
);

-- Records that are not valid events, with the reason and where they came from.
CREATE TABLE IF NOT EXISTS ea_dead_letters (
    job            VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,  -- file path or Kafka topic
    src_partition  INTEGER NOT NULL,  -- Kafka partition, -1 for files
    src_offset     BIGINT  NOT NULL,  -- Kafka offset, or line number in the file
    reason         VARCHAR NOT NULL,
    raw            VARCHAR NOT NULL,  -- the record's text, truncated to limits.dead_letter_raw_bytes
    raw_bytes      BIGINT  NOT NULL,  -- the record's full size
    PRIMARY KEY (job, source, src_partition, src_offset)
);

-- Events later than the allowed lateness: not aggregated, kept whole for a refresh.
CREATE TABLE IF NOT EXISTS ea_late_events (
    job            VARCHAR   NOT NULL,
    source         VARCHAR   NOT NULL,
    src_partition  INTEGER   NOT NULL,
    src_offset     BIGINT    NOT NULL,
    uuid           VARCHAR,
    event          VARCHAR   NOT NULL,
    distinct_id    VARCHAR   NOT NULL,
    timestamp      TIMESTAMP NOT NULL,
    timestamp_ms   BIGINT    NOT NULL,
    environment    VARCHAR   NOT NULL,
    session_id     VARCHAR,
    properties     VARCHAR,            -- the properties object as JSON text
    watermark      TIMESTAMP NOT NULL, -- the watermark when it arrived
    PRIMARY KEY (job, source, src_partition, src_offset)
);

-- Event-time progress per job: results are complete up to this watermark.
CREATE TABLE IF NOT EXISTS ea_progress (
    job        VARCHAR   NOT NULL,
    watermark  TIMESTAMP NOT NULL,
    version    BIGINT    NOT NULL,
    PRIMARY KEY (job)
);

-- Funnel steps per entry day (the day of the step-1 event, in the job's time zone).
CREATE TABLE IF NOT EXISTS ea_funnel_steps (
    job                        VARCHAR   NOT NULL,
    funnel                     VARCHAR   NOT NULL,
    environment                VARCHAR   NOT NULL,
    entry_day                  TIMESTAMP NOT NULL,
    step                       INTEGER   NOT NULL,  -- 1-based
    step_name                  VARCHAR   NOT NULL,
    users                      BIGINT    NOT NULL,
    users_sketch               VARCHAR,            -- base64 HLL of the users at this step
    from_previous_count        BIGINT    NOT NULL,
    from_previous_sum_seconds  DOUBLE    NOT NULL,
    from_previous_sketch       VARCHAR,            -- base64 DDSketch of seconds from the previous step
    from_start_count           BIGINT    NOT NULL,
    from_start_sum_seconds     DOUBLE    NOT NULL,
    from_start_sketch          VARCHAR,            -- base64 DDSketch of seconds from step 1
    is_final                   BOOLEAN   NOT NULL,
    version                    BIGINT    NOT NULL,
    PRIMARY KEY (job, funnel, environment, entry_day, step)
);

-- Retention cohort sizes.
CREATE TABLE IF NOT EXISTS ea_retention_cohorts (
    job           VARCHAR   NOT NULL,
    retention     VARCHAR   NOT NULL,
    environment   VARCHAR   NOT NULL,
    cohort_start  TIMESTAMP NOT NULL,
    cohort_size   BIGINT    NOT NULL,
    is_final      BOOLEAN   NOT NULL,
    version       BIGINT    NOT NULL,
    PRIMARY KEY (job, retention, environment, cohort_start)
);

-- Retention counts per cohort and period.
CREATE TABLE IF NOT EXISTS ea_retention_periods (
    job                VARCHAR   NOT NULL,
    retention          VARCHAR   NOT NULL,
    environment        VARCHAR   NOT NULL,
    cohort_start       TIMESTAMP NOT NULL,
    period             INTEGER   NOT NULL,
    users_on           BIGINT    NOT NULL,  -- users with a return event in this period
    users_on_or_after  BIGINT    NOT NULL,  -- users with a return event in this period or later
    is_final           BOOLEAN   NOT NULL,
    version            BIGINT    NOT NULL,
    PRIMARY KEY (job, retention, environment, cohort_start, period)
);

-- Stickiness: per period (week or month) and environment, the users active on exactly N of its days.
CREATE TABLE IF NOT EXISTS ea_stickiness (
    job           VARCHAR   NOT NULL,
    environment   VARCHAR   NOT NULL,
    period        VARCHAR   NOT NULL,  -- week | month
    period_start  TIMESTAMP NOT NULL,
    days_active   INTEGER   NOT NULL,  -- 1 .. days in the period
    users         BIGINT    NOT NULL,  -- users active on exactly days_active of its days
    is_final      BOOLEAN   NOT NULL,
    version       BIGINT    NOT NULL,
    PRIMARY KEY (job, environment, period, period_start, days_active)
);

-- Numeric measures (job-file measures): per measure, environment and bucket, the events, how many
-- had a number in the property, their sum, min, max and distribution, and how many had a non-number.
CREATE TABLE IF NOT EXISTS ea_measures (
    job               VARCHAR   NOT NULL,
    environment       VARCHAR   NOT NULL,
    measure           VARCHAR   NOT NULL,
    granularity       VARCHAR   NOT NULL,
    bucket_start      TIMESTAMP NOT NULL,
    event_count       BIGINT    NOT NULL,
    value_count       BIGINT    NOT NULL,
    value_sum         DOUBLE    NOT NULL,
    value_min         DOUBLE,
    value_max         DOUBLE,
    non_numeric       BIGINT    NOT NULL,
    quantiles_sketch  VARCHAR,             -- base64 DDSketch (1 % relative accuracy), merged over ranges
    is_final          BOOLEAN   NOT NULL,
    version           BIGINT    NOT NULL,
    PRIMARY KEY (job, environment, measure, granularity, bucket_start)
);

-- Refreshes (backfills), as a log: a 'running' row when one starts, a 'done' or 'failed' row when it
-- ends. Each refresh has the next generation number; rows it writes carry it in their version.
CREATE TABLE IF NOT EXISTS ea_refreshes (
    generation   BIGINT    NOT NULL,
    job          VARCHAR   NOT NULL,
    range_from   TIMESTAMP NOT NULL,
    range_to     TIMESTAMP NOT NULL,
    status       VARCHAR   NOT NULL,  -- running | done | failed
    recorded_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (generation, status)
);

-- Views for BI tools (Grafana, Metabase, Superset): plain numbers, one row per key, no versions or
-- sketches. unique_users is per bucket (or entry day, or cohort): never add it up over several,
-- that counts a user once per bucket; for a range ask the API or the CLI, which merge the sketches.
-- is_final = false: the row can still change (its bucket is open). Retention shares are the API's:
-- 1.0 in period 0 (users_on there counts those who also returned within it); a period that has not
-- fully elapsed (its end after ea_progress.watermark) shows its users so far, as do the funnel steps
-- of an entry day whose conversion window is still open.
CREATE VIEW IF NOT EXISTS ea_bi_timeseries AS
SELECT job, environment, event, granularity, bucket_start, event_count, unique_users, is_final
FROM ea_timeseries;

CREATE VIEW IF NOT EXISTS ea_bi_activity AS
SELECT job, environment, granularity, bucket_start, event_count, unique_users, unique_sessions, is_final
FROM ea_activity;

CREATE VIEW IF NOT EXISTS ea_bi_funnel_steps AS
SELECT job, funnel, environment, entry_day, step, step_name, users,
       CASE WHEN from_previous_count > 0 THEN from_previous_sum_seconds / from_previous_count END
           AS avg_seconds_from_previous,
       is_final
FROM ea_funnel_steps;

CREATE VIEW IF NOT EXISTS ea_bi_retention AS
SELECT p.job, p.retention, p.environment, p.cohort_start, c.cohort_size, p.period, p.users_on, p.users_on_or_after,
       CASE WHEN p.period = 0 THEN 1.0 WHEN c.cohort_size > 0 THEN p.users_on / c.cohort_size END AS retention_on,
       CASE WHEN p.period = 0 THEN 1.0 WHEN c.cohort_size > 0 THEN p.users_on_or_after / c.cohort_size END
           AS retention_on_or_after,
       p.is_final
FROM ea_retention_periods p
JOIN ea_retention_cohorts c ON c.job = p.job AND c.retention = p.retention AND c.environment = p.environment
     AND c.cohort_start = p.cohort_start;
