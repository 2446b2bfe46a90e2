# Fieldbook: `make run` starts the app, `make test` runs every check. Both install what is
# missing first (see scripts/dev).
.PHONY: run test deps fuzz

run:
	scripts/dev run

test:
	scripts/dev test

deps:
	scripts/dev deps

# Fuzzes the sync-bundle reader for FUZZ_SECONDS (default 60). Needs a nightly toolchain and
# cargo-fuzz, which the test command cannot assume (see README).
FUZZ_SECONDS ?= 60
fuzz:
	cargo +nightly --version >/dev/null 2>&1 || { echo "make fuzz needs a nightly toolchain: rustup toolchain install nightly"; exit 1; }
	command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	cd fuzz && cargo +nightly fuzz run import_bundle -- -max_total_time=$(FUZZ_SECONDS)
