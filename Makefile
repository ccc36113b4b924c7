# The two entry points of README.md: `make serve` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
INDEX ?= instance/index
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
# Browser tests drive Debian's Chromium (never a downloaded browser).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install index serve test bench clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

index: install
	$(BIN)/python -m indexer build --index $(INDEX)

serve: index
	PORTAL_INDEX=$(INDEX) $(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) 'portal:create_app()'

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver

test: install $(CHROMIUM)
	$(BIN)/python -m pytest

# The performance benchmark against SQLite FTS5 (reads ../shared/bench at run time; about 10 min
# for the 1x corpus, 20 min for 4x), then the plot in docs/benchmark.png.
bench: install
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/run.py --scale 1
	$(BIN)/python bench/plot.py

clean:
	rm -rf $(VENV) instance/index .pytest_cache
