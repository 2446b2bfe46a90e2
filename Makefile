# Fieldbook: `make run` starts the app, `make test` runs every check. Both install what is
# missing first (see scripts/dev).
.PHONY: run test deps fuzz package budgets bench bench-phones

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
# the sqlite3 command-line tool (the data set is made once in BENCH_DATA); then phone answers
# (30 phones x 20 answers at once on 127.0.0.1, beside the same saves without the web server
# and sqlite3), which `make bench-phones` runs alone in seconds.
BENCH_DATA ?= target/bench-data
bench:
	cargo run --release -p fieldbook-cli -- --data-dir $(BENCH_DATA) bench
	cargo run --release -p fieldbook-cli -- --data-dir $(BENCH_DATA) bench --phones

bench-phones:
	cargo run --release -p fieldbook-cli -- --data-dir $(BENCH_DATA) bench --phones

# Fuzzes the sync-bundle reader for FUZZ_SECONDS (default 60) on the stable toolchain: with
# no sanitizer cargo-fuzz needs no nightly. FUZZ_TARGET=import_encrypted_bundle fuzzes
# bundles with a passphrase (much slower: each costs a key derivation), and
# FUZZ_TARGET=read_folder_file a sync folder's file (its name and bytes). A target starts from
# the valid bundles in fuzz/seeds/TARGET (made by scripts/fuzz-seeds when that folder is
# empty) and keeps what it learns in fuzz/corpus/TARGET; a crash is saved in fuzz/artifacts.
FUZZ_SECONDS ?= 60
FUZZ_TARGET ?= import_bundle
fuzz:
	command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	[ -n "$$(ls -A fuzz/seeds/$(FUZZ_TARGET) 2>/dev/null)" ] || scripts/fuzz-seeds
	mkdir -p fuzz/corpus/$(FUZZ_TARGET)
	cd fuzz && cargo fuzz run --sanitizer none $(FUZZ_TARGET) corpus/$(FUZZ_TARGET) seeds/$(FUZZ_TARGET) -- -max_total_time=$(FUZZ_SECONDS)
