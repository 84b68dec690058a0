# Newsroom: `make run` serves the demo site, `make test` runs the whole suite.
# Both set up everything first: a virtualenv in .venv and a local PostgreSQL
# server under .data/ (unless DATABASE_URL points elsewhere).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test install migrate lint format bench bench-faults bench-prescreen bench-notifications stop-db clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

# The development server and a task worker beside it (e-mails, notifications, lead-image
# renditions); Ctrl-C, a kill of make, or the server stopping for any reason stops both.
# Both run in the background while the shell waits: a shell defers its traps until a
# foreground command ends, so a TERM (which make passes on) would otherwise wait forever.
run: migrate
	PORT=$(PORT) $(PY) manage.py seed_demo
	@PORT=$(PORT) $(PY) manage.py db_worker --no-reload --interval 0.5 & worker=$$!; \
	PORT=$(PORT) $(PY) manage.py runserver 127.0.0.1:$(PORT) & server=$$!; \
	trap 'kill -TERM $$server $$worker 2>/dev/null' INT TERM; \
	wait $$server; kill -TERM $$server $$worker 2>/dev/null; wait

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

# Notification e-mails a worker sends per second, and posting with notifications on/off.
bench-notifications: migrate
	$(PY) bench/notifications.py $(BENCH_ARGS)

bench-faults: install
	$(PY) bench/faults.py $(BENCH_ARGS)

stop-db:
	@test -x $(PY) && $(PY) -m newsroom.localdb stop || true

clean: stop-db
	rm -rf .data $(VENV) *.egg-info
