# The benchmark (io.eventagg.bench, test sources; see BENCHMARKS.md): eventagg beside its peers on
# generated datasets, every measurement in a process of its own, a table per dataset printed and
# appended to BENCHMARKS.md. Not part of `make test` (BenchSmokeTest runs a tiny version of it there).
#
#   make bench                                   # dense: 5M events, 200k users, 60 days; sparse: 60k users, 60 days
#   make bench BENCH_EVENTS=1000000 BENCH_ONLY=ceiling,ts
#   make bench BENCH_ONLY=ts,backfill,chdb,duckdb BENCH_DATASETS=sparse BENCH_OUT=-   # the user's-view comparison, sparse only
#   make bench-state                             # large state: RocksDB against heap, two months of users
#   make bench-state BENCH_STATE_USERS=1000000 BENCH_STATE_HEAP=12g  # hours on RocksDB here
#
# Variables: BENCH_EVENTS, BENCH_USERS, BENCH_DAYS, BENCH_SEED (the dense dataset), BENCH_ONLY (any of ceiling,
# floor, ts, heavy, full, backfill, horizon, duckdb, chdb, writefloor, clickhouse, latency, state, serve, bigstate),
# BENCH_HORIZON_MINUTE (the minute horizon of the horizon rows, 7d), BENCH_SERVE_REQUESTS, BENCH_SERVE_CLIENTS,
# BENCH_SERVE_SECONDS (the read path: requests per endpoint, and the load run's clients and seconds),
# BENCH_DATASETS (the datasets the comparison rows run on: dense, sparse or both), BENCH_SPARSE_USERS,
# BENCH_SPARSE_DAYS, BENCH_SPARSE_SEED (the sparse dataset, at the generator's own activity),
# BENCH_REPEAT (rounds of the comparison rows: the cold CLI runs, the DuckDB and chDB peers; interleaved
# across rows, the median counts, range shown), BENCH_WARM_REPEAT (JVMs per other measurement, the fastest
# counts), BENCH_COLD (false: no cold CLI rows), BENCH_RATE (Kafka events/s for the latency run), BENCH_LATENCY_SECONDS, BENCH_LATENCY_CAPACITY_EVENTS
# (the backlog the maximum-sustainable-rate run drains before the latency run at 0.8 times that rate; 0: skip),
# BENCH_HEAP (heap of each measured JVM), BENCH_YOUNG (its young generation, 1g; auto = the
# collector's own sizing), BENCH_CEILING_YOUNG (the ceiling's, 256m), BENCH_GC (parallel or g1),
# BENCH_RUNS (pipeline runs per JVM: the first is cold, the last is reported; 1 = cold only),
# BENCH_OUT (BENCHMARKS.md; - prints only),
# BENCH_JAVA_OPTS (extra JVM flags for the measured JVMs, e.g. a profiler agent).
# bench-state (BENCH_ONLY=bigstate; not in the default set, it takes long): BENCH_STATE_USERS (users per
# month; month 2's are new ones), BENCH_STATE_DAYS (days per month), BENCH_STATE_ACTIVITY (the
# generator's activity scale), BENCH_STATE_REPEAT (JVMs per backend, alternating), BENCH_STATE_HEAP
# (the heap backend's JVM heap), BENCH_STATE_ROCKSDB_HEAP, BENCH_STATE_MANAGED (RocksDB's managed
# memory), BENCH_STATE_INTERVAL (checkpoint interval, seconds).

BENCH_EVENTS          ?= 5000000
BENCH_USERS           ?= 200000
BENCH_DAYS            ?= 60
BENCH_SEED            ?= 1
BENCH_ONLY            ?= ceiling,floor,ts,full,heavy,backfill,horizon,duckdb,chdb,writefloor,clickhouse,latency,state,serve
BENCH_HORIZON_MINUTE  ?= 7d
BENCH_SERVE_REQUESTS  ?= 50
BENCH_SERVE_CLIENTS   ?= 50
BENCH_SERVE_SECONDS   ?= 30
BENCH_DATASETS        ?= dense,sparse
BENCH_SPARSE_USERS    ?= 60000
BENCH_SPARSE_DAYS     ?= 60
BENCH_SPARSE_SEED     ?= 5
BENCH_REPEAT          ?= 3
BENCH_WARM_REPEAT     ?= 1
BENCH_COLD            ?= true
BENCH_RATE            ?= 50000
BENCH_LATENCY_SECONDS ?= 90
BENCH_LATENCY_CAPACITY_EVENTS ?= 2000000
BENCH_HEAP            ?= 6g
BENCH_YOUNG           ?= 1g
BENCH_CEILING_YOUNG   ?= 256m
BENCH_GC              ?= parallel
BENCH_RUNS            ?= 2
BENCH_OUT             ?= BENCHMARKS.md
BENCH_STATE_USERS     ?= 100000
BENCH_STATE_DAYS      ?= 30
BENCH_STATE_ACTIVITY  ?= 1.0
BENCH_STATE_REPEAT    ?= 1
BENCH_STATE_HEAP      ?= 6g
BENCH_STATE_ROCKSDB_HEAP ?= 3g
BENCH_STATE_MANAGED   ?= 1g
BENCH_STATE_INTERVAL  ?= 30
BENCH_STATE_OPTS       = --bigstate-users '$(BENCH_STATE_USERS)' --bigstate-days '$(BENCH_STATE_DAYS)' \
  --bigstate-activity '$(BENCH_STATE_ACTIVITY)' --bigstate-repeat '$(BENCH_STATE_REPEAT)' --bigstate-heap '$(BENCH_STATE_HEAP)' \
  --bigstate-rocksdb-heap '$(BENCH_STATE_ROCKSDB_HEAP)' --bigstate-managed '$(BENCH_STATE_MANAGED)' --bigstate-interval '$(BENCH_STATE_INTERVAL)'

.PHONY: bench bench-state chdb

# chDB (ClickHouse in-process, the npm package pinned in infra/chdb/package.json and its lock), installed
# into .bench/chdb for the chDB peer (scripts/chdb-peer.js). Skipped when that version is installed
# from the same lock; about 8 s and 546 MB when it is not. (ChdbPeer and chdb-peer.js look there.)
CHDB_DIR := .bench/chdb
chdb: ## install chDB (ClickHouse 26.x in-process, npm package pinned in infra/chdb) into .bench/chdb for the chDB peer
	@want=$$(node -p 'require("./infra/chdb/package.json").dependencies.chdb'); \
	have=$$(node -p 'try { require("./$(CHDB_DIR)/node_modules/chdb/package.json").version } catch (e) { "" }'); \
	if [ "$$have" = "$$want" ] && cmp -s infra/chdb/package-lock.json $(CHDB_DIR)/package-lock.json; then \
	  echo "chdb $$have already in $(CHDB_DIR)"; \
	else \
	  echo "installing chdb $$want into $(CHDB_DIR) (npm ci)"; \
	  mkdir -p $(CHDB_DIR) && cp infra/chdb/package.json infra/chdb/package-lock.json $(CHDB_DIR)/ && \
	  (cd $(CHDB_DIR) && npm ci --no-audit --no-fund); \
	fi

bench: ## benchmark eventagg beside DuckDB, chDB and ClickHouse (BENCH_EVENTS=5000000 BENCH_USERS=200000 BENCH_DAYS=60 BENCH_ONLY=... BENCH_DATASETS=dense,sparse BENCH_REPEAT=3)
	@bash scripts/bench.sh --events '$(BENCH_EVENTS)' --users '$(BENCH_USERS)' --days '$(BENCH_DAYS)' --seed '$(BENCH_SEED)' \
	  --only '$(BENCH_ONLY)' --repeat '$(BENCH_REPEAT)' --warm-repeat '$(BENCH_WARM_REPEAT)' --datasets '$(BENCH_DATASETS)' \
	  --sparse-users '$(BENCH_SPARSE_USERS)' --sparse-days '$(BENCH_SPARSE_DAYS)' --sparse-seed '$(BENCH_SPARSE_SEED)' --cold '$(BENCH_COLD)' --horizon-minute '$(BENCH_HORIZON_MINUTE)' \
	  --serve-requests '$(BENCH_SERVE_REQUESTS)' --serve-clients '$(BENCH_SERVE_CLIENTS)' --serve-seconds '$(BENCH_SERVE_SECONDS)' \
	  --rate '$(BENCH_RATE)' --latency-seconds '$(BENCH_LATENCY_SECONDS)' --latency-capacity-events '$(BENCH_LATENCY_CAPACITY_EVENTS)' \
	  --heap '$(BENCH_HEAP)' --young '$(BENCH_YOUNG)' --ceiling-young '$(BENCH_CEILING_YOUNG)' --gc '$(BENCH_GC)' --runs '$(BENCH_RUNS)' --out '$(BENCH_OUT)' \
	  $(BENCH_STATE_OPTS) \
	  --command 'make bench BENCH_EVENTS=$(BENCH_EVENTS) BENCH_USERS=$(BENCH_USERS) BENCH_DAYS=$(BENCH_DAYS) BENCH_ONLY=$(BENCH_ONLY) BENCH_DATASETS=$(BENCH_DATASETS) BENCH_SPARSE_USERS=$(BENCH_SPARSE_USERS) BENCH_REPEAT=$(BENCH_REPEAT)'

bench-state: ## large state: the full job over two months of users on RocksDB and on the heap (BENCH_STATE_USERS=100000 BENCH_STATE_REPEAT=1; ~10-20 min here)
	@bash scripts/bench.sh --only bigstate --seed '$(BENCH_SEED)' --out '$(BENCH_OUT)' $(BENCH_STATE_OPTS) \
	  --command 'make bench-state BENCH_STATE_USERS=$(BENCH_STATE_USERS) BENCH_STATE_DAYS=$(BENCH_STATE_DAYS) BENCH_STATE_ACTIVITY=$(BENCH_STATE_ACTIVITY) BENCH_STATE_REPEAT=$(BENCH_STATE_REPEAT)'
