# eventagg — pre-aggregated product analytics on Apache Flink. See README.md and docs/.
#   make run    build, generate a sample, aggregate it into DuckDB, print results
#   make test   every test (installs and starts what the tests need)
#   make test-fast  unit, harness and MiniCluster pipeline tests: no database, broker or cluster (about a minute)
SHELL := /bin/bash
.DEFAULT_GOAL := help

MVN      ?= mvn -B -q
JAVA     ?= java
# A bounded young generation and the throughput collector for local runs: see docs/performance.md, JVM flags.
JAVA_OPTS ?= -Xmn1g -XX:+UseParallelGC
# The class-data-sharing archive `make build` trains (scripts/cds-archive.sh): a third off every
# command's start-up. A missing or stale archive (jar rebuilt by mvn alone) is silently not used.
CDS_OPTS ?= -XX:SharedArchiveFile=target/eventagg-cli.jsa -Xlog:cds=off -Xlog:cds+dynamic=off
CLI      := $(JAVA) $(JAVA_OPTS) $(CDS_OPTS) -jar target/eventagg-cli.jar
JOB      ?= jobs/example.yaml
SAMPLE   ?= data/sample.jsonl.gz
DB       ?= data/eventagg.duckdb
SINK     ?= jdbc:duckdb:$(DB)

.PHONY: help build package run serve sample test test-fast format clean

help: ## list targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  %-20s %s\n",$$1,$$2}'

target/eventagg-cli.jar target/eventagg-job.jar: pom.xml $(shell find src/main -type f 2>/dev/null)
	$(MVN) package -DskipTests

target/eventagg-cli.jsa: target/eventagg-cli.jar jobs/example.yaml scripts/cds-archive.sh
	bash scripts/cds-archive.sh '$(JAVA)'

build: target/eventagg-cli.jar target/eventagg-cli.jsa ## compile and build target/eventagg-cli.jar, its start-up archive and target/eventagg-job.jar

package: build ## build the cluster job jar target/eventagg-job.jar (and the local CLI jar)
	@ls -lh target/eventagg-job.jar target/eventagg-cli.jar

$(SAMPLE): | target/eventagg-cli.jar
	$(CLI) generate --users 20000 --days 35 --seed 1 --bots 2 --bot-events-per-day 500 --out $(SAMPLE)

sample: $(SAMPLE) ## generate the sample dataset (data/sample.jsonl.gz)

run: build $(SAMPLE) ## the first look: aggregate the sample into DuckDB and print a daily trend and a breakdown
	$(CLI) run --job $(JOB) --input $(SAMPLE) --sink $(SINK)
	@bash scripts/show-results.sh "$(CLI)" "$(JOB)" "$(SINK)"

PORT     ?= 8080

serve: build ## the dashboard and the JSON API over the results (after make run): http://127.0.0.1:$(PORT)/
	$(CLI) serve --job $(JOB) --sink $(SINK) --port $(PORT)

test: ## run all tests (installs and starts ClickHouse; Kafka and Flink start inside the tests)
	bash scripts/test.sh

test-fast: ## the fast tier, for every change: unit, harness and MiniCluster pipeline tests without databases, brokers or clusters
	$(MVN) test -DexcludedGroups=services,slow

format: ## lay out every Java source as the build checks it (palantir-java-format through Spotless)
	$(MVN) spotless:apply

clean: ## remove build output and local data
	rm -rf target data

-include mk/*.mk
