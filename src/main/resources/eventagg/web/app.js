// The eventagg dashboard: one page over the JSON API (/api/v1/...). The view's state (range,
// environment, events, granularity, breakdown, time zone, funnel, retention, mode) lives in the URL,
// so a view can be shared. No build step: plain JavaScript and ECharts from the jar.
"use strict";

const $ = (id) => document.getElementById(id);
const fmt = (n) => (n == null ? "–" : Number(n).toLocaleString("en-US"));
const pct = (x) => (x == null ? "–" : (100 * x).toFixed(1) + "%");
const duration = (s) => {
  if (s == null) return "–";
  if (s < 120) return s.toFixed(0) + "s";
  if (s < 7200) return (s / 60).toFixed(1) + "m";
  if (s < 172800) return (s / 3600).toFixed(1) + "h";
  return (s / 86400).toFixed(1) + "d";
};
const DAY_MS = 86400000;
const ACTIVE_WINDOWS = [7, 28, 30];
// Zones offered besides the job's and the browser's own; the API takes any IANA zone.
const ZONES = ["UTC", "America/Los_Angeles", "America/New_York", "America/Sao_Paulo", "Europe/London", "Europe/Berlin", "Asia/Kolkata", "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney"];
const charts = {};
let catalog = null;
const view = new URLSearchParams(location.search);

function chart(id) {
  // No animation: a chart shows its numbers at once (and a screenshot shows all of them).
  if (!charts[id]) charts[id] = echarts.init($(id));
  return charts[id];
}

async function api(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v != null && v !== "") q.set(k, v);
  const headers = {};
  const token = sessionStorage.getItem("eventagg-token");
  if (token) headers.Authorization = "Bearer " + token;
  const r = await fetch(path + (q.toString() ? "?" + q : ""), { headers });
  if (r.status === 401) {
    $("token-box").hidden = false;
    throw new Error("this server needs its API token");
  }
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

/** Reads the controls into the URL (and the URL into the controls at start). */
function saveView() {
  const v = new URLSearchParams();
  v.set("from", $("from").value);
  v.set("to", $("to").value);
  if ($("environment").value) v.set("environment", $("environment").value);
  v.set("granularity", $("granularity").value);
  const events = [...$("events").selectedOptions].map((o) => o.value).filter((e) => e);
  if (events.length) v.set("events", events.join(","));
  if ($("breakdown").value) v.set("breakdown", $("breakdown").value);
  if ($("timezone").value) v.set("timezone", $("timezone").value);
  if ($("funnel-select").value) v.set("funnel", $("funnel-select").value);
  if ($("retention-select").value) v.set("retention", $("retention-select").value);
  v.set("mode", $("mode").value);
  if ($("stickiness-period").value) v.set("stickiness", $("stickiness-period").value);
  if ($("measure-select").value) v.set("measure", $("measure-select").value);
  history.replaceState(null, "", "?" + v);
}

function options(select, values, selected) {
  for (const value of values) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = value;
    o.selected = Array.isArray(selected) ? selected.includes(value) : value === selected;
    select.appendChild(o);
  }
}

/** A bucket's start as a local date-time in the zone its buckets are in (the chosen one, else the job's). */
function localTime(iso) {
  const zone = $("timezone").value || catalog.timezone;
  const f = new Intl.DateTimeFormat("sv-SE", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  return f.format(new Date(iso));
}

function isoDate(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

function range() {
  return { from: $("from").value, to: $("to").value, environment: $("environment").value };
}

function showError(id, e) {
  $(id).hidden = !e;
  $(id).textContent = e ? e.message : "";
}

async function trend() {
  const events = [...$("events").selectedOptions].map((o) => o.value).filter((e) => e);
  const key = $("breakdown").value;
  const daily = $("granularity").value === "day";
  const r = await api("/api/v1/timeseries", {
    ...range(),
    granularity: $("granularity").value,
    events: events.join(","),
    breakdown: key,
    timezone: $("timezone").value,
    active_windows: daily ? ACTIVE_WINDOWS.join(",") : "",
  });
  activeChart(daily ? r : null);
  $("trend-total").textContent = fmt(r.total);
  $("trend-users").textContent = fmt(r.unique_users);
  $("trend-sessions-box").hidden = r.unique_sessions == null;
  $("trend-sessions").textContent = fmt(r.unique_sessions);
  const x = r.series.map((p) => p.timestamp);
  let series;
  const tbody = $("breakdown-table").querySelector("tbody");
  tbody.replaceChildren();
  if (key) {
    const totals = Object.entries((r.breakdown_totals || {})[key] || {}).sort((a, b) => b[1] - a[1]);
    // Absent when rows of the range were written before values kept their users.
    const users = (r.breakdown_unique_users_totals || {})[key];
    for (const [value, n] of totals) {
      const tr = document.createElement("tr");
      tr.innerHTML = "<td></td><td></td><td></td>";
      tr.children[0].textContent = value;
      tr.children[1].textContent = fmt(n);
      tr.children[2].textContent = users ? fmt(users[value]) : "–";
      tbody.appendChild(tr);
    }
    series = totals.slice(0, 8).map(([value]) => ({
      name: key + " = " + value,
      type: "line",
      showSymbol: false,
      data: r.series.map((p) => ((p.breakdown || {})[key] || {})[value] || 0),
    }));
  } else {
    series = [
      { name: "events", type: "line", showSymbol: false, data: r.series.map((p) => p.count) },
      { name: "unique users", type: "line", showSymbol: false, data: r.series.map((p) => p.unique_users) },
    ];
    if (r.unique_sessions != null)
      series.push({ name: "sessions", type: "line", showSymbol: false, data: r.series.map((p) => p.unique_sessions) });
  }
  $("breakdown-table").hidden = !key;
  chart("trend-chart").setOption(
    {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { type: "scroll" },
      grid: { left: 60, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: x, axisLabel: { formatter: (t) => localTime(t).replace(" 00:00", "") } },
      yAxis: { type: "value" },
      series,
    },
    true
  );
}

/** Rolling active users for each day of the trend (the API's active_users), when it is daily. */
function activeChart(r) {
  $("active-title").hidden = !r;
  $("active-chart").hidden = !r;
  if (!r) return;
  chart("active-chart").setOption(
    {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: {},
      grid: { left: 60, right: 20, top: 30, bottom: 30 },
      xAxis: { type: "category", data: r.series.map((p) => p.timestamp), axisLabel: { formatter: (t) => localTime(t).slice(0, 10) } },
      yAxis: { type: "value" },
      series: ACTIVE_WINDOWS.map((w) => ({
        name: w + "-day active users",
        type: "line",
        showSymbol: false,
        data: r.series.map((p) => p.active_users[w + "d"]),
      })),
    },
    true
  );
  chart("active-chart").resize();
}

/**
 * Active users as rolling windows ending at "to": unique users of all events in the 1, 7 and 30 days
 * before it (the union of the day buckets' sketches, never a sum).
 */
async function activeUsers() {
  const g = catalog.granularities.includes("day") ? "day" : catalog.granularities.includes("hour") ? "hour" : null;
  for (const [days, id] of [[1, "dau"], [7, "wau"], [30, "mau"]]) {
    $(id).textContent = "–";
    if (!g) continue;
    const to = $("to").value;
    const from = isoDate(Date.parse(to) - days * DAY_MS);
    const r = await api("/api/v1/timeseries", { from, to, environment: $("environment").value, granularity: g, timezone: $("timezone").value });
    $(id).textContent = fmt(r.unique_users);
    $(id).title = "unique users from " + from + " to " + to;
  }
}

async function funnel() {
  const name = $("funnel-select").value;
  const tbody = $("funnel-table").querySelector("tbody");
  tbody.replaceChildren();
  if (!name) return;
  const r = await api("/api/v1/funnels/" + encodeURIComponent(name), range());
  r.steps.forEach((s, i) => {
    const tr = document.createElement("tr");
    const cells = [
      i + 1 + ". " + s.name,
      fmt(s.users),
      pct(s.conversion_rate),
      pct(s.drop_off_rate),
      duration(s.median_time_from_previous_seconds),
      duration(s.p90_time_from_previous_seconds),
    ];
    for (const c of cells) {
      const td = document.createElement("td");
      td.textContent = c;
      tr.appendChild(td);
    }
    tr.children[1].className = "users";
    tbody.appendChild(tr);
  });
  $("funnel-overall").textContent = pct(r.overall_conversion_rate);
  $("funnel-median").textContent = duration(r.median_time_to_convert_seconds);
  $("funnel-p90").textContent = duration(r.p90_time_to_convert_seconds);
  $("funnel-incomplete").hidden = !r.incomplete;
  chart("funnel-chart").setOption(
    {
      animation: false,
      tooltip: { trigger: "axis" },
      grid: { left: 60, right: 20, top: 20, bottom: 50 },
      xAxis: { type: "category", data: r.steps.map((s) => s.name), axisLabel: { interval: 0 } },
      yAxis: { type: "value" },
      series: [
        {
          type: "bar",
          data: r.steps.map((s) => s.users),
          label: { show: true, position: "top", formatter: (p) => fmt(p.value) + " (" + pct(r.steps[p.dataIndex].conversion_rate) + ")" },
        },
      ],
    },
    true
  );
}

async function retention() {
  const name = $("retention-select").value;
  const thead = $("retention-table").querySelector("thead");
  const tbody = $("retention-table").querySelector("tbody");
  thead.replaceChildren();
  tbody.replaceChildren();
  if (!name) return;
  const r = await api("/api/v1/retention/" + encodeURIComponent(name), { ...range(), mode: $("mode").value });
  const periods = r.overall_retention.length;
  const head = document.createElement("tr");
  head.innerHTML = "<th>Cohort</th><th>Size</th>" + [...Array(periods).keys()].map((k) => "<th>P" + k + "</th>").join("");
  thead.appendChild(head);
  const data = [];
  r.cohorts.forEach((c, row) => {
    const tr = document.createElement("tr");
    const first = document.createElement("td");
    first.textContent = c.cohort_date.slice(0, 10);
    const size = document.createElement("td");
    size.textContent = fmt(c.cohort_size);
    size.className = "size";
    tr.append(first, size);
    c.retention.forEach((v, k) => {
      const td = document.createElement("td");
      if (v == null) {
        td.textContent = "…";
        td.className = "open";
        td.title = "period not over yet";
      } else {
        td.textContent = pct(v);
        data.push([k, row, +(100 * v).toFixed(1)]);
      }
      tr.appendChild(td);
    });
    tbody.appendChild(tr);
  });
  const overall = document.createElement("tr");
  overall.innerHTML = "<td>overall</td><td></td>" + r.overall_retention.map((v) => "<td>" + pct(v) + "</td>").join("");
  tbody.appendChild(overall);
  $("retention-incomplete").hidden = !r.incomplete;
  chart("retention-chart").setOption(
    {
      animation: false,
      tooltip: { formatter: (p) => r.cohorts[p.value[1]].cohort_date.slice(0, 10) + ", P" + p.value[0] + ": " + p.value[2] + "%" },
      grid: { left: 90, right: 20, top: 10, bottom: 60 },
      xAxis: { type: "category", data: [...Array(periods).keys()].map((k) => "P" + k) },
      yAxis: { type: "category", inverse: true, data: r.cohorts.map((c) => c.cohort_date.slice(0, 10)) },
      visualMap: { min: 0, max: 100, calculable: true, orient: "horizontal", left: "center", bottom: 0 },
      series: [{ type: "heatmap", data, label: { show: true, formatter: (p) => p.value[2] + "%" } }],
    },
    true
  );
}

/** A numeric measure per bucket of the trend's granularity (the API's measures), when the job has one. */
async function measure() {
  const name = $("measure-select").value;
  if (!name) return;
  const r = await api("/api/v1/measures/" + encodeURIComponent(name), { ...range(), granularity: $("granularity").value });
  const num = (x) => (x == null ? "–" : Number(x).toLocaleString("en-US", { maximumFractionDigits: 2 }));
  $("measure-property").textContent = "property " + r.property;
  for (const [id, v] of [["sum", r.total.sum], ["average", r.total.average], ["p50", r.total.p50], ["p90", r.total.p90], ["p99", r.total.p99], ["non-numeric", r.total.non_numeric]])
    $("measure-" + id).textContent = num(v);
  chart("measure-chart").setOption(
    {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: {},
      grid: { left: 60, right: 60, top: 30, bottom: 30 },
      xAxis: { type: "category", data: r.series.map((p) => p.timestamp), axisLabel: { formatter: (t) => localTime(t).replace(" 00:00", "") } },
      yAxis: [{ type: "value", name: "sum" }, { type: "value", name: "p50 / p90" }],
      series: [
        { name: "sum", type: "bar", data: r.series.map((p) => p.stats.sum) },
        { name: "p50", type: "line", yAxisIndex: 1, showSymbol: false, data: r.series.map((p) => p.stats.p50) },
        { name: "p90", type: "line", yAxisIndex: 1, showSymbol: false, data: r.series.map((p) => p.stats.p90) },
      ],
    },
    true
  );
}

/** Users by active days per week or month (the API's stickiness), when the job counts it. */
async function stickiness() {
  const period = $("stickiness-period").value;
  const thead = $("stickiness-table").querySelector("thead");
  const tbody = $("stickiness-table").querySelector("tbody");
  thead.replaceChildren();
  tbody.replaceChildren();
  if (!period) return;
  const r = await api("/api/v1/stickiness", { ...range(), period });
  const days = r.total_by_days.length;
  const head = document.createElement("tr");
  head.innerHTML = "<th>Period</th><th>Active users</th>" + [...Array(days).keys()].map((k) => "<th>" + (k + 1) + "d</th>").join("");
  thead.appendChild(head);
  for (const p of r.periods) {
    const tr = document.createElement("tr");
    const cells = [p.period_start.slice(0, 10) + (p.complete ? "" : " …"), fmt(p.active_users), ...p.users_by_days.map(fmt)];
    for (const c of cells) {
      const td = document.createElement("td");
      td.textContent = c;
      tr.appendChild(td);
    }
    tbody.appendChild(tr);
  }
  $("stickiness-average").textContent = r.average_days_active.toFixed(2);
  $("stickiness-incomplete").hidden = !r.incomplete;
  chart("stickiness-chart").setOption(
    {
      animation: false,
      tooltip: { trigger: "axis" },
      grid: { left: 60, right: 20, top: 20, bottom: 30 },
      xAxis: { type: "category", data: [...Array(days).keys()].map((k) => k + 1 + (k ? " days" : " day")) },
      yAxis: { type: "value" },
      series: [{ type: "bar", data: r.total_by_days }],
    },
    true
  );
}

async function refresh() {
  saveView();
  $("status").textContent = "loading…";
  const parts = [
    ["trend-error", trend],
    ["trend-error", activeUsers],
    ["funnel-error", funnel],
    ["retention-error", retention],
    ["stickiness-error", stickiness],
    ["measure-error", measure],
  ];
  for (const id of new Set(parts.map((p) => p[0]))) showError(id, null);
  await Promise.all(
    parts.map(([id, f]) =>
      f().catch((e) => {
        showError(id, e);
      })
    )
  );
  $("status").textContent = "";
  document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
}

async function start() {
  $("token-save").onclick = () => {
    sessionStorage.setItem("eventagg-token", $("token").value);
    location.reload();
  };
  try {
    catalog = await api("/api/v1/catalog");
  } catch (e) {
    $("status").textContent = e.message;
    return;
  }
  $("job").textContent = catalog.job + " (" + catalog.timezone + ")";
  $("progress").textContent = catalog.watermark
    ? "data up to " + catalog.watermark.replace("T", " ").slice(0, 16) + " UTC; final before " + catalog.final_before.replace("T", " ").slice(0, 16)
    : "no data yet";
  const end = catalog.watermark ? Date.parse(catalog.watermark) + DAY_MS : Date.now();
  $("to").value = view.get("to") || isoDate(end);
  $("from").value = view.get("from") || isoDate(Date.parse($("to").value) - 28 * DAY_MS);
  options($("environment"), catalog.environments, view.get("environment") || "");
  const g = view.get("granularity") || (catalog.granularities.includes("day") ? "day" : catalog.granularities[0]);
  options($("granularity"), catalog.granularities, g);
  const all = document.createElement("option");
  all.value = "";
  all.textContent = "(all events)";
  $("events").appendChild(all);
  options($("events"), catalog.events, (view.get("events") || "").split(","));
  // Actions are series like events, asked for by name.
  for (const a of catalog.actions || []) {
    const o = document.createElement("option");
    o.value = a;
    o.textContent = a + " (action)";
    o.selected = (view.get("events") || "").split(",").includes(a);
    $("events").appendChild(o);
  }
  options($("breakdown"), catalog.breakdowns, view.get("breakdown") || "");
  $("timezone").options[0].textContent = "the job's (" + catalog.timezone + ")";
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const zones = [...new Set([browserZone, ...ZONES, view.get("timezone")])].filter((z) => z && z !== catalog.timezone);
  options($("timezone"), zones, view.get("timezone") || "");
  options($("funnel-select"), catalog.funnels.map((f) => f.name), view.get("funnel") || "");
  options($("retention-select"), catalog.retention.map((r) => r.name), view.get("retention") || "");
  $("mode").value = view.get("mode") || "on";
  $("stickiness").hidden = !(catalog.stickiness || []).length;
  $("measure").hidden = !(catalog.measures || []).length;
  options($("measure-select"), (catalog.measures || []).map((m) => m.name), view.get("measure") || ((catalog.measures || [])[0] || {}).name);
  options($("stickiness-period"), catalog.stickiness || [], view.get("stickiness") || (catalog.stickiness || [])[0]);
  for (const id of ["environment", "from", "to", "granularity", "events", "breakdown", "timezone", "funnel-select", "retention-select", "mode", "stickiness-period", "measure-select"])
    $(id).addEventListener("change", refresh);
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
  await refresh();
}

start();
