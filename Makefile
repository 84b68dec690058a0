# Newsroom: `make run` serves the demo site, `make test` runs the whole suite.
# Both set up everything first: a virtualenv in .venv and a local PostgreSQL
# server under .data/ (unless DATABASE_URL points elsewhere).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test install migrate lint format bench bench-faults bench-prescreen stop-db clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

run: migrate
	PORT=$(PORT) $(PY) manage.py seed_demo
	PORT=$(PORT) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: migrate
	$(PY) bench/run.py $(BENCH_ARGS)

bench-prescreen: migrate
	$(PY) bench/prescreen.py

bench-faults: install
	$(PY) bench/faults.py $(BENCH_ARGS)

stop-db:
	@test -x $(PY) && $(PY) -m newsroom.localdb stop || true

clean: stop-db
	rm -rf .data $(VENV) *.egg-info
