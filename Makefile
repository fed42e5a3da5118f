# zkinfer — the two commands a newcomer needs:
#   make demo   # build and run the end-to-end showcase
#   make test   # build and run the whole test suite (release mode: crypto is slow in debug)
# Both install the system libraries they need (libgmp-dev, libsodium-dev, pkg-config) when missing.

SWIFT ?= swift
SHELL := /bin/bash
# Tests run in release: debug-mode Swift is 20-50x slower for 256-bit arithmetic.
TEST_FLAGS ?= -c release

.PHONY: demo test build build-debug build-static deps bench clean

deps:
	@./scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release

build-debug: deps
	$(SWIFT) build

# A deployment build with the Swift runtime and Foundation linked in: starts faster and with less memory (2026-12-07:
# `zkinfer --version` 9.8 ms and 21 MB against 14.7 ms and 25 MB; README Performance). A separate build folder.
build-static: deps
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-static --product zkinfer

demo: build
	./.build/release/zkinfer demo

test: deps
	$(SWIFT) build --build-tests $(TEST_FLAGS)
	@# with-postgres.sh: a throwaway PostgreSQL on loopback for the prover service's PostgreSQL store tests.
	@set -o pipefail; ./scripts/with-postgres.sh $(SWIFT) test --skip-build --disable-swift-testing $(TEST_FLAGS) 2>&1 | tee .build/test.log
	@# One plain summary line from XCTest's final count: "tests: N passed, M failed".
	@# (XCTest writes "with K tests skipped and M failures" when tests skipped themselves, e.g. without ../shared.)
	@grep -aE "Executed [0-9]+ tests?, with ([0-9]+ tests? skipped and )?[0-9]+ failures?" .build/test.log | tail -1 | \
	  sed -E 's/.*Executed ([0-9]+) tests?, with (([0-9]+) tests? skipped and )?([0-9]+) failures?.*/\1 \4 0\3/' | \
	  awk '{ printf "swift: %d passed, %d failed, %d skipped\n", $$1 - $$2 - $$3, $$2, $$3 }' | tee .build/test-summary.log
	@# The prover service as processes: serve + workers on SQLite and a throwaway PostgreSQL, SIGKILLed workers and
	@# server, malformed requests, a bounded load test (scripts/service-integration-test.py).
	@set -o pipefail; ZKINFER_BIN=.build/release/zkinfer ./scripts/with-postgres.sh python3 scripts/service-integration-test.py 2>&1 | tee .build/service-test.log
	@# The exported Vyper verifier, compiled and run in an in-process EVM (installs vyper + titanoboa from PyPI).
	@set -o pipefail; ZKINFER_BIN=.build/release/zkinfer ./scripts/evm-test.sh 2>&1 | tee .build/evm-test.log
	@cat .build/test-summary.log <(grep -aE "^service: [0-9]+ passed" .build/service-test.log) <(grep -aE "^evm: [0-9]+ passed" .build/evm-test.log) | \
	  awk '{ p += $$2; f += $$4 } END { printf "tests: %d passed, %d failed\n", p, f }'

bench: deps
	cd Benchmarks && $(SWIFT) package benchmark

clean:
	rm -rf .build Benchmarks/.build
