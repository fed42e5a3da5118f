# zkinfer — the two commands a newcomer needs:
#   make demo   # build and run the end-to-end showcase
#   make test   # build and run the whole test suite (release mode: crypto is slow in debug)
# Both install the system libraries they need (libgmp-dev, libsodium-dev, pkg-config) when missing.

SWIFT ?= swift
# Tests run in release: debug-mode Swift is 20-50x slower for 256-bit arithmetic.
TEST_FLAGS ?= -c release

.PHONY: demo test build build-debug deps bench clean

deps:
	@./scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release

build-debug: deps
	$(SWIFT) build

demo: build
	./.build/release/zkinfer demo

test: deps
	$(SWIFT) build --build-tests $(TEST_FLAGS)
	$(SWIFT) test --skip-build $(TEST_FLAGS)

bench: deps
	cd Benchmarks && $(SWIFT) package benchmark

clean:
	rm -rf .build Benchmarks/.build
