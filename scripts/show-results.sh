#!/usr/bin/env bash
# Prints what `make run` wants a new user to see first: the daily trend with unique users and
# sessions, a breakdown, the example funnel, the retention table, stickiness and a revenue measure. Usage: show-results.sh CLI JOB SINK
set -euo pipefail
cli=$1 job=$2 sink=$3
echo
echo "== Daily active users and sessions, first two weeks (all events) =="
$cli query timeseries --job "$job" --sink "$sink" --from 2024-01-01 --to 2024-01-15 --granularity day
echo
echo "== Signups and purchases per week, by plan =="
$cli query timeseries --job "$job" --sink "$sink" --events signup,purchase --from 2024-01-01 --to 2024-02-05 \
  --granularity week --breakdown plan
echo
echo "== Funnel pricing_to_purchase, entry days in January =="
$cli query funnel --job "$job" --sink "$sink" --funnel pricing_to_purchase --from 2024-01-01 --to 2024-02-01
echo
echo "== Weekly sign-up retention (returned in week k) =="
$cli query retention --job "$job" --sink "$sink" --retention weekly_signup_retention --from 2024-01-01 --to 2024-02-05
echo
echo "== Stickiness: users by active days per week =="
$cli query stickiness --job "$job" --sink "$sink" --period week --from 2024-01-01 --to 2024-02-05
echo
echo "== Revenue (purchase amounts) per week =="
$cli query measure --job "$job" --sink "$sink" --measure revenue --granularity week --from 2024-01-01 --to 2024-02-05
