# headroom-mcp developer tasks. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
CARGO_DIR := rustcore
CORPUS ?= ../shared/corpus/dev
HF_CACHE ?= $(abspath ../shared/models/hf-cache)
# The benchmark and demo read `o200k_base` from the Rust core; tests use the shipped model cache, offline.
export HF_HUB_OFFLINE := 1
# Every Rust source at any depth (a `wildcard` of src/*.rs would miss the modules in subfolders and let
# `make test` run the Python tests against a stale extension), the lock file, and the packaging.
RUST_SOURCES := $(shell find $(CARGO_DIR)/src -name '*.rs') $(CARGO_DIR)/Cargo.toml $(CARGO_DIR)/Cargo.lock pyproject.toml
PYTEST_ARGS ?=

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip "maturin>=1.9,<2"

# Rebuild the extension (and reinstall the editable package with its dependencies) when Rust or packaging changes.
# What the build prints (pip's line per dependency, cargo's progress) is kept in a log and shown only when it
# fails, so `make demo` on a fresh clone shows the demo rather than a hundred lines of pip.
$(VENV)/.built: $(PY) $(RUST_SOURCES)
	@echo "building the extension into $(VENV) (the first time takes a few minutes)"
	@log=$$(mktemp); if $(VENV)/bin/maturin develop --profile fastbuild --extras dev --quiet >"$$log" 2>&1; \
		then rm -f "$$log"; else status=$$?; cat "$$log"; rm -f "$$log"; exit $$status; fi
	@touch $@

.PHONY: dev
dev: $(VENV)/.built node_modules/.installed ## create .venv and build an editable install with dev tools

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p node_modules && touch $@

.PHONY: test
test: dev ## build, then run the Rust tests, the stub check and the Python tests
	cd $(CARGO_DIR) && cargo test --profile fastbuild --quiet
	$(PY) -m mypy.stubtest rustcore._native --allowlist .stubtest-allowlist
	@# The store tests run on SQLite and on a temporary PostgreSQL started here (they skip when none can be).
	HF_HOME=$(abspath ../shared/models/hf-cache) $(PY) -m benchmarks.temp_postgres run -- \
		$(PY) -m pytest -n 2 $(PYTEST_ARGS)

.PHONY: demo
demo: $(VENV)/.built ## end-to-end run on real tool output made on the spot, through a real MCP client
	$(VENV)/bin/headroom demo

.PHONY: demo-team
demo-team: $(VENV)/.built ## two MCP servers (two agents) sharing a temporary PostgreSQL team store
	$(PY) benchmarks/demo_team.py

# Fresh samples: real output captured on this machine at bench time (seed: today's date; FRESH_SEED=S repeats one).
FRESH_PER_CATEGORY ?= 10
FRESH_SEED ?=

.PHONY: bench
bench: $(VENV)/.built ## benchmark on ../shared/corpus/dev (beside the peer when `make bench-peer` ran) and on fresh output
	$(PY) -m benchmarks.compare $(CORPUS) --out bench-out
	@# Fidelity on output no one tuned to: per category (headroom bench), then per generator.
	$(PY) -m benchmarks.fresh write bench-out/fresh-corpus --per-category $(FRESH_PER_CATEGORY) \
		$(if $(FRESH_SEED),--seed $(FRESH_SEED))
	$(VENV)/bin/headroom bench bench-out/fresh-corpus --runs 3 --out bench-out/fresh
	$(PY) -m benchmarks.fresh kinds bench-out/fresh/bench.json
	@# Throughput on generated 1-10 MB logs, search results, diffs and JSON: compressor alone and end to end.
	$(PY) benchmarks/line_compressors.py
	@# A session of 32 real commands: first-result tokens and needles raw, cut as the clients cut, and through the hooks.
	$(PY) benchmarks/session.py
	@# Issue 16: start-up of the hook and of headroom exec (passing through, compressing 1 MB).
	$(PY) benchmarks/startup.py
	@# Issue 12: peak RSS per input shape at 1, 16 and 64 MB (compress(), the CLI, the server, headroom_run),
	@# 1,000 slow clients at the HTTP server, recovery of a store with 1% of its pages overwritten.
	$(PY) benchmarks/reliability.py
	@# The team store: 8 processes on a temporary PostgreSQL beside one SQLite file (says so when no server starts).
	$(PY) benchmarks/team_store.py
	@# The provider proxy: tokens upstream and the cache prefix over a 20-turn conversation, the time it adds.
	$(PY) benchmarks/proxy.py
	@# The semantic layer over both corpora: search hits and call-path times without the model and with it (when
	@# $(HF_CACHE) holds it; the header says which), search indexing rate, server memory after 10 MB.
	$(if $(wildcard $(HF_CACHE)/hub),HF_HOME=$(HF_CACHE)) $(PY) benchmarks/embeddings.py --corpus $(CORPUS) \
		--corpus bench-out/fresh-corpus

PEER_VENV := .venv-peer
PEER_SPEC ?= headroom-ai[mcp]==0.42.0

# The peer gets a venv of its own (its dependencies must not meet ours); benchmarks/peer_compress.py --check
# proves it runs offline (HEADROOM_OFFLINE=1, tiktoken's o200k_base from a copy a dependency ships).
$(PEER_VENV)/.installed:
	python3 -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PEER_VENV)/bin/python -m pip install --quiet "$(PEER_SPEC)"
	tmp=$$(mktemp -d) && cd $$tmp && HOME=$$tmp $(abspath $(PEER_VENV))/bin/python \
		$(abspath benchmarks/peer_compress.py) --check; rc=$$?; rm -rf "$$tmp"; exit $$rc
	touch $@

.PHONY: bench-peer
bench-peer: $(PEER_VENV)/.installed ## install the peer (headroom-ai, MCP extra) into .venv-peer for `make bench`

.PHONY: lint
lint: dev ## ruff, mypy --strict, cargo fmt --check, clippy -D warnings
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	cd $(CARGO_DIR) && cargo fmt --check
	cd $(CARGO_DIR) && PYO3_PYTHON=$(abspath $(PY)) cargo clippy --all-targets --features python -- -D warnings

.PHONY: format
format: $(PY) ## apply ruff format and cargo fmt
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
	cd $(CARGO_DIR) && cargo fmt

.PHONY: wheel
wheel: $(PY) ## build the release wheel into dist/ (what `pip install .` builds)
	$(VENV)/bin/maturin build --release --out dist

.PHONY: clean
clean: ## remove build outputs (keeps .venv)
	rm -rf $(CARGO_DIR)/target dist build .pytest_cache .mypy_cache .ruff_cache $(VENV)/.built
