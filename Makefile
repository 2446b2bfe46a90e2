# Fieldbook: `make run` starts the app, `make test` runs every check. Both install what is
# missing first (see scripts/dev).
.PHONY: run test deps

run:
	scripts/dev run

test:
	scripts/dev test

deps:
	scripts/dev deps
