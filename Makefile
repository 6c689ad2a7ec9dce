# The README's two commands. Everything they need is installed from the registries:
# Rust crates by cargo, Python tools into .venv by pip.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: api help demo test build lint test-rust python test-python node test-node kotlin test-kotlin \
	conformance-clean conformance-report oidc docs fuzz fuzz-smoke fuzz-tools android test-android \
	dist test-dist test-checkout test-release bench test-bench redis test-shared-store

help:
	@echo "make demo   fetch tokens through every language against the local testkit server"
	@echo "make test   every suite: Rust (tests, clippy, fmt), Python (pytest, stubtest), Node"
	@echo "            (node --test, tsc), Kotlin and Java (JUnit 5 on the jar, a Kotlin and a Java consumer), Android (cross-built"
	@echo "            .so checks, AAR, D8, R8-shrunk sample on Robolectric), each with its suite"
	@echo "            against a real oidc-provider and a real Redis; Rust, Python, Node and Kotlin"
	@echo "            processes sharing one Redis; make dist's artifacts installed and checked;"
	@echo "            installs from a clean checkout; actionlint; a smoke run of the benchmarks;"
	@echo "            30 s of fuzzing; the conformance table"
	@echo "make bench  tokenfetch against its peers on one loopback server; writes bench/README.md"
	@echo "make fuzz   a million executions of each fuzz target (cargo fuzz, nightly)"
	@echo "make android  the AAR, cross-built for four ABIs without the NDK, in the local Maven repository"
	@echo "make dist   wheels, npm tarballs and the jar for Linux x86_64 and aarch64 (glibc and musl) in target/dist"

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
	@# The field types docs/models/ documents are the ones the stubs declare.
	$(PY) -m mypy --strict bindings-python/tests/typecheck_models.py
	@# The options the stubs type from the core's table refuse what the core refuses.
	$(PY) -m mypy --strict --warn-unused-ignores bindings-python/tests/typecheck_options.py
	$(PY) -m pytest bindings-python/tests -q
	@# The wheels users install are checked by test-dist; a checkout by test-checkout.

# --- Node ------------------------------------------------------------------------------
# `npm ci` runs the package's install script, which builds the addon from source when no
# loadable binary is present (scripts/install.js), as `npm install ./bindings-node` does.
bindings-node/node_modules/.package-lock.json: bindings-node/package-lock.json
	cd bindings-node && npm ci --no-audit --no-fund
node: bindings-node/node_modules/.package-lock.json

test-node: node build
	cd bindings-node && npm run --silent build
	@# The committed loader and types are what napi generates from the current sources.
	git diff --exit-code -- bindings-node/index.js bindings-node/index.d.ts
	cd bindings-node && TESTKIT_BIN=$(CURDIR)/target/debug/testkit node --test test/
	cd bindings-node && npx --no-install tsc --noEmit -p test/tsconfig.json
	@# What npm installs from the registry is checked by test-dist; a checkout by test-checkout.

# --- Kotlin ----------------------------------------------------------------------------
MVN ?= mvn -B -ntp
KOTLIN_POM := bindings-kotlin/pom.xml
CONSUMER := bindings-kotlin/examples/consumer
JAVA_CONSUMER := bindings-kotlin/examples/java-consumer

# The jar in the local Maven repository, for the demo (tests run in test-kotlin).
kotlin: build
	$(MVN) -q -f $(KOTLIN_POM) install -DskipTests

# Rewrites bindings-kotlin/api/tokenfetch.api, the jar's public API that ApiSnapshotTest holds
# the build to, after an intended change to it.
api: build
	$(MVN) -q -f $(KOTLIN_POM) test -Dtest=ApiSnapshotTest -Dapi.update=true -Dsurefire.failIfNoSpecifiedTests=false

# verify runs the JUnit suite; install puts the jar where a separate project finds it.
# Each consumer project (Kotlin, and Java alone) is built from a copy outside the
# repository, as a user's would be. The Java one also meets oidc-provider, whose clients it
# reads from the fixtures.
test-kotlin: build
	$(MVN) -f $(KOTLIN_POM) install
	tmp=$$(mktemp -d) && cp -r $(CONSUMER)/. "$$tmp" && \
	  scripts/with-testkit.sh $(MVN) -f "$$tmp/pom.xml" verify && rm -rf "$$tmp"
	tmp=$$(mktemp -d) && cp -r $(JAVA_CONSUMER)/. "$$tmp" && \
	  scripts/with-testkit.sh $(MVN) -f "$$tmp/pom.xml" verify -Doidc.fixtures=$(CURDIR)/$(OIDC)/fixtures.json && \
	  rm -rf "$$tmp"

# --- Android ---------------------------------------------------------------------------
# Without the NDK (no registry serves it): bindings-kotlin/android/cross/ assembles a linker
# (rust-lld), bionic stubs, crtbegin_so and libunwind from the Rust toolchain and the ziglang
# wheel, cross-builds libtokenfetch_kotlin.so for each ABI, and checks each library as
# bionic would load it. aar/ then compiles the Android flavour and installs the AAR;
# sample-app/ dexes it, shrinks an app with it (R8) and runs Robolectric tests on the result.
ANDROID_ABIS := arm64-v8a:aarch64-linux-android x86_64:x86_64-linux-android \
	armeabi-v7a:armv7-linux-androideabi x86:i686-linux-android
ANDROID_OUT := target/android
ANDROID_CROSS := bindings-kotlin/android/cross

android: $(PY)
	rustup target add $(foreach a,$(ANDROID_ABIS),$(word 2,$(subst :, ,$(a))))
	$(PY) -m pip install --quiet -r $(ANDROID_CROSS)/requirements.txt
	@# The host library: uniffi-bindgen reads the bindings from it, and the checks compare exports.
	$(CARGO) build --release -p tokenfetch-kotlin
	$(PY) $(ANDROID_CROSS)/toolchain.py $(ANDROID_OUT)/toolchain $(foreach a,$(ANDROID_ABIS),$(word 1,$(subst :, ,$(a))))
	@# A RUSTFLAGS from the caller's shell would replace the per-target flags the link needs.
	@set -e; for pair in $(ANDROID_ABIS); do abi=$${pair%%:*}; triple=$${pair#*:}; \
	  echo "cargo build --release -p tokenfetch-kotlin --lib --target $$triple  ($$abi)"; \
	  (unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS; set -a; . $(ANDROID_OUT)/toolchain/$$abi/cargo.env; set +a; \
	   $(CARGO) build --quiet --release -p tokenfetch-kotlin --lib --target $$triple); done
	$(PY) $(ANDROID_CROSS)/check_so.py target/release/libtokenfetch_kotlin.so $(ANDROID_OUT)/native.json \
	  $(foreach a,$(ANDROID_ABIS),$(word 1,$(subst :, ,$(a)))=target/$(word 2,$(subst :, ,$(a)))/release/libtokenfetch_kotlin.so)
	$(MVN) -f bindings-kotlin/android/aar/pom.xml install

# The sample app against the installed AAR: D8, R8 with the AAR's rules, Robolectric.
test-android: android build
	$(PY) -m mypy --strict $(ANDROID_CROSS)/*.py bindings-kotlin/android/aar/*.py bindings-kotlin/android/sample-app/*.py
	$(MVN) -f bindings-kotlin/android/sample-app/pom.xml verify

# --- Registry artifacts ------------------------------------------------------------------
# Built here for Linux (x86_64 and aarch64, glibc 2.17 and musl), each native cross-linked by
# zig from the ziglang wheel: four abi3 wheels and the sdist, the napi-rs npm layout (the main
# tarball and four @tokenfetch/binding-<platform> tarballs), the jar with two Linux natives.
# .github/workflows/release.yml builds the macOS and Windows ones on their own hosts.
DIST_TOOLS := $(VENV)/.dist-tools
$(DIST_TOOLS): scripts/dist-requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r scripts/dist-requirements.txt
	@touch $@

dist: $(DIST_TOOLS) node
	$(PY) scripts/dist.py

# Each artifact as a registry and a user meet it (scripts/check_dist.py says what is checked).
test-dist: dist build
	$(PY) -m mypy --strict scripts/dist.py scripts/check_dist.py
	scripts/with-testkit.sh $(PY) scripts/check_dist.py

# pip, npm and Maven each install from a copy of the checkout that has built nothing
# (scripts/check_checkout.py), as docs/python.md, node.md and kotlin.md tell a user to.
test-checkout: build
	$(PY) -m mypy --strict scripts/check_checkout.py
	scripts/with-testkit.sh $(PY) scripts/check_checkout.py

# The release workflow cannot run here; what can: actionlint on both workflows, and a Maven
# Central bundle of the dist jar signed with a throwaway key (scripts/check_release.py).
test-release: dist
	$(PY) -m mypy --strict scripts/central_bundle.py scripts/check_release.py
	$(PY) scripts/check_release.py

# --- Rust ------------------------------------------------------------------------------
lint:
	$(PYTHON) scripts/check_packages.py
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# The Redis store's tests start their own redis-server (to stop and restart it mid-run).
export TOKENFETCH_REDIS_SERVER ?= $(CURDIR)/target/tools/redis/redis-server
test-rust: redis
	$(CARGO) test --workspace

# docs/models/, the guides' field tables and each binding's type check, from core/src/model.rs.
# `cargo test` (xtask/tests/model_docs.rs) fails while any of them is stale.
docs:
	$(CARGO) run --quiet -p xtask -- model-docs

# --- Benchmarks ---------------------------------------------------------------------------
# tokenfetch against its peers on one keep-alive loopback server (bench/run.py says how), and
# every performance target with whether it holds; writes bench/README.md. Not part of `make
# test`, which runs each benchmark for a few iterations (test-bench) so none can rot.
BENCH_BUILD := $(CARGO) build --quiet --release -p tokenfetch-bench
BENCH_TOOLS := $(VENV)/.bench-tools
$(BENCH_TOOLS): bench/requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r bench/requirements.txt
	@touch $@

BENCH_NODE := bench/node/node_modules/.package-lock.json
$(BENCH_NODE): bench/node/package-lock.json
	cd bench/node && npm ci --ignore-scripts --no-audit --no-fund

# The size targets read the registry artifacts in target/dist: `make bench` builds them, and
# in `make test` test-dist has built them before test-bench runs.
bench: dist python node kotlin redis $(BENCH_TOOLS) $(BENCH_NODE)
	$(BENCH_BUILD)
	cd bindings-node && npm run --silent build
	scripts/with-redis.sh $(PY) bench/run.py

test-bench: python node kotlin redis $(BENCH_TOOLS) $(BENCH_NODE)
	$(BENCH_BUILD)
	cd bindings-node && npm run --silent build
	$(PY) -m mypy --strict bench/run.py bench/python_bench.py
	$(WITH_REDIS) $(PY) bench/run.py --smoke

# --- Fuzzing ----------------------------------------------------------------------------
# cargo fuzz on the nightly toolchain: the parser, the option validation and key parsing must never panic
# (fuzz/fuzz_targets/). No sanitizer: the properties are panics and overflows, which cargo
# fuzz's debug assertions catch in safe Rust without one.
FUZZ_TOOLCHAIN ?= nightly
CARGO_FUZZ_VERSION := 0.13.2
FUZZ_TARGETS := parse_response options signing_key id_token
FUZZ_RUN = cargo +$(FUZZ_TOOLCHAIN) fuzz run --sanitizer none

fuzz-tools:
	@rustup run $(FUZZ_TOOLCHAIN) rustc --version >/dev/null 2>&1 || rustup toolchain install $(FUZZ_TOOLCHAIN) --profile minimal
	@cargo fuzz --version 2>/dev/null | grep -q "$(CARGO_FUZZ_VERSION)" || cargo install cargo-fuzz --locked --version $(CARGO_FUZZ_VERSION)

# A million executions of each target.
fuzz: fuzz-tools
	@for t in $(FUZZ_TARGETS); do $(FUZZ_RUN) $$t -- -runs=1000000 || exit 1; done

# What make test runs: 15 s of each target.
fuzz-smoke: fuzz-tools
	@for t in $(FUZZ_TARGETS); do $(FUZZ_RUN) $$t -- -max_total_time=15 || exit 1; done

# --- The two commands ------------------------------------------------------------------
demo: build python node kotlin
	@scripts/with-testkit.sh bash -c '\
	  $(CARGO) run --quiet -p tokenfetch --example demo -- "$$TESTKIT_URL/token" && echo && \
	  $(PY) bindings-python/examples/demo.py "$$TESTKIT_URL/token" && echo && \
	  node bindings-node/examples/demo.js "$$TESTKIT_URL/token" && echo && \
	  $(MVN) -q -f $(CONSUMER)/pom.xml compile exec:java -Dexec.args="$$TESTKIT_URL/token" && echo && \
	  $(MVN) -q -f $(JAVA_CONSUMER)/pom.xml compile exec:java -Dexec.args="$$TESTKIT_URL/token"'

# --- Conformance ------------------------------------------------------------------------
# Each language's runner records its outcome per vector in target/conformance/<language>.json;
# the report fails on any miss, including a vector some language did not run.
conformance-clean:
	rm -rf target/conformance

conformance-report:
	$(PYTHON) conformance/report.py

# --- A real OAuth server ------------------------------------------------------------------
# panva's oidc-provider, pinned exactly in testkit/oidc/package-lock.json. `make test` runs every
# suite with it listening (scripts/with-oidc.sh starts it and stops it by PID) and requires
# the integration suites to find it.
OIDC := testkit/oidc
$(OIDC)/node_modules/.package-lock.json: $(OIDC)/package-lock.json
	cd $(OIDC) && npm ci --no-audit --no-fund
oidc: $(OIDC)/node_modules/.package-lock.json

# --- A real Redis --------------------------------------------------------------------------
# Redis 7 from Debian's packages, unpacked into target/tools/redis unless redis-server is on
# the PATH (scripts/install-redis.sh). `make test` runs every suite with one listening
# (scripts/with-redis.sh starts it on a loopback port and stops it by PID), and the bindings'
# suites then require it.
redis:
	scripts/install-redis.sh >/dev/null

# Inside `make test` one Redis serves every suite; a suite run on its own starts its own.
WITH_REDIS = $(if $(TOKENFETCH_REDIS_URL),,scripts/with-redis.sh)

# Rust, Python, Node and Kotlin processes over one Redis make one fetch between them.
test-shared-store: python node kotlin redis
	cd bindings-node && npm run --silent build
	$(PY) -m mypy --strict scripts/check_shared_store.py
	$(WITH_REDIS) scripts/with-testkit.sh $(PY) scripts/check_shared_store.py

SUITES := test-rust test-python test-node test-kotlin test-shared-store test-android test-dist test-release \
	test-checkout test-bench

# scripts/timed.sh runs the suites one by one and ends with a table of how long each took.
test: conformance-clean lint oidc redis
	TOKENFETCH_REQUIRE_OIDC=1 TOKENFETCH_REQUIRE_REDIS=1 scripts/with-oidc.sh scripts/with-redis.sh \
	  scripts/timed.sh $(SUITES) fuzz-smoke conformance-report
