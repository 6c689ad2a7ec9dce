# The README's two commands. Everything they need is installed from the registries.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo

.PHONY: help demo test test-rust lint build

help:
	@echo "make demo   fetch tokens through every language against the local testkit server"
	@echo "make test   every suite: Rust (tests, clippy -D warnings, fmt --check)"

build:
	$(CARGO) build --workspace --all-targets

demo: build
	@scripts/with-testkit.sh bash -c '$(CARGO) run --quiet -p tokenfetch --example demo -- "$$TESTKIT_URL/token"'

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test-rust:
	$(CARGO) test --workspace

test: lint test-rust
