# chatr: every workflow in one place. `make` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

export SWA_CLI_CAPTURE_TELEMETRY := false

.PHONY: help run test lint lint-fix build clean

help: ## Show this list of targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-10s %s\n", $$1, $$2}'

run: ## Run the handler locally (chatr serve; needs WebPubSubConnectionString)
	cargo run --release -- serve

test: ## Run every test: npm ci, lints, cargo test, then the Node suites
	npm ci --no-audit --no-fund
	$(MAKE) --no-print-directory lint
	cargo test
	@suites=$$(find tests -name '*.test.mjs' -not -path '*/node_modules/*' | sort); \
	if [ -n "$$suites" ]; then node --test $$suites; else echo "no Node suites yet"; fi

lint: ## Check formatting and clippy lints (warnings are errors)
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings

lint-fix: ## Format the code and apply clippy's fixes
	cargo fmt --all
	cargo clippy --all-targets --fix --allow-dirty --allow-staged

build: ## Build the debug binary
	cargo build

clean: ## Remove build output, node_modules and the local store
	cargo clean
	rm -rf node_modules .chatr test-output
