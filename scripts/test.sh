#!/usr/bin/env bash
# `make test`: everything the tests need, then every test. ClickHouse is installed (apt) and started
# here, and chromium with its driver installed (apt) for the dashboard's browser test; Kafka and
# Flink MiniClusters start inside the tests; the end-to-end tests start the local cluster and broker
# through the make targets themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
started_clickhouse=0
if ! bash scripts/clickhouse.sh status >/dev/null 2>&1; then
  bash scripts/clickhouse.sh up
  started_clickhouse=1
fi
cleanup() {
  if [ "$started_clickhouse" = 1 ]; then bash scripts/clickhouse.sh down || true; fi
}
trap cleanup EXIT
bash scripts/browser.sh >/dev/null
mvn -B verify "$@"
