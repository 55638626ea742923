-- Optional: a raw `events` table and three materialized views over it, for users who keep raw
-- events in ClickHouse next to eventagg's pre-aggregated tables (and for cross-checks and
-- benchmarks). Created by `eventagg schema --raw-events` (ClickHouse only); idempotent.
-- eventagg itself never writes to these tables: load them with your own pipeline, e.g.
--   INSERT INTO events FORMAT TabSeparated / JSONEachRow.
--
-- Runs on ClickHouse 18.16 and current releases.
--
-- The views are AggregatingMergeTree tables of aggregate-function *states*, read with the
-- matching -Merge functions and GROUP BY. That is the correction to the specification's
-- SummingMergeTree: a SummingMergeTree adds numeric columns of rows with the same key when parts
-- merge, so a stored unique count would be summed (the same user counted once per insert block),
-- and merging uniq states is the only way to get distinct counts across blocks right. Reads are
-- correct at any moment because they always aggregate with -Merge, whether or not ClickHouse has
-- merged the parts yet. A view sees only rows inserted after it was created.

-- One row per event, as received. timestamp is second precision; timestamp_ms keeps milliseconds.
CREATE TABLE IF NOT EXISTS events (
    uuid          Nullable(String),
    event         String,
    distinct_id   String,
    timestamp     DateTime('UTC'),
    timestamp_ms  Int64,
    environment   String,
    session_id    Nullable(String),
    properties    String              -- the properties object as JSON text ('{}' when absent)
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(timestamp)
ORDER BY (environment, event, timestamp);

-- Daily active users per environment (UTC days).
--   SELECT day, uniqMerge(users) AS dau FROM events_daily_active_users
--   WHERE environment = 'production' GROUP BY day ORDER BY day
CREATE TABLE IF NOT EXISTS events_daily_active_users (
    environment  String,
    day          Date,
    users        AggregateFunction(uniq, String)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (environment, day);

CREATE MATERIALIZED VIEW IF NOT EXISTS events_daily_active_users_mv TO events_daily_active_users AS
SELECT environment, toDate(timestamp) AS day, uniqState(distinct_id) AS users
FROM events
GROUP BY environment, day;

-- Events and unique users per event and hour (UTC).
--   SELECT hour, countMerge(events) AS events, uniqMerge(users) AS users FROM events_hourly
--   WHERE event = 'pageview' GROUP BY hour ORDER BY hour
CREATE TABLE IF NOT EXISTS events_hourly (
    environment  String,
    event        String,
    hour         DateTime('UTC'),
    events       AggregateFunction(count),
    users        AggregateFunction(uniq, String)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(hour)
ORDER BY (environment, event, hour);

CREATE MATERIALIZED VIEW IF NOT EXISTS events_hourly_mv TO events_hourly AS
SELECT environment, event, toStartOfHour(timestamp) AS hour, countState() AS events, uniqState(distinct_id) AS users
FROM events
GROUP BY environment, event, hour;

-- Per session: first and last event, number of events, the user. Events without a session_id
-- are not counted.
--   SELECT session_id, minMerge(started) AS start, maxMerge(ended) AS end, countMerge(events) AS events
--   FROM events_session_stats GROUP BY environment, session_id
--   (duration = end - start; sessions per day: GROUP BY toDate(start) over that result)
CREATE TABLE IF NOT EXISTS events_session_stats (
    environment  String,
    session_id   String,
    started      AggregateFunction(min, DateTime('UTC')),
    ended        AggregateFunction(max, DateTime('UTC')),
    events       AggregateFunction(count),
    users        AggregateFunction(uniq, String)
) ENGINE = AggregatingMergeTree()
ORDER BY (environment, session_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS events_session_stats_mv TO events_session_stats AS
SELECT environment, assumeNotNull(session_id) AS session_id, minState(timestamp) AS started, maxState(timestamp) AS ended,
       countState() AS events, uniqState(distinct_id) AS users
FROM events
WHERE session_id IS NOT NULL AND session_id != ''
GROUP BY environment, session_id;
