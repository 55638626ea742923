#!/usr/bin/env bash
# Local Flink 2.2.1 standalone session cluster (one JobManager, FLINK_TASKMANAGERS TaskManagers) without
# flink-dist. Jars in .run/lib/flink/ (resolved from infra/flink-cluster/pom.xml on first use), state and
# logs in .run/flink/, configuration from conf/flink/: config.yaml plus the state backend's file
# state-<STATE_BACKEND>.yaml, whose keys replace config.yaml's (runtime copy with absolute paths in
# .run/flink/conf/).
#
#   scripts/flink-cluster.sh up                  start JobManager + TaskManagers, wait for their slots (idempotent)
#   scripts/flink-cluster.sh down                stop every TaskManager and the JobManager (pid files; TERM, 20 s, KILL)
#   scripts/flink-cluster.sh status              one line: running or not, TaskManagers, slots, state backend
#   scripts/flink-cluster.sh taskmanagers        one line per TaskManager: INDEX PID|- RESOURCE_ID|-
#   scripts/flink-cluster.sh kill-tm [I]         kill -9 TaskManager I (default 1; chaos tests)
#   scripts/flink-cluster.sh start-tm [I]        start TaskManager I (default 1) again and wait until its slots register
#   scripts/flink-cluster.sh submit [--class MAIN] [--savepoint PATH] [--allow-non-restored] [--parallelism N] JAR [ARGS...]
#                                                submit detached; the JobID is the last line of stdout
#   scripts/flink-cluster.sh cancel JOBID        cancel and wait until the job is CANCELED
#   scripts/flink-cluster.sh stop-with-savepoint JOBID [DIR]
#                                                stop gracefully with a savepoint; prints the savepoint path
#   scripts/flink-cluster.sh list [--all]        running (or all) jobs: JOBID STATE NAME
#   scripts/flink-cluster.sh job-state JOBID     prints the job's state (RUNNING, FINISHED, ...)
#   scripts/flink-cluster.sh wait-state JOBID STATE[,STATE...] [TIMEOUT_S]
#                                                waits until the job reaches one of the states (default 120 s)
#   scripts/flink-cluster.sh wait-running JOBID [TIMEOUT_S]
#                                                waits until the job and all of its tasks are RUNNING (after a failover)
#   scripts/flink-cluster.sh cli ARGS...         any CliFrontend command (flink ARGS...)
#
# TaskManager 1 keeps the names of the single-TaskManager layout (taskmanager.pid, taskmanager.id,
# log/taskmanager.log and .out); TaskManager I > 1 has taskmanager-I.pid, taskmanager-I.id,
# log/taskmanager-I.log and .out, and the RPC port FLINK_TM_RPC_PORT + I - 1 (0 stays 0: any free port).
# They share the local state directories of RocksDB / ForSt (emptied when the JobManager starts).
#
# Environment: STATE_BACKEND (hashmap, the default | rocksdb | forst: which conf/flink/state-*.yaml
# goes into the runtime configuration; read by `up` when the JobManager starts, a running cluster
# keeps its backend until `down`), FLINK_TASKMANAGERS (TaskManagers `up` starts, default 1),
# FLINK_TM_SLOTS (slots per TaskManager, overrides taskmanager.numberOfTaskSlots), FLINK_REST
# (127.0.0.1:8081; its port is also the REST port the JobManager listens on), FLINK_RPC_PORT
# (JobManager RPC, 6123), FLINK_BLOB_PORT (6124), FLINK_TM_RPC_PORT (first TaskManager's RPC, 6125)
# -- each overrides conf/flink/config.yaml in the runtime copy; FLINK_DIR (state, logs and pid
# files, default .run/flink: a second cluster needs a directory of its own), FLINK_START_TIMEOUT
# (90 s), SUBMIT_TIMEOUT (180 s), MVN_ARGS (extra Maven options for the one-off jar resolution).
set -euo pipefail
# shellcheck source=scripts/infra-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/infra-common.sh"

FLINK_REST="${FLINK_REST:-127.0.0.1:8081}"
REST="http://$FLINK_REST"
START_TIMEOUT="${FLINK_START_TIMEOUT:-90}"

POM="$INFRA_ROOT/infra/flink-cluster/pom.xml"
LIB="$RUN_DIR/lib/flink"
F_DIR="${FLINK_DIR:-$RUN_DIR/flink}"
mkdir -p "$F_DIR"
F_DIR="$(cd "$F_DIR" && pwd)"
CONF_SRC="$INFRA_ROOT/conf/flink"
CONF="$F_DIR/conf"
LOGS="$F_DIR/log"
PLUGINS="$F_DIR/plugins"
JM_PID="$F_DIR/jobmanager.pid"
JM_MATCH="StandaloneSessionClusterEntrypoint --configDir $CONF"
TM_MATCH="TaskManagerRunner --configDir $CONF"
JM_CLASS=org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
TM_CLASS=org.apache.flink.runtime.taskexecutor.TaskManagerRunner

export FLINK_CONF_DIR="$CONF" FLINK_LIB_DIR="$LIB" FLINK_PLUGINS_DIR="$PLUGINS"

STATE_BACKENDS="hashmap rocksdb forst"
NUM_TMS="${FLINK_TASKMANAGERS:-1}"
[[ "$NUM_TMS" =~ ^[1-9][0-9]?$ ]] || die "FLINK_TASKMANAGERS: '$NUM_TMS' is not a number of TaskManagers (1-99)"

# TaskManager I: TaskManager 1 keeps the single-TaskManager names.
tm_name() { if [[ "$1" == 1 ]]; then echo taskmanager; else echo "taskmanager-$1"; fi; }
tm_pidfile() { echo "$F_DIR/$(tm_name "$1").pid"; }
tm_idfile() { echo "$F_DIR/$(tm_name "$1").id"; }
check_tm_index() { [[ "$1" =~ ^[1-9][0-9]?$ ]] || die "not a TaskManager index (1-99): '$1'"; }
# Every TaskManager index this cluster has: 1..FLINK_TASKMANAGERS, 1..the count `up` recorded, and
# each one with a pid file.
tm_indexes() {
  local n="$NUM_TMS" f i
  [[ -s "$F_DIR/taskmanagers" ]] && n=$(( $(cat "$F_DIR/taskmanagers") > n ? $(cat "$F_DIR/taskmanagers") : n ))
  {
    seq 1 "$n"
    for f in "$F_DIR"/taskmanager-*.pid; do
      [[ -e "$f" ]] || continue
      i="${f##*/taskmanager-}"; i="${i%.pid}"
      [[ "$i" =~ ^[0-9]+$ ]] && echo "$i"
    done
  } | sort -n -u
}

need curl
need jq

# --- configuration -------------------------------------------------------------------------------
state_backend() {  # the requested state backend (STATE_BACKEND), validated
  local b="${STATE_BACKEND:-hashmap}"
  [[ " $STATE_BACKENDS " == *" $b "* ]] || die "STATE_BACKEND: '$b' is not one of: $STATE_BACKENDS"
  [[ -f "$CONF_SRC/state-$b.yaml" ]] || die "missing $CONF_SRC/state-$b.yaml"
  echo "$b"
}

# merge_state BASE STATEFILE: BASE without the keys STATEFILE sets, then STATEFILE (flat keys only;
# Flink's YAML parser rejects a key that appears twice).
merge_state() {
  awk 'FNR == NR { if (match($0, /^[A-Za-z0-9_.-]+:/)) keys[substr($0, 1, RLENGTH - 1)] = 1; next }
       match($0, /^[A-Za-z0-9_.-]+:/) && (substr($0, 1, RLENGTH - 1) in keys) { next }
       { print }' "$2" "$1"
  printf '\n# === %s (STATE_BACKEND=%s), merged in by scripts/flink-cluster.sh =====================\n' \
    "conf/flink/$(basename "$2")" "$3"
  cat "$2"
}

write_conf() {
  [[ -f "$CONF_SRC/config.yaml" ]] || die "missing $CONF_SRC/config.yaml"
  local backend
  backend="$(state_backend)"
  mkdir -p "$CONF" "$LOGS" "$PLUGINS" "$F_DIR"/{tmp,web-tmp,web-upload,checkpoints,savepoints}
  # Values starting with ".run/flink/" become absolute paths under $F_DIR, other ".run/" values
  # absolute paths under $RUN_DIR (also after "file://", optionally quoted).
  merge_state "$CONF_SRC/config.yaml" "$CONF_SRC/state-$backend.yaml" "$backend" \
    | sed -E -e "s#^([A-Za-z0-9_.-]+:[[:space:]]*[\"']?(file://)?)\\.run/flink/#\\1$F_DIR/#" \
             -e "s#^([A-Za-z0-9_.-]+:[[:space:]]*[\"']?(file://)?)\\.run/#\\1$RUN_DIR/#" >"$CONF/config.yaml.new"
  [[ "$(grep -cE '^state\.backend\.type:' "$CONF/config.yaml.new")" == 1 ]] \
    || die "conf/flink/state-$backend.yaml must set state.backend.type (once)"
  # Port overrides from the environment (a second cluster next to the default one).
  local rest_port="${FLINK_REST##*:}"
  set_conf "$CONF/config.yaml.new" rest.port "$rest_port"
  set_conf "$CONF/config.yaml.new" jobmanager.rpc.port "${FLINK_RPC_PORT:-}"
  set_conf "$CONF/config.yaml.new" blob.server.port "${FLINK_BLOB_PORT:-}"
  set_conf "$CONF/config.yaml.new" taskmanager.rpc.port "${FLINK_TM_RPC_PORT:-}"
  set_conf "$CONF/config.yaml.new" taskmanager.numberOfTaskSlots "${FLINK_TM_SLOTS:-}"
  mv "$CONF/config.yaml.new" "$CONF/config.yaml"
  cp "$CONF_SRC/log4j.properties" "$CONF/log4j.properties"
  log "state backend: $backend (conf/flink/state-$backend.yaml)"
}

set_conf() {  # set_conf FILE KEY VALUE: replaces the value of a flat key (nothing when VALUE is empty)
  local file="$1" key="$2" value="$3"
  [[ -n "$value" ]] || return 0
  [[ "$value" =~ ^[0-9]+$ ]] || die "$key: '$value' is not a number"
  grep -qE "^${key//./\\.}:" "$file" || die "$key is missing in $CONF_SRC/config.yaml"
  sed -i -E "s/^(${key//./\\.}:[[:space:]]*).*$/\\1$value/" "$file"
}

conf_value() {  # conf_value KEY: value of a flat key in the runtime config, quotes stripped
  sed -nE "s/^${1//./\\.}:[[:space:]]*(.*)$/\\1/p" "$CONF/config.yaml" | tail -1 \
    | sed -E 's/^"(.*)"[[:space:]]*$/\1/; s/^'"'"'(.*)'"'"'[[:space:]]*$/\1/'
}

# JVM options for every Flink JVM: the two opens Flink needs on Java 17 + env.java.opts.all.
jvm_common() {
  local extra
  extra="$(conf_value env.java.opts.all)"
  # shellcheck disable=SC2206
  JVM_COMMON=("${JAVA_OPENS[@]}" $extra)
}

log_opts() {  # log_opts NAME
  LOG_OPTS=("-Dlog.file=$LOGS/$1.log" "-Dlog4j.configuration=file:$CONF/log4j.properties"
            "-Dlog4j.configurationFile=file:$CONF/log4j.properties" "-Dlogback.configurationFile=file:$CONF/logback.xml")
}

# resource_params GET_JM_RESOURCE_PARAMS|GET_TM_RESOURCE_PARAMS: sets RES_JVM (JVM flags) and RES_DYN (-D args)
resource_params() {
  local out lines
  out="$(timeout 60 "$JAVA" "${JAVA_OPENS[@]}" -Xmx128m -XX:TieredStopAtLevel=1 -cp "$LIB/*" \
          org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$CONF" 2>&1)" \
    || { echo "$out" >&2; die "BashJavaUtils $1 failed (memory configuration in $CONF_SRC/config.yaml?)"; }
  mapfile -t lines < <(grep '^BASH_JAVA_UTILS_EXEC_RESULT:' <<<"$out" | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://')
  [[ ${#lines[@]} -ge 2 ]] || { echo "$out" >&2; die "unexpected BashJavaUtils $1 output"; }
  # shellcheck disable=SC2206
  RES_JVM=(${lines[0]})
  # shellcheck disable=SC2206
  RES_DYN=(${lines[1]})
}

rotate_out() {  # keep the previous stdout/stderr file of a process
  [[ -s "$1" ]] && mv -f "$1" "$1.1"
  return 0
}

# --- REST helpers ----------------------------------------------------------------------------------
rest() { curl -fsS --max-time "${REST_TIMEOUT:-10}" "$@"; }
overview_ok() { rest "$REST/overview" >/dev/null 2>&1; }
slots_total() { rest "$REST/overview" 2>/dev/null | jq -r '."slots-total" // 0'; }
tm_registered() {  # tm_registered RESOURCE_ID: that TaskManager is registered and has slots
  rest "$REST/taskmanagers" 2>/dev/null | jq -e --arg id "$1" '[.taskmanagers[] | select(.id == $id and .slotsNumber > 0)] | length > 0' >/dev/null
}

# --- JobManager / TaskManager ---------------------------------------------------------------------
start_jm() {
  local pid
  port_free 127.0.0.1 "$(conf_value rest.port)" "Flink REST"
  port_free 127.0.0.1 "$(conf_value jobmanager.rpc.port)" "Flink JobManager RPC"
  port_free 127.0.0.1 "$(conf_value blob.server.port)" "Flink blob server"
  resource_params GET_JM_RESOURCE_PARAMS
  jvm_common; log_opts jobmanager
  rotate_out "$LOGS/jobmanager.out"
  start_daemon "$JM_PID" "$LOGS/jobmanager.out" "$JAVA" "${RES_JVM[@]}" "${JVM_COMMON[@]}" "${LOG_OPTS[@]}" \
    -cp "$LIB/*" "$JM_CLASS" --configDir "$CONF" "${RES_DYN[@]}"
  pid="$(cat "$JM_PID")"
  if ! WAIT_PID="$pid" wait_for "$START_TIMEOUT" "Flink REST $REST/overview" overview_ok; then
    log "--- tail of $LOGS/jobmanager.log"; tail -40 "$LOGS/jobmanager.log" >&2 2>/dev/null || true
    log "--- tail of $LOGS/jobmanager.out"; tail -20 "$LOGS/jobmanager.out" >&2 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true; rm -f "$JM_PID"
    die "JobManager did not answer $REST/overview within ${START_TIMEOUT}s"
  fi
}

# tm_port I: TaskManager I's RPC port (the configured one + I - 1; 0 or a range as configured)
tm_port() {
  local base
  base="$(conf_value taskmanager.rpc.port)"
  if [[ "$base" =~ ^[0-9]+$ && "$base" != 0 ]]; then echo $((base + $1 - 1)); else echo "$base"; fi
}

# clean_local_state: empties RocksDB's and ForSt's local working directories (not checkpoints). A
# job's configuration carries the cluster's (the CLI reads the same file) and wins over a
# TaskManager's own, so all TaskManagers share these directories (each task instance has a
# directory of its own in them); a killed TaskManager's files stay until the cluster starts again.
clean_local_state() {
  local key dir
  for key in state.backend.rocksdb.localdir state.backend.forst.local-dir; do
    dir="$(conf_value "$key")"
    [[ -n "$dir" && "$dir" == "$F_DIR"/* ]] || continue
    rm -rf "$dir"
    mkdir -p "$dir"
  done
}

start_tm() {  # start_tm I
  local i="$1" pid rid port name pidfile
  name="$(tm_name "$i")"; pidfile="$(tm_pidfile "$i")"
  port="$(tm_port "$i")"
  [[ "$port" =~ ^[0-9]+$ && "$port" != 0 ]] && port_free 127.0.0.1 "$port" "Flink TaskManager $i RPC"
  resource_params GET_TM_RESOURCE_PARAMS
  jvm_common; log_opts "$name"
  rotate_out "$LOGS/$name.out"
  rid="local-tm$( [[ "$i" == 1 ]] || echo "$i")-$(date +%Y%m%d-%H%M%S)-$$"
  start_daemon "$pidfile" "$LOGS/$name.out" "$JAVA" "${RES_JVM[@]}" "${JVM_COMMON[@]}" "${LOG_OPTS[@]}" \
    -cp "$LIB/*" "$TM_CLASS" --configDir "$CONF" "${RES_DYN[@]}" -D "taskmanager.resource-id=$rid" \
    -D "taskmanager.rpc.port=$port"
  pid="$(cat "$pidfile")"
  echo "$rid" >"$(tm_idfile "$i")"
  if ! WAIT_PID="$pid" wait_for "$START_TIMEOUT" "TaskManager $i ($rid) registration" tm_registered "$rid"; then
    log "--- tail of $LOGS/$name.log"; tail -40 "$LOGS/$name.log" >&2 2>/dev/null || true
    log "--- tail of $LOGS/$name.out"; tail -20 "$LOGS/$name.out" >&2 2>/dev/null || true
    log "--- the JobManager's log on TaskManager registrations"
    grep -E "Registering TaskManager|Registration of|$rid" "$LOGS/jobmanager.log" 2>/dev/null | tail -15 >&2 || true
    # where a live but silent TaskManager waits: its threads, kept beside its log
    if "$(dirname "$(command -v "$JAVA")")/jcmd" "$pid" Thread.print >"$LOGS/$name.threads.txt" 2>&1; then
      log "--- its main and registration threads (all of them: $LOGS/$name.threads.txt)"
      awk '/^"/{keep = ($0 ~ /"main"|pekko|flink-pekko|rpc/)} keep' "$LOGS/$name.threads.txt" | head -80 >&2 || true
    fi
    kill -KILL "$pid" 2>/dev/null || true; rm -f "$pidfile"
    die "TaskManager $i did not register its slots with the JobManager within ${START_TIMEOUT}s"
  fi
}

tm_pid() { pid_of "$(tm_pidfile "$1")" "$TM_MATCH"; }

running_tms() {  # "I:PID" for every running TaskManager
  local i pid
  for i in $(tm_indexes); do
    pid="$(tm_pid "$i")" && echo "$i:$pid"
  done
  return 0
}

cmd_up() {
  local jm tm t0 t1 i running backend
  t0="$(now)"
  if jm="$(pid_of "$JM_PID" "$JM_MATCH")"; then
    overview_ok || die "a JobManager is running (pid $jm) but $REST/overview does not answer; see $LOGS/ or run '$0 down'"
    [[ -f "$CONF/config.yaml" ]] || write_conf
    backend="$(conf_value state.backend.type)"
    if [[ -n "${STATE_BACKEND:-}" && "$STATE_BACKEND" != "$backend" ]]; then
      die "the running cluster uses the state backend '$backend', not STATE_BACKEND=$STATE_BACKEND: run '$0 down' first"
    fi
    # without FLINK_TASKMANAGERS: as many TaskManagers as the running cluster was started with
    [[ -z "${FLINK_TASKMANAGERS:-}" && -s "$F_DIR/taskmanagers" ]] && NUM_TMS="$(cat "$F_DIR/taskmanagers")"
  else
    rm -f "$JM_PID"
    running="$(running_tms)"
    if [[ -n "$running" ]]; then
      log "TaskManagers without JobManager are running ($(tr '\n' ' ' <<<"$running")): stopping them first"
      for i in $(tm_indexes); do stop_pid "$(tm_pidfile "$i")" "$TM_MATCH" "TaskManager $i" 20; done
    fi
    resolve_lib "$POM" "$LIB"
    write_conf
    clean_local_state
    backend="$(conf_value state.backend.type)"
    t1="$(now)"
    start_jm
    log "JobManager up in $(elapsed "$t1") s (pid $(cat "$JM_PID"))"
  fi
  echo "$NUM_TMS" >"$F_DIR/taskmanagers"
  local started=0
  for i in $(seq 1 "$NUM_TMS"); do
    if tm="$(tm_pid "$i")"; then continue; fi
    rm -f "$(tm_pidfile "$i")"
    t1="$(now)"
    start_tm "$i"
    started=$((started + 1))
    log "TaskManager $i up in $(elapsed "$t1") s (pid $(cat "$(tm_pidfile "$i")"), $(slots_total) slots in all)"
  done
  if ((started == 0)); then
    log "already running: JobManager pid $(cat "$JM_PID"), TaskManagers $(running_tms | tr '\n' ' ')($(slots_total) slots), state backend $backend, web UI $REST"
    return 0
  fi
  log "Flink cluster up in $(elapsed "$t0") s: $NUM_TMS TaskManager(s), $(slots_total) slots, state backend $backend, web UI $REST  logs $LOGS  checkpoints $F_DIR/checkpoints"
}

cmd_down() {
  local i
  for i in $(tm_indexes); do
    stop_pid "$(tm_pidfile "$i")" "$TM_MATCH" "TaskManager$( [[ "$i" == 1 ]] || echo " $i")" 20
    rm -f "$(tm_idfile "$i")"
  done
  stop_pid "$JM_PID" "$JM_MATCH" "JobManager" 20
  rm -f "$F_DIR/taskmanagers"
}

cmd_status() {
  local jm tms ov backend=""
  tms="$(running_tms | tr '\n' ' ')"; tms="${tms% }"
  if jm="$(pid_of "$JM_PID" "$JM_MATCH")"; then
    local tmtxt="no TaskManager" n=1 up
    [[ -s "$F_DIR/taskmanagers" ]] && n="$(cat "$F_DIR/taskmanagers")"
    up="$(wc -w <<<"$tms")"
    if [[ "$n" == 1 && "$up" == 1 ]]; then tmtxt="TaskManager pid ${tms#*:}"
    elif [[ -n "$tms" ]]; then tmtxt="TaskManagers $tms (index:pid, $up of $n running)"; fi
    [[ -f "$CONF/config.yaml" ]] && backend=", state backend $(conf_value state.backend.type)"
    if ov="$(rest "$REST/overview" 2>/dev/null)"; then
      echo "flink: running (JobManager pid $jm, $tmtxt$backend) $REST slots $(jq -r '."slots-available"' <<<"$ov")/$(jq -r '."slots-total"' <<<"$ov") free, jobs running $(jq -r '."jobs-running"' <<<"$ov")"
    else
      echo "flink: JobManager pid $jm alive but $REST/overview does not answer"; return 1
    fi
  else
    if [[ -n "$tms" ]]; then echo "flink: JobManager stopped, TaskManagers $tms (index:pid) running"; return 1; fi
    echo "flink: stopped"; return 3
  fi
}

cmd_taskmanagers() {
  local i pid rid
  for i in $(tm_indexes); do
    pid="$(tm_pid "$i")" || pid=-
    rid=-; [[ "$pid" != - && -s "$(tm_idfile "$i")" ]] && rid="$(cat "$(tm_idfile "$i")")"
    echo "$i $pid $rid"
  done
}

cmd_kill_tm() {
  local i="${1:-1}" tm pidfile
  check_tm_index "$i"
  pidfile="$(tm_pidfile "$i")"
  if tm="$(tm_pid "$i")"; then
    kill -KILL "$tm"
    local _; for _ in $(seq 1 50); do kill -0 "$tm" 2>/dev/null || break; sleep 0.1; done
    rm -f "$pidfile"
    log "TaskManager $i (pid $tm, $(cat "$(tm_idfile "$i")" 2>/dev/null)) killed with SIGKILL"
  else
    rm -f "$pidfile"
    log "TaskManager $i: not running"
  fi
}

cmd_start_tm() {
  local i="${1:-1}" jm tm t0
  check_tm_index "$i"
  jm="$(pid_of "$JM_PID" "$JM_MATCH")" || die "the JobManager is not running: use '$0 up'"
  if tm="$(tm_pid "$i")"; then
    log "TaskManager $i is already running (pid $tm)"
    return 0
  fi
  # the killed TaskManager's RPC port may linger briefly
  [[ -f "$CONF/config.yaml" ]] || write_conf
  local port; port="$(tm_port "$i")"
  if [[ "$port" =~ ^[0-9]+$ && "$port" != 0 ]]; then
    wait_for 30 "TaskManager $i RPC port $port to be released" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null" || true
  fi
  t0="$(now)"
  start_tm "$i"
  log "TaskManager $i up in $(elapsed "$t0") s (pid $(cat "$(tm_pidfile "$i")"), $(slots_total) slots registered in all)"
}

# --- jobs ------------------------------------------------------------------------------------------
require_cluster() { overview_ok || die "no Flink cluster answers at $REST (run 'make cluster-up')"; }

cli() {  # cli ARGS...: CliFrontend, bounded by SUBMIT_TIMEOUT
  [[ -f "$CONF/config.yaml" ]] || { resolve_lib "$POM" "$LIB"; write_conf; }
  jvm_common; log_opts flink-cli
  timeout "${SUBMIT_TIMEOUT:-180}" "$JAVA" "${JVM_COMMON[@]}" "${LOG_OPTS[@]}" -cp "$LIB/*" \
    org.apache.flink.client.cli.CliFrontend "$@"
}

cmd_submit() {
  local args=() jar out rc detach=(-d)
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --attached) detach=(); SUBMIT_TIMEOUT="${ATTACHED_TIMEOUT:-3600}"; shift ;;
      --class|-c) args+=(-c "${2:?--class needs a value}"); shift 2 ;;
      --savepoint|-s) args+=(-s "${2:?--savepoint needs a path}"); shift 2 ;;
      --allow-non-restored|-n) args+=(-n); shift ;;
      --parallelism|-p) args+=(-p "${2:?--parallelism needs a value}"); shift 2 ;;
      --) shift; break ;;
      -*) die "submit: unknown option '$1'" ;;
      *) break ;;
    esac
  done
  jar="${1:-}"; [[ -n "$jar" ]] || die "usage: $0 submit [--class MAIN] [--savepoint PATH] JAR [ARGS...]"
  shift
  [[ -r "$jar" ]] || die "cannot read jar '$jar'"
  require_cluster
  out="$(mktemp)"
  set +e
  if [[ ${#detach[@]} -eq 0 ]]; then
    # Attached: the program's own output (progress, summary) goes to stdout as it happens.
    cli run -m "$FLINK_REST" "${args[@]}" "$jar" "$@" 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
  else
    cli run "${detach[@]}" -m "$FLINK_REST" "${args[@]}" "$jar" "$@" >"$out" 2>&1
    rc=$?
  fi
  set -e
  [[ ${#detach[@]} -eq 0 ]] || cat "$out" >&2
  local jid
  jid="$(grep -oE 'JobID [0-9a-f]{32}' "$out" | tail -1 | cut -d' ' -f2)" || true
  rm -f "$out"
  if [[ $rc -eq 124 ]]; then die "submission timed out after ${SUBMIT_TIMEOUT:-180}s (see $LOGS/flink-cli.log)"; fi
  [[ $rc -eq 0 && -n "$jid" ]] || die "submission failed (exit $rc; see above and $LOGS/flink-cli.log)"
  [[ ${#detach[@]} -eq 0 ]] || echo "$jid"
}

check_jid() { [[ "${1:-}" =~ ^[0-9a-f]{32}$ ]] || die "not a Flink JobID (32 hex digits): '${1:-}'"; }

job_state() {  # prints the state; NOT_FOUND for an unknown job id, UNKNOWN if REST does not answer
  local body code
  body="$(curl -sS --max-time "${REST_TIMEOUT:-10}" -w '\n%{http_code}' "$REST/jobs/$1" 2>/dev/null)" || { echo UNKNOWN; return 1; }
  code="${body##*$'\n'}"
  case "$code" in
    200) jq -r '.state' <<<"${body%$'\n'*}" ;;
    404) echo NOT_FOUND; return 1 ;;
    *) echo UNKNOWN; return 1 ;;
  esac
}

wait_state() {  # wait_state JOBID STATES TIMEOUT
  local jid="$1" states=",$2," timeout="${3:-120}" st=""
  check_jid "$jid"
  local deadline=$((SECONDS + timeout))
  while :; do
    st="$(job_state "$jid" 2>/dev/null)" || true
    [[ "$states" == *",$st,"* ]] && { echo "$st"; return 0; }
    case "$st" in FINISHED|CANCELED|FAILED|NOT_FOUND)
      log "job $jid reached terminal state $st (waiting for $2)"; echo "$st"; return 1 ;;
    esac
    if ((SECONDS >= deadline)); then log "job $jid still $st after ${timeout}s (waiting for $2)"; echo "$st"; return 1; fi
    sleep 0.5
  done
}

# wait_tasks_running JOBID TIMEOUT: the job is RUNNING and so is every task (all vertices RUNNING or
# FINISHED) -- after a TaskManager loss the job is RUNNING again long before its tasks are.
wait_tasks_running() {
  local jid="$1" timeout="${2:-120}" body st
  check_jid "$jid"
  local deadline=$((SECONDS + timeout))
  while :; do
    body="$(rest "$REST/jobs/$jid" 2>/dev/null || echo '{}')"
    st="$(jq -r '.state // "UNKNOWN"' <<<"$body")"
    if [[ "$st" == RUNNING ]] && jq -e '[.vertices[] | select(.status != "RUNNING" and .status != "FINISHED")] | length == 0' <<<"$body" >/dev/null; then
      echo RUNNING; return 0
    fi
    case "$st" in FINISHED|CANCELED|FAILED) log "job $jid reached terminal state $st"; echo "$st"; return 1 ;; esac
    if ((SECONDS >= deadline)); then
      log "job $jid: tasks not all RUNNING after ${timeout}s ($(jq -c '[.vertices[]?.status]' <<<"$body"))"; echo "$st"; return 1
    fi
    sleep 0.5
  done
}

cmd_cancel() {
  local jid="${1:?usage: $0 cancel JOBID}"
  check_jid "$jid"
  require_cluster
  curl -fsS --max-time 10 -X PATCH "$REST/jobs/$jid?mode=cancel" >/dev/null || die "cancel request for $jid failed"
  local st; st="$(wait_state "$jid" CANCELED "${CANCEL_TIMEOUT:-60}")" || die "job $jid did not cancel (state $st)"
  log "job $jid CANCELED"
}

cmd_stop_with_savepoint() {
  local jid="${1:?usage: $0 stop-with-savepoint JOBID [DIR]}" dir="${2:-}" body reqid res st
  check_jid "$jid"
  require_cluster
  [[ -n "$dir" ]] || dir="$(conf_value execution.checkpointing.savepoint-dir)"
  [[ "$dir" == /* || "$dir" == *://* ]] || dir="$(pwd)/$dir"
  body="$(jq -nc --arg d "$dir" '{targetDirectory: $d, drain: false}')"
  reqid="$(rest -X POST -H 'Content-Type: application/json' -d "$body" "$REST/jobs/$jid/stop" | jq -r '."request-id"')" \
    || die "stop-with-savepoint request for $jid failed"
  local deadline=$((SECONDS + ${SAVEPOINT_TIMEOUT:-180}))
  while :; do
    res="$(rest "$REST/jobs/$jid/savepoints/$reqid" 2>/dev/null || echo '{}')"
    st="$(jq -r '.status.id // "UNKNOWN"' <<<"$res")"
    [[ "$st" == COMPLETED ]] && break
    ((SECONDS < deadline)) || die "savepoint of $jid not completed after ${SAVEPOINT_TIMEOUT:-180}s"
    sleep 0.5
  done
  local loc
  loc="$(jq -r '.operation.location // empty' <<<"$res")"
  if [[ -z "$loc" ]]; then
    jq -r '.operation."failure-cause"."stack-trace" // .operation' <<<"$res" | head -30 >&2
    die "stop-with-savepoint of $jid failed"
  fi
  wait_state "$jid" FINISHED "${CANCEL_TIMEOUT:-60}" >/dev/null || log "warning: job $jid did not reach FINISHED after the savepoint"
  log "job $jid stopped with savepoint $loc"
  echo "$loc"
}

cmd_list() {
  require_cluster
  local filter='select(.state | IN("FINISHED","CANCELED","FAILED") | not)'
  [[ "${1:-}" == --all ]] && filter='.'
  rest "$REST/jobs/overview" | jq -r ".jobs | sort_by(.\"start-time\") | .[] | $filter | [.jid, .state, .name] | @tsv"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  taskmanagers) cmd_taskmanagers ;;
  kill-tm) shift; cmd_kill_tm "$@" ;;
  start-tm) shift; cmd_start_tm "$@" ;;
  submit) shift; cmd_submit "$@" ;;
  cancel) shift; cmd_cancel "$@" ;;
  stop-with-savepoint) shift; cmd_stop_with_savepoint "$@" ;;
  list) shift; cmd_list "$@" ;;
  job-state) shift; require_cluster; check_jid "${1:-}"; job_state "$1" ;;
  wait-state) shift; require_cluster; wait_state "${1:?JOBID}" "${2:?STATE}" "${3:-120}" ;;
  wait-running) shift; require_cluster; wait_tasks_running "${1:-}" "${2:-120}" ;;
  cli) shift; cli "$@" ;;
  *) echo "usage: $0 {up|down|status|taskmanagers|kill-tm [I]|start-tm [I]|submit [--attached] [--class MAIN] [--savepoint PATH] JAR ARGS...|cancel JOBID|stop-with-savepoint JOBID [DIR]|list [--all]|job-state JOBID|wait-state JOBID STATE [TIMEOUT_S]|wait-running JOBID [TIMEOUT_S]|cli ARGS...}" >&2; exit 2 ;;
esac
