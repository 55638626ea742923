#!/usr/bin/env bash
# `make chaos`: fault injection on the real components (src/test/java/io/eventagg/chaos/FaultInjectionChaos.java).
# A Flink standalone cluster, a Kafka broker and a ClickHouse server of its own -- own ports, state
# under .run/chaos/ -- so the default services (and other tests using them) are left alone. Whatever
# happens (failure, timeout, Ctrl-C), the trap stops the services and both runs again (plus a second
# ClickHouse server for the undisturbed run).
#
# The cluster has two TaskManagers of one slot each (the job at parallelism 2 spans both; the kills
# take one of them) and the state backend STATE_BACKEND (hashmap, the default | rocksdb | forst:
# conf/flink/state-<backend>.yaml; the test checks the job really runs on it).
#
# Environment: STATE_BACKEND, CHAOS_TIMEOUT (18m: the whole run, then it fails; JUnit's timeout is
# a minute less), CHAOS_SEED (repeat the fault moments of an earlier run), CHAOS_USERS / CHAOS_DAYS
# (dataset size), CHAOS_PRODUCE_SECONDS, CHAOS_OUTAGE_SECONDS, CHAOS_IDLENESS (30s),
# CHAOS_BROKER_DURING_CATCHUP (1; 0 restarts the broker early); the ports below. Arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."

export CLICKHOUSE_DIR=.run/chaos/clickhouse CLICKHOUSE_HTTP="${CHAOS_CLICKHOUSE_HTTP:-28123}" CLICKHOUSE_TCP="${CHAOS_CLICKHOUSE_TCP:-29000}"
export KAFKA_DIR=.run/chaos/kafka KAFKA_PORT="${CHAOS_KAFKA_PORT:-29092}" KAFKA_CONTROLLER_PORT="${CHAOS_KAFKA_CONTROLLER_PORT:-29093}"
export KAFKA_BOOTSTRAP="127.0.0.1:$KAFKA_PORT" TOPIC=chaos PARTITIONS=4
export FLINK_DIR=.run/chaos/flink FLINK_REST="127.0.0.1:${CHAOS_FLINK_REST_PORT:-28081}" FLINK_RPC_PORT="${CHAOS_FLINK_RPC_PORT:-26123}"
export FLINK_BLOB_PORT="${CHAOS_FLINK_BLOB_PORT:-26124}" FLINK_TM_RPC_PORT="${CHAOS_FLINK_TM_RPC_PORT:-26125}"
export STATE_BACKEND="${STATE_BACKEND:-hashmap}" FLINK_TASKMANAGERS=2 FLINK_TM_SLOTS=1
case "$STATE_BACKEND" in
  hashmap|rocksdb|forst) ;;
  *) echo "[chaos] STATE_BACKEND must be hashmap, rocksdb or forst (not '$STATE_BACKEND')" >&2; exit 2 ;;
esac

# CHAOS_TIMEOUT (as timeout(1) reads it: a number with an optional s, m, h or d) in seconds.
CHAOS_TIMEOUT="${CHAOS_TIMEOUT:-18m}"
timeout_s="$(awk -v t="$CHAOS_TIMEOUT" 'BEGIN {
  if (match(t, /^[0-9]+(\.[0-9]+)?[smhd]?$/) == 0) exit 1
  u = substr(t, length(t)); n = t + 0
  if (u == "m") n *= 60; else if (u == "h") n *= 3600; else if (u == "d") n *= 86400
  printf "%d", n }')" || { echo "[chaos] CHAOS_TIMEOUT: '$CHAOS_TIMEOUT' is not a duration (18m, 1800, 1h)" >&2; exit 2; }
((timeout_s >= 180)) || { echo "[chaos] CHAOS_TIMEOUT: at least 3 minutes" >&2; exit 2; }

# kill_pidfile FILE MATCH: SIGKILL the process a pid file names if its command line contains MATCH
# (the test JVM and its undisturbed run write them; a stale file names nothing or another process).
kill_pidfile() {
  local pid
  [[ -f "$1" ]] || return 0
  pid="$(tr -dc '0-9' <"$1")"
  [[ -n "$pid" ]] && { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qF -- "$2" && kill -KILL "$pid" 2>/dev/null
  rm -f "$1"
}

# The second ClickHouse server (the undisturbed run's), as FaultInjectionChaos starts it.
clickhouse_ref() {
  CLICKHOUSE_DIR=.run/chaos/clickhouse-ref CLICKHOUSE_HTTP="${CHAOS_CLICKHOUSE_REF_HTTP:-28124}" \
    CLICKHOUSE_TCP="${CHAOS_CLICKHOUSE_REF_TCP:-29001}" bash scripts/clickhouse.sh "$@"
}
export CLICKHOUSE_REF_HTTP="${CHAOS_CLICKHOUSE_REF_HTTP:-28124}" CLICKHOUSE_REF_TCP="${CHAOS_CLICKHOUSE_REF_TCP:-29001}"

stop_services() {
  bash scripts/flink-cluster.sh down >/dev/null 2>&1 || true
  bash scripts/kafka.sh down >/dev/null 2>&1 || true
  bash scripts/clickhouse.sh down >/dev/null 2>&1 || true
  clickhouse_ref down >/dev/null 2>&1 || true
}

cleanup() {
  local rc=$?
  kill_pidfile .run/chaos/test.pid surefire || true
  kill_pidfile .run/chaos/reference.pid eventagg-cli.jar || true
  stop_services
  [[ -n "${rm_pid:-}" ]] && wait "$rm_pid" 2>/dev/null
  [[ $rc -eq 124 ]] && echo "[chaos] FAILED: timed out after $CHAOS_TIMEOUT" >&2
  # how often the surviving TaskManager exited of the known Flink 2.2.1 race and was started again
  # (docs/operations.md, "Known Flink behaviour"; the test writes the count)
  local races=""
  [[ -s target/chaos/survivor-restarts ]] \
    && races=", surviving TaskManager restarted after the known Flink race: $(tr -dc '0-9' <target/chaos/survivor-restarts) of 3 kills"
  [[ -s target/chaos/unregistered-restarts && "$(tr -dc '0-9' <target/chaos/unregistered-restarts)" != 0 ]] \
    && races+=", TaskManager starts retried after not registering: $(tr -dc '0-9' <target/chaos/unregistered-restarts) (report: TASKMANAGER START FAILED)"
  echo "[chaos] $( ((rc == 0)) && echo passed || echo "FAILED (exit $rc)") in $((SECONDS - chaos_t0)) s: state backend $STATE_BACKEND, 2 TaskManagers$races (report: target/chaos/report.txt)" >&2
  exit $rc
}
chaos_t0=$SECONDS
trap cleanup EXIT
trap 'exit 130' INT TERM

# The previous run's state (ClickHouse keeps tens of thousands of part files) is moved aside and
# deleted while this run starts; its services are stopped first (their pid files are in it).
stop_services
if [[ -e .run/chaos ]]; then
  old=".run/chaos.old.$$"
  mv .run/chaos "$old"
  nice rm -rf "$old" &
  rm_pid=$!
fi

rm -f target/chaos/survivor-restarts target/chaos/unregistered-restarts
[[ -s target/eventagg-job.jar ]] || { echo "[chaos] target/eventagg-job.jar is missing: run 'make package'" >&2; exit 2; }
echo "[chaos] state backend $STATE_BACKEND (conf/flink/state-$STATE_BACKEND.yaml), 2 TaskManagers with 1 slot each, timeout $CHAOS_TIMEOUT" >&2
timeout --kill-after=30s "$timeout_s" \
  mvn -B test -Dtest=FaultInjectionChaos -Dsurefire.failIfNoSpecifiedTests=false -DtrimStackTrace=false \
    -Djunit.jupiter.execution.timeout.default="$((timeout_s - 60))s" "$@"
