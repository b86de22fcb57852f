# `make run` and `make test` do all set-up on a fresh machine (Python 3.11+ and Node/npm).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export FLASK_APP := wsgi.py

.PHONY: setup run test lint migrate-check clean bench

setup: $(VENV)/.installed static/vendor/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Front-end files are pinned in package.json/package-lock.json and copied into static/vendor
# (the DejaVu fonts: Cyrillic text in the PDF certificates).
static/vendor/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	cp node_modules/@picocss/pico/css/pico.classless.min.css static/vendor/pico.classless.min.css
	mkdir -p static/vendor/fonts
	cp node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf \
	   node_modules/dejavu-fonts-ttf/LICENSE static/vendor/fonts/
	touch $@

run: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: setup
	@test -x /usr/bin/chromium || echo "NOTE: /usr/bin/chromium not found: the browser tests (tests/browser) are SKIPPED. Install it with 'apt-get install chromium'."
	@command -v java >/dev/null || echo "NOTE: java not found: the HTML validation (tests/test_html_valid.py) is SKIPPED. Install it with 'apt-get install default-jre-headless'."
	$(BIN)/pytest

# The pages under load (bench/README.md): the issue's size by default (seeding takes long the
# first time; add --reuse afterwards), e.g. make bench BENCH_ARGS="--small" or
# BENCH_ARGS="--reuse --pages topic". wrk comes from Debian, as .ci/run installs chromium.
BENCH_ARGS ?=
bench: setup
	@command -v wrk >/dev/null || { export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache
