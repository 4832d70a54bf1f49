# keel — the two commands a new machine needs: `make demo` and `make test` (README.md).
# Everything else here is a convenience over CMake presets (CMakePresets.json).
.PHONY: all deps build test test-slow asan fuzz fuzz-run bench demo clean layers

JOBS ?= 2
FUZZ_SECONDS ?= 20
KEEL := build/release/bin/keel

all: build

deps:
	@bash scripts/install-deps

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

layers:
	@bash scripts/check-layers

# All fast tests: unit and scenario tests (ctest label "fast"), the layering check, and each
# libFuzzer target for FUZZ_SECONDS.
test: build layers fuzz-run
	@ctest --preset release

test-slow: build
	@ctest --test-dir build/release -L slow --output-on-failure

asan: deps
	@cmake --preset debug-asan >/dev/null
	@cmake --build --preset debug-asan -j $(JOBS)
	@ctest --preset debug-asan

fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)

fuzz-run: fuzz
	@bash scripts/run-fuzzers build/fuzz/fuzz $(FUZZ_SECONDS)

bench: deps
	@cmake --preset bench >/dev/null
	@cmake --build --preset bench -j $(JOBS)
	@echo "benchmarks built in build/bench/bench/ (see docs/PERFORMANCE.md for the commands)"

demo: build
	@bash scripts/demo

clean:
	rm -rf build out
