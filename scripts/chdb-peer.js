#!/usr/bin/env node
// The chDB peer of `make bench` (io.eventagg.bench.ChdbPeer runs it): current ClickHouse (26.x)
// in-process through the npm package chdb (pinned in infra/chdb, installed into .bench/chdb by
// `make chdb`), over the same JSON-lines files as eventagg and the other peers.
//
//   node scripts/chdb-peer.js --files A,B --uniq uniqCombined64|uniqExact --mode groupby|mv \
//        --session DIR [--threads 2] [--granularities minute,hour,day,week,month]
//        [--kept-from minute=2024-02-23T00:00:00Z]
//
// groupby: the events into a MergeTree table (timestamps in the generator's three forms, the three
// breakdown properties extracted), then per granularity (minute, hour, day, ISO week, month; UTC) the
// same per-bucket results as eventagg's time series and the DuckDB peer, each materialised as a
// table: events and unique users per (environment, event, bucket), events, unique users and unique
// sessions per (environment, bucket), events per breakdown value per (environment, event, bucket, key).
// mv: a raw events table with 25 materialized views keeping the same rollups while loading
// (AggregatingMergeTree of countState and uniq states; breakdown counts into a SummingMergeTree), as
// ClickHousePeer.rollupViews() on the ClickHouse server; then one INSERT … SELECT from the files.
//
// Prints one JSON line: events, rows (series + activity buckets), load_seconds, aggregate_seconds,
// seconds (from before the load until the answers are in tables), startup_seconds (node start,
// loading chdb, opening the session), cpu_seconds (this process, all threads), and for mv the
// buckets the views hold and the events they counted.
"use strict";
const path = require("path");
const fs = require("fs");

function args(argv) {
  const a = { threads: "2", mode: "groupby", uniq: "uniqCombined64" };
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || i + 1 >= argv.length) throw new Error("usage: see the head of " + __filename);
    a[argv[i].slice(2)] = argv[i + 1];
  }
  for (const k of ["files", "session"]) if (!a[k]) throw new Error("--" + k + " is required");
  if (!["uniqCombined64", "uniqExact"].includes(a.uniq)) throw new Error("--uniq: uniqCombined64 or uniqExact");
  if (!["groupby", "mv"].includes(a.mode)) throw new Error("--mode: groupby or mv");
  return a;
}

/** chdb from NODE_PATH, else from .bench/chdb next to this script's repository. */
function loadChdb() {
  try {
    return require("chdb");
  } catch (e) {
    const dir = process.env.CHDB_DIR || path.join(__dirname, "..", ".bench", "chdb");
    try {
      return require("module").createRequire(path.join(path.resolve(dir), "package.json"))("chdb");
    } catch (e2) {
      throw new Error("chdb is not installed in " + dir + ": run `make chdb` (" + e2.message + ")");
    }
  }
}

const a = args(process.argv.slice(2));
const { Session } = loadChdb();
fs.mkdirSync(a.session, { recursive: true });
const s = new Session(a.session);
const settings = ` SETTINGS max_threads = ${Number(a.threads)}`;
const q = (sql) => s.query(sql + settings, "CSV");
const count = (sql) => Number(String(q(sql)).trim());
const seconds = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

// file() takes a glob or a {a,b} list of names within one directory (not of whole paths); files in
// several directories are read by one file() each, UNION ALL.
const files = a.files.split(",").map((f) => path.resolve(f));
for (const f of files) if (/[{},*?']/.test(f)) throw new Error("unsupported character in path " + f);
const COLUMNS = "'JSONEachRow', 'event String, distinct_id String, timestamp String,"
  + " environment Nullable(String), session_id Nullable(String), properties String'";
const dirs = [...new Set(files.map((f) => path.dirname(f)))];
const input = files.length === 1 ? `file('${files[0]}', ${COLUMNS})`
  : dirs.length === 1 ? `file('${dirs[0]}/{${files.map((f) => path.basename(f)).join(",")}}', ${COLUMNS})`
  : "(" + files.map((f) => `SELECT * FROM file('${f}', ${COLUMNS})`).join(" UNION ALL ") + ")";
// The generator's timestamps: epoch milliseconds, or ISO 8601 text with an offset or a zone.
const TS = "if(match(timestamp, '^-?[0-9]+$'), fromUnixTimestamp64Milli(toInt64(timestamp), 'UTC'),"
  + " parseDateTime64BestEffort(timestamp, 3, 'UTC'))";
const ENV = "if(environment IS NULL OR environment = '', 'production', environment)";
const G = {
  minute: "toStartOfMinute(ts)",
  hour: "toStartOfHour(ts)",
  day: "toStartOfDay(ts)",
  week: "toDateTime(toMonday(ts))",
  month: "toDateTime(toStartOfMonth(ts))",
};
// --granularities minute,hour,...: a subset (a job that keeps fewer granularities, e.g. no minutes)
if (a.granularities) {
  const keep = a.granularities.split(",");
  for (const g of keep) if (!G[g]) throw new Error("--granularities: unknown granularity " + g);
  for (const g of Object.keys(G)) if (!keep.includes(g)) delete G[g];
}
// --kept-from minute=ISO,...: a granularity's buckets only from then on (a job's horizon, e.g.
// minutes for the last 7 days): its rollups read only the events since, as a user would write it.
const SINCE = {};
if (a["kept-from"]) {
  for (const kv of a["kept-from"].split(",")) {
    const [g, t] = kv.split("=");
    if (!G[g] || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(t || "")) throw new Error("--kept-from: granularity=ISO instant, found " + kv);
    SINCE[g] = `ts >= parseDateTime64BestEffort('${t}', 3, 'UTC')`;
  }
}
const where = (g, cond) => {
  const c = [cond, SINCE[g]].filter((x) => x);
  return c.length ? " WHERE " + c.join(" AND ") : "";
};
const KEYS = ["plan", "country", "path"];
const U = a.uniq;
const startup = process.uptime();
const out = { mode: a.mode, uniq: U, threads: Number(a.threads), startup_seconds: startup };

if (a.mode === "groupby") {
  const t0 = process.hrtime.bigint();
  q(`CREATE TABLE ev ENGINE = MergeTree ORDER BY tuple() AS SELECT event, distinct_id, session_id,`
    + ` ${ENV} AS environment, ${TS} AS ts, JSONExtractString(properties, 'plan') AS plan,`
    + ` JSONExtractString(properties, 'country') AS country, JSONExtractString(properties, 'path') AS path FROM ${input}`);
  out.load_seconds = seconds(t0);
  const t1 = process.hrtime.bigint();
  for (const [g, b] of Object.entries(G)) {
    q(`CREATE TABLE ts_${g} ENGINE = MergeTree ORDER BY tuple() AS SELECT environment, event, ${b} AS bucket,`
      + ` count() AS events, ${U}(distinct_id) AS users FROM ev${where(g)} GROUP BY environment, event, bucket`);
    q(`CREATE TABLE act_${g} ENGINE = MergeTree ORDER BY tuple() AS SELECT environment, ${b} AS bucket,`
      + ` count() AS events, ${U}(distinct_id) AS users, ${U}(session_id) AS sessions FROM ev${where(g)} GROUP BY environment, bucket`);
    q(`CREATE TABLE br_${g} ENGINE = MergeTree ORDER BY tuple() AS `
      + KEYS.map((k) => `SELECT environment, event, ${b} AS bucket, '${k}' AS key, ${k} AS value, count() AS events`
        + ` FROM ev${where(g, `${k} != ''`)} GROUP BY environment, event, bucket, value`).join(" UNION ALL "));
  }
  out.aggregate_seconds = seconds(t1);
  out.seconds = seconds(t0);
  out.events = count("SELECT count() FROM ev");
  let rows = 0, seriesEvents = 0, breakdownRows = 0;
  for (const g of Object.keys(G)) {
    rows += count(`SELECT count() FROM ts_${g}`) + count(`SELECT count() FROM act_${g}`);
    seriesEvents += count(`SELECT sum(events) FROM ts_${g}`);
    breakdownRows += count(`SELECT count() FROM br_${g}`);
  }
  out.rows = rows;
  out.series_events = seriesEvents; // every event once per granularity
  out.breakdown_rows = breakdownRows;
  if (G.day) out.series_users = count(`SELECT sum(users) FROM ts_day`);
} else {
  if (Object.keys(SINCE).length) throw new Error("--kept-from: only with --mode groupby");
  const ddl = [];
  ddl.push(`CREATE TABLE events (event String, distinct_id String, timestamp DateTime64(3, 'UTC'), environment String,`
    + ` session_id Nullable(String), properties String) ENGINE = MergeTree PARTITION BY toYYYYMM(timestamp)`
    + ` ORDER BY (environment, event, timestamp)`);
  for (const [g, b0] of Object.entries(G)) {
    const b = b0.replace("(ts)", "(timestamp)");
    ddl.push(`CREATE TABLE rollup_series_${g} (environment String, event String, bucket DateTime('UTC'),`
      + ` events AggregateFunction(count), users AggregateFunction(${U}, String)) ENGINE = AggregatingMergeTree`
      + ` PARTITION BY toYYYYMM(bucket) ORDER BY (environment, event, bucket)`);
    ddl.push(`CREATE MATERIALIZED VIEW rollup_series_${g}_mv TO rollup_series_${g} AS SELECT environment, event,`
      + ` ${b} AS bucket, countState() AS events, ${U}State(distinct_id) AS users FROM events GROUP BY environment, event, bucket`);
    // Sessions: a state of Nullable(String), as session_id's type (the uniq functions skip nulls).
    ddl.push(`CREATE TABLE rollup_activity_${g} (environment String, bucket DateTime('UTC'), events AggregateFunction(count),`
      + ` users AggregateFunction(${U}, String), sessions AggregateFunction(${U}, Nullable(String))) ENGINE = AggregatingMergeTree`
      + ` PARTITION BY toYYYYMM(bucket) ORDER BY (environment, bucket)`);
    ddl.push(`CREATE MATERIALIZED VIEW rollup_activity_${g}_mv TO rollup_activity_${g} AS SELECT environment,`
      + ` ${b} AS bucket, countState() AS events, ${U}State(distinct_id) AS users, ${U}State(session_id) AS sessions`
      + ` FROM events GROUP BY environment, bucket`);
    ddl.push(`CREATE TABLE rollup_breakdown_${g} (environment String, event String, bucket DateTime('UTC'), key String,`
      + ` value String, events UInt64) ENGINE = SummingMergeTree PARTITION BY toYYYYMM(bucket)`
      + ` ORDER BY (environment, event, bucket, key, value)`);
    for (const k of KEYS) {
      ddl.push(`CREATE MATERIALIZED VIEW rollup_breakdown_${g}_${k}_mv TO rollup_breakdown_${g} AS SELECT environment,`
        + ` event, ${b} AS bucket, '${k}' AS key, JSONExtractString(properties, '${k}') AS value, count() AS events`
        + ` FROM events WHERE value != '' GROUP BY environment, event, bucket, value`);
    }
  }
  for (const sql of ddl) s.query(sql, "CSV");
  out.views = ddl.filter((d) => d.startsWith("CREATE MATERIALIZED VIEW")).length;
  const t0 = process.hrtime.bigint();
  q(`INSERT INTO events SELECT event, distinct_id, ${TS} AS ts, ${ENV}, session_id, properties FROM ${input}`);
  out.load_seconds = seconds(t0);
  out.aggregate_seconds = 0;
  out.seconds = out.load_seconds;
  out.events = count("SELECT count() FROM events");
  out.mv_events = count(`SELECT countMerge(events) FROM rollup_activity_${Object.keys(G)[0]}`);
  let buckets = 0;
  for (const g of Object.keys(G)) {
    buckets += count(`SELECT count() FROM (SELECT environment, event, bucket FROM rollup_series_${g} GROUP BY environment, event, bucket)`);
    buckets += count(`SELECT count() FROM (SELECT environment, bucket FROM rollup_activity_${g} GROUP BY environment, bucket)`);
  }
  out.buckets = buckets;
  out.rows = buckets;
}
const cpu = process.cpuUsage();
out.cpu_seconds = (cpu.user + cpu.system) / 1e6;
out.peak_rss_bytes = process.resourceUsage().maxRSS * 1024;
s.cleanup?.();
process.stdout.write(JSON.stringify(out) + "\n");
