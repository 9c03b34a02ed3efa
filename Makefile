# chatr: every workflow in one place. `make` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

export SWA_CLI_CAPTURE_TELEMETRY := false

.PHONY: help run test lint lint-fix build clean

# The Python tools of the deployment (tests/deploy, cargo-zigbuild) live in this venv.
VENV := .venv
PYTHON := $(VENV)/bin/python
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
# glibc 2.28 (Debian 10) is older than every Azure Functions Linux image's.
RELEASE_TARGET := x86_64-unknown-linux-gnu.2.28
# The folder the browser loads (index.html at its root), deployed with staticwebapp.config.json.
SITE_DIR ?= client

help: ## Show this list of targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'

run: ## Run the whole chat locally (chatr dev): http://localhost:4280
	cargo run --release -- dev

test: ## Run every test: npm ci, lints, cargo test, then the Node suites
	npm ci --no-audit --no-fund
	$(MAKE) --no-print-directory lint
	cargo test
	$(MAKE) --no-print-directory test-deploy
	$(MAKE) --no-print-directory test-scripts
	@suites=$$(find tests -name '*.test.mjs' -not -path '*/node_modules/*' | sort); \
	if [ -n "$$suites" ]; then node --test --test-force-exit $$suites; else echo "no Node suites yet"; fi

# The JavaScript (client/js, tests, scripts; scope and style in biome.json) goes through Biome,
# pinned in package.json: format check, lints and import order. `npm ci` installs it.
lint: ## Check formatting, lints and the architecture rules, Rust and JavaScript (warnings are errors)
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	node_modules/.bin/biome ci --error-on-warnings
	python3 scripts/check-layers.py

lint-fix: ## Format the code and apply clippy's and Biome's safe fixes
	cargo fmt --all
	cargo clippy --all-targets --fix --allow-dirty --allow-staged
	node_modules/.bin/biome check --write

build: ## Build the debug binary
	cargo build

clean: ## Remove build output, node_modules and the local store
	cargo clean
	rm -rf node_modules .chatr test-output

.PHONY: test-deploy test-scripts release deploy tunnel

$(PYTHON):
	python3 -m venv $(VENV)

test-scripts: | $(PYTHON) ## Test the repository's own scripts (the architecture check of make lint)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	PYTHONDONTWRITEBYTECODE=1 $(PYTHON) -m pytest tests/scripts -q -p no:cacheprovider

test-deploy: | $(PYTHON) ## Check the deployment: Bicep, settings, /api routes, workflow, staged API
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	cargo build --quiet
	CHATR_BIN=$(TARGET_DIR)/debug/chatr PYTHONDONTWRITEBYTECODE=1 \
		$(PYTHON) -m pytest tests/deploy -q -rs -p no:cacheprovider

release: | $(PYTHON) ## Build for the Functions hosts (zig, glibc 2.28), stage target/deploy/api.zip
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r deploy/requirements-release.txt
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" cargo zigbuild --release --locked --target $(RELEASE_TARGET)
	$(PYTHON) deploy/stage.py api --binary $(TARGET_DIR)/x86_64-unknown-linux-gnu/release/chatr \
		--out target/deploy/api --zip target/deploy/api.zip --max-glibc 2.28

deploy: release ## Deploy to Azure: infrastructure, API, site, then the hub (az login first)
	$(PYTHON) deploy/stage.py site --src $(SITE_DIR) --out target/deploy/site
	deploy/deploy.sh up

tunnel: ## Tunnel Web PubSub's events to a local chatr serve (awps-tunnel)
	npx --yes --package=@azure/web-pubsub-tunnel-tool -- awps-tunnel run \
		--hub "$${WebPubSubHub:-chat}" --upstream "http://127.0.0.1:$${FUNCTIONS_CUSTOMHANDLER_PORT:-7071}"

.PHONY: bench load fuzz

# Cases per property for `make fuzz` (make test runs proptest's default, 256).
FUZZ_CASES ?= 1000000

fuzz: ## Run the property tests of every untrusted-input parser long (tests/integration/properties)
	PROPTEST_CASES=$(FUZZ_CASES) cargo test --release --test integration properties -- --test-threads 2

bench: ## Run the criterion benchmarks of the hot paths (docs/PERFORMANCE.md)
	cargo bench --bench hot_paths -- --warm-up-time 1 --measurement-time 3

load: ## Build release, then run every emulator load scenario (docs/PERFORMANCE.md)
	cargo build --release --bin chatr --bin chatr-load
	$(TARGET_DIR)/release/chatr-load --chatr $(TARGET_DIR)/release/chatr all
