-- The specification's names for the raw events' rollups, so that its readers find them: three
-- materialized views over `events` (dau_mv, hourly_events_mv, session_stats_mv) and two plain views
-- of finished numbers (event_counts_hourly, daily_active_users). Created with raw-events.sql by
-- `eventagg schema --raw-events [--timezone ZONE]`, bucketed in that zone (the job's: days and hours
-- as its dashboards show them); {timezone} is replaced by it.
--
-- Corrected as raw-events.sql is: the specification's SummingMergeTree would add the stored unique
-- counts of rows with the same key when parts merge (a user counted once per insert block); here
-- the views keep aggregate-function states (AggregatingMergeTree) and the plain views finish them
-- with -Merge, so a unique count is always a union. Note that uniq is ClickHouse's approximate
-- distinct count (exact for small sets).

CREATE MATERIALIZED VIEW IF NOT EXISTS dau_mv
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(date)
ORDER BY (environment, date)
AS SELECT toDate(timestamp, '{timezone}') AS date, environment, uniqState(distinct_id) AS users
FROM events
GROUP BY date, environment;

CREATE MATERIALIZED VIEW IF NOT EXISTS hourly_events_mv
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(hour)
ORDER BY (environment, event, hour)
AS SELECT toStartOfHour(timestamp, '{timezone}') AS hour, environment, event, countState() AS events,
          uniqState(distinct_id) AS users
FROM events
GROUP BY hour, environment, event;

CREATE MATERIALIZED VIEW IF NOT EXISTS session_stats_mv
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(date)
ORDER BY (environment, date)
AS SELECT toDate(timestamp, '{timezone}') AS date, environment, countState() AS total_events,
          uniqState(assumeNotNull(session_id)) AS sessions, uniqState(distinct_id) AS users
FROM events
WHERE session_id IS NOT NULL AND session_id != ''
GROUP BY date, environment;

-- The specification's event_counts_hourly (hour, environment, event, count, unique_users).
CREATE VIEW IF NOT EXISTS event_counts_hourly AS
SELECT hour, environment, event, countMerge(events) AS `count`, uniqMerge(users) AS unique_users
FROM hourly_events_mv
GROUP BY hour, environment, event;

-- The specification's daily_active_users (date, environment, user_count).
CREATE VIEW IF NOT EXISTS daily_active_users AS
SELECT date, environment, uniqMerge(users) AS user_count
FROM dau_mv
GROUP BY date, environment;
