#!/usr/bin/env bash
# Builds target/eventagg-cli.jsa, a class-data-sharing archive of the classes a local run loads
# (JDK, picocli, Flink's MiniCluster, Pekko, DuckDB's driver, eventagg): the JVM maps them ready
# parsed and verified instead of loading them from the jars, which takes about a third off every
# command's start-up (docs/performance.md, Start-up). Training run: a batch `run` of the example
# job (time series, funnels, retention) over a small generated file into a scratch DuckDB.
# Usage: cds-archive.sh [JAVA] ; a stale archive (jar rebuilt since) is ignored by the JVM.
set -euo pipefail
cd "$(dirname "$0")/.."
java=${1:-java}
work=target/cds-training
rm -rf "$work" target/eventagg-cli.jsa
mkdir -p "$work"
$java -jar target/eventagg-cli.jar generate --users 300 --days 8 --seed 3 --out "$work/events.jsonl" >/dev/null
$java -XX:ArchiveClassesAtExit=target/eventagg-cli.jsa -Xlog:cds=off -Xlog:cds+dynamic=off \
  -jar target/eventagg-cli.jar run --job jobs/example.yaml --input "$work/events.jsonl" \
  --sink "jdbc:duckdb:$work/train.duckdb" >/dev/null
rm -rf "$work"
test -s target/eventagg-cli.jsa
