#!/usr/bin/env bash
# `make bench`: builds the CLI jar (the cold whole-process rows run target/eventagg-cli.jar as a
# user does) and compiles the test sources (the benchmark lives there, not in the job jar), installs
# chDB into .bench/chdb (`make chdb`) if a chDB measurement is asked for, starts ClickHouse if a
# ClickHouse measurement is asked for and none answers (and stops it again), then runs
# io.eventagg.bench.Bench with the arguments given (see mk/bench.mk). Data and scratch files go to
# .bench/ (not committed; the dataset is reused by later runs with the same parameters).
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory build
mvn -B -q test-compile
if [[ " $* " == *chdb* ]]; then make --no-print-directory chdb; fi
mkdir -p .bench
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=.bench/classpath.txt >/dev/null
started_clickhouse=0
if [[ " $* " == *clickhouse* ]] && ! bash scripts/clickhouse.sh status >/dev/null 2>&1 \
    && ! curl -fsS --max-time 2 "http://127.0.0.1:${CLICKHOUSE_HTTP:-18123}/ping" >/dev/null 2>&1; then
  bash scripts/clickhouse.sh up
  started_clickhouse=1
fi
cleanup() {
  if [ "$started_clickhouse" = 1 ]; then bash scripts/clickhouse.sh down || true; fi
}
trap cleanup EXIT
java -Xmx1g -Duser.timezone=UTC -cp "target/test-classes:target/classes:$(cat .bench/classpath.txt)" io.eventagg.bench.Bench "$@"
