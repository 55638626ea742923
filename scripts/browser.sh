#!/usr/bin/env bash
# The browser the dashboard's test drives: Debian's chromium and its chromedriver, installed with
# apt-get when missing (as clickhouse.sh installs the server). `bash scripts/browser.sh` prints the
# two paths.
set -euo pipefail
log() { echo "[browser] $*" >&2; }
die() { log "$*"; exit 1; }
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  [[ $(id -u) -eq 0 ]] || die "chromium is not installed; as root run: apt-get install chromium chromium-driver"
  command -v apt-get >/dev/null 2>&1 || die "chromium is not installed and apt-get is not available"
  log "installing chromium and chromium-driver with apt-get ..."
  out=$(mktemp)
  timeout 300 apt-get update -q >"$out" 2>&1 || { tail -20 "$out" >&2; die "apt-get update failed"; }
  timeout 900 apt-get install -y -q --no-install-recommends chromium chromium-driver >>"$out" 2>&1 \
    || { tail -30 "$out" >&2; die "apt-get install chromium chromium-driver failed"; }
  rm -f "$out"
fi
echo "$(command -v chromium) $(command -v chromedriver)"
