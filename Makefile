# Two entry points matter: `make example` and `make test` (see README "Quick start").
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install example test lint bench bench-full bench-peers bench-postgresql clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Run the whole pipeline on the bundled example study -> matrices/framework.xlsx
example: install
	$(BIN)/fqda run

## Run the test suite
test: install
	$(BIN)/python -m pytest -q -n auto

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/run.py --scales 10,100
	$(BIN)/python bench/hostile.py

bench-full: install
	$(BIN)/python bench/run.py --scales 10,100,1000 --survey 100000
	$(BIN)/python bench/run.py --scales 1000,10000 --words 800

## The pipeline on a throwaway PostgreSQL cluster beside SQLite (100 transcripts)
bench-postgresql: install
	PG_FSYNC=on bash -c 'source .ci/postgresql.sh && start_postgresql && $(BIN)/python bench/postgresql.py'

## fqda ingest beside qualitative-coding's and Taguette's import of the same corpus
## (installs each into an environment of its own under bench/out/peers/ on first use)
bench-peers: install
	$(BIN)/python bench/peers.py --scales 100,1000

clean:
	rm -rf $(VENV) .fqda matrices/*.xlsx
