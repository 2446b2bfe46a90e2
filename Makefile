# Fieldbook: `make run` starts the app, `make test` runs every check. Both install what is
# missing first (see scripts/dev).
.PHONY: run test deps fuzz package budgets bench

run:
	scripts/dev run

test:
	scripts/dev test

deps:
	scripts/dev deps

# A release .deb in target/release/bundle/deb, checked (files, dependencies, desktop entry,
# icons, the CLI) and installed into a throwaway root.
package:
	scripts/dev package

# Sizes, start-up and memory of the release build (printed, never failing): see BENCHMARKS.md.
budgets:
	scripts/dev budgets

# Search, lists, theme summary, bundle import and CSV export at 1,000,000 reflections, beside
# the sqlite3 command-line tool (the data set is made once in BENCH_DATA).
BENCH_DATA ?= target/bench-data
bench:
	cargo run --release -p fieldbook-cli -- --data-dir $(BENCH_DATA) bench

# Fuzzes the sync-bundle reader for FUZZ_SECONDS (default 60). Needs a nightly toolchain and
# cargo-fuzz, which the test command cannot assume (see README).
FUZZ_SECONDS ?= 60
fuzz:
	cargo +nightly --version >/dev/null 2>&1 || { echo "make fuzz needs a nightly toolchain: rustup toolchain install nightly"; exit 1; }
	command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	cd fuzz && cargo +nightly fuzz run import_bundle -- -max_total_time=$(FUZZ_SECONDS)
