# Fault injection on the real components: see scripts/chaos.sh and io.eventagg.chaos.FaultInjectionChaos.
# Not part of `make test` (it takes 12-14 minutes on a busy 2-core machine); CI runs it after `make test` (.ci/run).

.PHONY: chaos

chaos: target/eventagg-job.jar target/eventagg-cli.jar ## fault injection: a broker restart, TaskManager kills, a ClickHouse outage and an upgrade from a savepoint during one run; the result must equal an undisturbed run (12-14 min, own ports)
	bash scripts/chaos.sh
