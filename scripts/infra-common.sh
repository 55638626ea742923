# shellcheck shell=bash
# Shared helpers for scripts/clickhouse.sh, scripts/kafka.sh and scripts/flink-cluster.sh.
# Sourced, not executed. Everything a service writes lives under $RUN_DIR (default: <repo>/.run).

INFRA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="${EVENTAGG_RUN_DIR:-$INFRA_ROOT/.run}"
mkdir -p "$RUN_DIR"
RUN_DIR="$(cd "$RUN_DIR" && pwd)"

# Java 17: every JVM we launch gets these (Flink's reflection into java.util / java.lang needs them).
# shellcheck disable=SC2034  # used by the scripts that source this file
JAVA_OPENS=(--add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED)

if [[ -n "${JAVA_HOME:-}" && -x "${JAVA_HOME}/bin/java" ]]; then
  JAVA="${JAVA:-$JAVA_HOME/bin/java}"
else
  JAVA="${JAVA:-java}"
fi

_infra_name="$(basename "$0" .sh)"
log()  { printf '[%s] %s\n' "$_infra_name" "$*" >&2; }
die()  { printf '[%s] ERROR: %s\n' "$_infra_name" "$*" >&2; exit 1; }
now()  { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }

need() {  # need CMD [apt-package]
  command -v "$1" >/dev/null 2>&1 && return 0
  local pkg="${2:-$1}"
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "'$1' not found: installing Debian package '$pkg'"
    DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y --no-install-recommends "$pkg" >&2 \
      || { DEBIAN_FRONTEND=noninteractive timeout 300 apt-get update >&2 \
           && DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y --no-install-recommends "$pkg" >&2; } \
      || die "could not install '$pkg'"
  else
    die "'$1' is required (Debian package '$pkg')"
  fi
}

# --- pid files ---------------------------------------------------------------------------------
# pid_of PIDFILE MATCH: prints the pid if the file names a live process whose command line
# contains MATCH (guards against pid reuse); returns 1 otherwise.
pid_of() {
  local file="$1" match="$2" pid
  [[ -s "$file" ]] || return 1
  pid="$(tr -dc '0-9' <"$file")"
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [[ -r "/proc/$pid/cmdline" ]] && ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$match" && return 1
  # a zombie is not alive
  [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" == Z ]] && return 1
  echo "$pid"
}

# stop_pid PIDFILE MATCH NAME [TIMEOUT_S]: SIGTERM, wait, then SIGKILL. Removes the pid file.
stop_pid() {
  local file="$1" match="$2" name="$3" timeout="${4:-20}" pid t0
  if ! pid="$(pid_of "$file" "$match")"; then
    [[ -e "$file" ]] && log "$name: stale pid file removed"
    rm -f "$file"
    log "$name: not running"
    return 0
  fi
  t0="$(now)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + timeout))
  while kill -0 "$pid" 2>/dev/null && [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]]; do
    if ((SECONDS >= deadline)); then
      log "$name (pid $pid) still alive after ${timeout}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$file"
  log "$name (pid $pid) stopped in $(elapsed "$t0") s"
}

# start_daemon PIDFILE OUTFILE CMD...: starts CMD detached (own session, no stdin), appends its
# stdout/stderr to OUTFILE and writes its pid into PIDFILE.
start_daemon() {
  local pidfile="$1" out="$2"; shift 2
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$out")"
  # A pid file left by a process that exited by itself (not stopped through the script) would be
  # taken for the new process's below: the caller would wait for a dead pid and orphan the new one.
  rm -f "$pidfile"
  # The inner shell writes its own pid, then execs: the pid file names the real server process.
  # shellcheck disable=SC2016
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" >>"$out" 2>&1 </dev/null &
  local _
  for _ in $(seq 1 50); do [[ -s "$pidfile" ]] && return 0; sleep 0.1; done
  die "process did not start (no pid file $pidfile)"
}

# wait_for SECONDS DESCRIPTION CMD...: polls CMD every 0.3 s until it succeeds; returns 1 on timeout.
# If WAIT_PID is set and that process dies, gives up at once.
wait_for() {
  local timeout="$1" what="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  while ! "$@" >/dev/null 2>&1; do
    if [[ -n "${WAIT_PID:-}" ]] && ! kill -0 "$WAIT_PID" 2>/dev/null; then
      log "$what: the process (pid $WAIT_PID) exited while waiting"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      log "$what: not ready after ${timeout}s"
      return 1
    fi
    sleep 0.3
  done
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# port_free HOST PORT NAME: dies if something already listens there.
port_free() {
  if port_open "$1" "$2"; then
    die "$3: port $1:$2 is already in use by another process ($(ss -ltnpH "sport = :$2" 2>/dev/null | awk '{print $NF}' | head -1))"
  fi
}

# --- Maven-resolved lib dirs -------------------------------------------------------------------
# resolve_lib POM LIBDIR: copies the runtime dependencies of POM into LIBDIR (once; again when the
# pom changes). MVN_ARGS adds Maven options (e.g. -Dmaven.repo.local=...).
resolve_lib() {
  local pom="$1" lib="$2" stamp sum
  stamp="$lib/.resolved"
  sum="$(sha256sum "$pom" | cut -c1-64)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$sum" ]] && compgen -G "$lib/*.jar" >/dev/null; then
    return 0
  fi
  need mvn maven
  local tmp="$lib.tmp.$$" t0
  rm -rf "$tmp"
  mkdir -p "$tmp"
  t0="$(now)"
  log "resolving $(basename "$(dirname "$pom")") jars with Maven into $lib (first run only) ..."
  # shellcheck disable=SC2086
  if ! timeout "${MVN_TIMEOUT:-900}" ${MVN:-mvn} -B -q -f "$pom" ${MVN_ARGS:-} \
        dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >"$tmp.log" 2>&1; then
    tail -40 "$tmp.log" >&2
    rm -rf "$tmp"
    die "Maven resolution of $pom failed (full log above, last 40 lines)"
  fi
  rm -f "$tmp.log"
  rm -rf "$lib"
  mv "$tmp" "$lib"
  echo "$sum" >"$stamp"
  log "resolved $(find "$lib" -name '*.jar' | wc -l) jars ($(du -sh "$lib" | cut -f1)) in $(elapsed "$t0") s"
}
