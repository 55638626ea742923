# Local infrastructure: ClickHouse, Kafka (KRaft) and a Flink standalone session cluster, each as a
# plain process on 127.0.0.1 with its state under .run/. See infra/README.md.
# The targets are thin wrappers around scripts/clickhouse.sh, scripts/kafka.sh, scripts/flink-cluster.sh.

KAFKA_BOOTSTRAP ?= 127.0.0.1:19092
TOPIC           ?= events
PARTITIONS      ?= 4
CLICKHOUSE_HTTP ?= 18123
CLICKHOUSE_DATA ?= keep
FLINK_REST      ?= 127.0.0.1:8081
INPUT           ?=
MAX             ?= 10
# the Flink cluster: state backend (hashmap | rocksdb | forst: conf/flink/state-*.yaml), TaskManagers,
# and which TaskManager cluster-kill-tm / cluster-start-tm mean (1-based)
STATE_BACKEND      ?=
FLINK_TASKMANAGERS ?=
TM                 ?= 1

INFRA_ENV = KAFKA_BOOTSTRAP='$(KAFKA_BOOTSTRAP)' TOPIC='$(TOPIC)' PARTITIONS='$(PARTITIONS)' \
            CLICKHOUSE_HTTP='$(CLICKHOUSE_HTTP)' CLICKHOUSE_DATA='$(CLICKHOUSE_DATA)' FLINK_REST='$(FLINK_REST)' \
            STATE_BACKEND='$(STATE_BACKEND)' FLINK_TASKMANAGERS='$(FLINK_TASKMANAGERS)'

.PHONY: clickhouse-up clickhouse-down clickhouse-reset clickhouse-client \
        kafka-up kafka-down kafka-reset kafka-topic produce consume \
        cluster-up cluster-down cluster-kill-tm cluster-start-tm cluster-jobs \
        infra-up infra-down infra-status

clickhouse-up: ## start ClickHouse (HTTP 127.0.0.1:18123, native 19000); apt-installs it if missing
	@$(INFRA_ENV) bash scripts/clickhouse.sh up

clickhouse-down: ## stop ClickHouse (CLICKHOUSE_DATA=wipe also deletes its data)
	@$(INFRA_ENV) bash scripts/clickhouse.sh down

clickhouse-reset: ## stop ClickHouse and delete its data (.run/clickhouse/data)
	@$(INFRA_ENV) bash scripts/clickhouse.sh reset

clickhouse-client: ## interactive clickhouse-client on the local server
	@$(INFRA_ENV) bash scripts/clickhouse.sh client

kafka-up: ## start Kafka (127.0.0.1:19092) and create topic TOPIC (default events, 4 partitions)
	@$(INFRA_ENV) bash scripts/kafka.sh up

kafka-down: ## stop Kafka (data is kept in .run/kafka/data)
	@$(INFRA_ENV) bash scripts/kafka.sh down

kafka-reset: ## stop Kafka and delete all its topics and data
	@$(INFRA_ENV) bash scripts/kafka.sh reset

kafka-topic: ## create TOPIC with PARTITIONS partitions if missing (make kafka-topic TOPIC=x PARTITIONS=8)
	@$(INFRA_ENV) bash scripts/kafka.sh topic '$(TOPIC)' '$(PARTITIONS)'

produce: ## send a JSON-lines file (.gz too) to Kafka: make produce INPUT=file.jsonl [TOPIC=events]
	@test -n '$(INPUT)' || { echo "usage: make produce INPUT=file.jsonl[.gz] [TOPIC=$(TOPIC)]" >&2; exit 2; }
	@$(INFRA_ENV) bash scripts/kafka.sh produce '$(TOPIC)' '$(INPUT)'

consume: ## print the first MAX records of TOPIC (make consume TOPIC=events MAX=10)
	@$(INFRA_ENV) bash scripts/kafka.sh consume '$(TOPIC)' '$(MAX)' 10

cluster-up: ## start a Flink 2.2.1 session cluster (JobManager + FLINK_TASKMANAGERS=1 TaskManager(s), 2 slots each; STATE_BACKEND=hashmap|rocksdb|forst), web UI http://127.0.0.1:8081
	@$(INFRA_ENV) bash scripts/flink-cluster.sh up

cluster-down: ## stop the Flink TaskManagers and JobManager
	@$(INFRA_ENV) bash scripts/flink-cluster.sh down

cluster-kill-tm: ## kill -9 a Flink TaskManager (TM=1; chaos testing)
	@$(INFRA_ENV) bash scripts/flink-cluster.sh kill-tm '$(TM)'

cluster-start-tm: ## start a Flink TaskManager (again; TM=1) and wait until its slots are registered
	@$(INFRA_ENV) bash scripts/flink-cluster.sh start-tm '$(TM)'

cluster-jobs: ## list the jobs running on the Flink cluster
	@$(INFRA_ENV) bash scripts/flink-cluster.sh list

infra-up: clickhouse-up kafka-up cluster-up ## start ClickHouse, Kafka and the Flink cluster

infra-down: ## stop the Flink cluster, Kafka and ClickHouse
	@$(INFRA_ENV) bash scripts/flink-cluster.sh down; \
	 $(INFRA_ENV) bash scripts/kafka.sh down; \
	 $(INFRA_ENV) bash scripts/clickhouse.sh down

infra-status: ## one line per local service
	@$(INFRA_ENV) bash scripts/clickhouse.sh status || true
	@$(INFRA_ENV) bash scripts/kafka.sh status || true
	@$(INFRA_ENV) bash scripts/flink-cluster.sh status || true
