# The production path: eventagg's streaming job (target/eventagg-job.jar) on the local Flink
# session cluster, reading Kafka and writing ClickHouse. See docs/operations.md, "Run it for real".
#
#   make clickhouse-up kafka-up cluster-up     # the local services (mk/infra.mk)
#   make produce INPUT=data/sample.jsonl.gz     # events into Kafka
#   make submit                                 # the job; prints its JobID
#   make cancel                                 # cancels the last submitted job (or JOBID=...)
#
# Variables: JOB (jobs/example.yaml), TOPIC / KAFKA_BOOTSTRAP (mk/infra.mk), CH_PROFILE (connection
# profile, conf/profiles/local-clickhouse.yaml), SINK_URL (a JDBC URL instead of the profile's),
# SINK_USER, SINK_PASSWORD_ENV (name of the environment variable that holds the password),
# GROUP (consumer group, default eventagg-<job name>), STARTING_OFFSETS (committed|earliest|latest|
# timestamp:<ISO>), FLINK_CONF (conf/job/streaming.yaml), PARALLELISM, SAVEPOINT (resume from this
# savepoint or retained checkpoint), ALLOW_NON_RESTORED (1: resume even if some operator's state in
# the savepoint has no operator any more), JOB_ARGS (more job flags).

CH_PROFILE        ?= conf/profiles/local-clickhouse.yaml
SINK_URL          ?=
SINK_USER         ?=
SINK_PASSWORD_ENV ?=
GROUP             ?=
STARTING_OFFSETS  ?= committed
FLINK_CONF        ?= conf/job/streaming.yaml
PARALLELISM       ?=
SAVEPOINT         ?=
JOB_ARGS          ?=
JOBID             ?=
LAST_JOB_FILE     := .run/flink/last-job.id

SUBMIT_ARGS = --job '$(JOB)' --kafka-bootstrap '$(KAFKA_BOOTSTRAP)' --topic '$(TOPIC)' \
              --starting-offsets '$(STARTING_OFFSETS)' --profile '$(CH_PROFILE)' --flink-conf '$(FLINK_CONF)' \
              $(if $(GROUP),--group-id '$(GROUP)') $(if $(SINK_URL),--sink '$(SINK_URL)') \
              $(if $(SINK_USER),--sink-user '$(SINK_USER)') $(if $(SINK_PASSWORD_ENV),--sink-password-env '$(SINK_PASSWORD_ENV)') \
              $(JOB_ARGS)

.PHONY: submit cancel schema-clickhouse

submit: target/eventagg-job.jar ## submit the streaming job to the local cluster: Kafka TOPIC -> ClickHouse (JOB=jobs/example.yaml); prints the JobID
	@test -r '$(JOB)' || { echo "make submit: cannot read JOB=$(JOB)" >&2; exit 2; }
	@mkdir -p .run/flink
	@jid="$$($(INFRA_ENV) bash scripts/flink-cluster.sh submit $(if $(PARALLELISM),--parallelism $(PARALLELISM)) $(if $(SAVEPOINT),--savepoint '$(SAVEPOINT)') $(if $(ALLOW_NON_RESTORED),--allow-non-restored) \
	        target/eventagg-job.jar $(SUBMIT_ARGS))" || exit 1; \
	 echo "$$jid" > $(LAST_JOB_FILE); \
	 echo "[submit] job $$jid running on http://$(FLINK_REST) (cancel: make cancel JOBID=$$jid)" >&2; \
	 echo "$$jid"

cancel: ## cancel a job on the local cluster (JOBID=..., default: the last one `make submit` started)
	@jid='$(JOBID)'; if [ -z "$$jid" ] && [ -r $(LAST_JOB_FILE) ]; then jid="$$(cat $(LAST_JOB_FILE))"; fi; \
	 test -n "$$jid" || { echo "usage: make cancel JOBID=<32 hex digits> (see make cluster-jobs)" >&2; exit 2; }; \
	 $(INFRA_ENV) bash scripts/flink-cluster.sh cancel "$$jid" && \
	 if [ -r $(LAST_JOB_FILE) ] && [ "$$(cat $(LAST_JOB_FILE))" = "$$jid" ]; then rm -f $(LAST_JOB_FILE); fi

schema-clickhouse: target/eventagg-cli.jar ## create eventagg's tables, the raw events table and its materialized views in the local ClickHouse
	$(CLI) schema --profile '$(CH_PROFILE)' $(if $(SINK_URL),--sink '$(SINK_URL)') --raw-events

FROM   ?=
TO     ?=
INPUT_BACKFILL ?=

.PHONY: backfill

backfill: target/eventagg-job.jar ## refresh [FROM, TO) on the local cluster from Kafka (default) or INPUT_BACKFILL=files: make backfill FROM=2024-01-10 TO=2024-01-12
	@test -n '$(FROM)' -a -n '$(TO)' || { echo "usage: make backfill JOB=jobs/example.yaml FROM=2024-01-10 TO=2024-01-12 [INPUT_BACKFILL=files]" >&2; exit 2; }
	@$(INFRA_ENV) bash scripts/flink-cluster.sh submit --attached --class io.eventagg.jobs.BackfillJob $(if $(PARALLELISM),--parallelism $(PARALLELISM)) \
	   target/eventagg-job.jar --job '$(JOB)' --from '$(FROM)' --to '$(TO)' --profile '$(CH_PROFILE)' \
	   $(if $(SINK_URL),--sink '$(SINK_URL)') $(if $(SINK_USER),--sink-user '$(SINK_USER)') \
	   $(if $(SINK_PASSWORD_ENV),--sink-password-env '$(SINK_PASSWORD_ENV)') \
	   $(if $(INPUT_BACKFILL),--input '$(INPUT_BACKFILL)',--kafka-bootstrap '$(KAFKA_BOOTSTRAP)' --topic '$(TOPIC)') $(JOB_ARGS)
