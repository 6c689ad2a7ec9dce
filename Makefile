# The README's two commands. Everything they need is installed from the registries:
# Rust crates by cargo, Python tools into .venv by pip.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
WHEEL_VENV := target/wheel-check-venv

.PHONY: help demo test build lint test-rust python test-python

help:
	@echo "make demo   fetch tokens through every language against the local testkit server"
	@echo "make test   every suite: Rust (tests, clippy, fmt) and Python (pytest, stubtest, wheel)"

build:
	$(CARGO) build --workspace --all-targets

# --- Python ----------------------------------------------------------------------------
$(PY): bindings-python/requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r bindings-python/requirements-dev.txt
	@touch $(PY)

# `pip install ./bindings-python` is the path a user takes: PEP 517 through maturin.
python: $(PY)
	$(PY) -m pip install --quiet --force-reinstall --no-deps ./bindings-python

test-python: python build
	$(PY) -m mypy.stubtest tokenfetch._native
	$(PY) -m pytest bindings-python/tests -q
	@# The abi3 wheel installs and imports in a clean venv.
	rm -rf target/wheel-check && $(VENV)/bin/maturin build --quiet --release -m bindings-python/Cargo.toml -o target/wheel-check
	rm -rf $(WHEEL_VENV) && $(PYTHON) -m venv $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/pip install --quiet target/wheel-check/tokenfetch-*-abi3-*.whl
	$(WHEEL_VENV)/bin/python -c "import tokenfetch as t; assert t.TokenResponse.from_json('{\"access_token\":\"a\"}').token_type == 'Bearer'; print('abi3 wheel OK:', t.__version__)"

# --- Rust ------------------------------------------------------------------------------
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test-rust:
	$(CARGO) test --workspace

# --- The two commands ------------------------------------------------------------------
demo: build python
	@scripts/with-testkit.sh bash -c '\
	  $(CARGO) run --quiet -p tokenfetch --example demo -- "$$TESTKIT_URL/token" && echo && \
	  $(PY) bindings-python/examples/demo.py "$$TESTKIT_URL/token"'

test: lint test-rust test-python
