# The two entry points of README.md: `make serve` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
INDEX ?= instance/index
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the test suite needs: Chromium for the browser tests (never a downloaded
# browser), and the converters office files and scans go through. `make serve` on the .txt
# corpus needs none of them; a file whose converter is missing is skipped, naming the package.
TEST_PACKAGES := chromium chromium-driver tesseract-ocr tesseract-ocr-vie libreoffice-writer-nogui \
	poppler-utils fonts-dejavu-core fonts-liberation2

.PHONY: install index serve test bench clean system-packages

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

system-packages:
	@missing=$$(for p in $(TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

test: install system-packages
	$(BIN)/python -m pytest

# The performance benchmark against SQLite FTS5 (reads ../shared/bench at run time; about 10 min
# for the 1x corpus, 20 min for 4x), then the plot in docs/benchmark.png.
bench: install
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/run.py --scale 1
	$(BIN)/python bench/plot.py

clean:
	rm -rf $(VENV) instance/index .pytest_cache
