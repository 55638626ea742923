#!/usr/bin/env bash
# Prints what `make run` wants a new user to see first: the daily trend with unique users and
# sessions, and a breakdown. Usage: show-results.sh CLI JOB SINK
set -euo pipefail
cli=$1 job=$2 sink=$3
echo
echo "== Daily active users and sessions, first two weeks (all events) =="
$cli query timeseries --job "$job" --sink "$sink" --from 2024-01-01 --to 2024-01-15 --granularity day
echo
echo "== Signups and purchases per week, by plan =="
$cli query timeseries --job "$job" --sink "$sink" --events signup,purchase --from 2024-01-01 --to 2024-02-05 \
  --granularity week --breakdown plan
