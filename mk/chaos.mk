# Fault injection on the real components: see scripts/chaos.sh and io.eventagg.chaos.FaultInjectionChaos.
# Not part of `make test` (it takes 7-14 minutes on a 2-core machine); CI runs it after `make test`
# with the RocksDB state backend (.ci/run).
#
#   make chaos                          # the cluster's default state backend (hashmap)
#   STATE_BACKEND=rocksdb make chaos    # or forst; CHAOS_SEED, CHAOS_TIMEOUT, ...: scripts/chaos.sh

.PHONY: chaos

chaos: target/eventagg-job.jar target/eventagg-cli.jar ## fault injection on 2 TaskManagers (STATE_BACKEND=hashmap|rocksdb|forst): broker restart, TaskManager kills, ClickHouse outage, savepoint upgrade; must equal an undisturbed run (7-14 min, own ports)
	bash scripts/chaos.sh
