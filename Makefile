# Two commands do all the set-up: `make run` and `make test` (README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
FLASK := $(BIN)/flask --app wsgi
ES := scripts/es-test-server

.PHONY: run test test-fast bench clean-venv chromium

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## make run: the platform with demo data on http://127.0.0.1:$(PORT) (SQLite, embedded search)
run: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) demo load
	$(FLASK) search reindex
	@echo "广西清洁生产信息平台: http://127.0.0.1:$(PORT)  (演示账号见 README.md)"
	SCHEDULER_ENABLED=1 $(BIN)/python wsgi.py --host 127.0.0.1 --port $(PORT)

## Debian's Chromium for the browser tests (Playwright's own download does not work here)
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

## make test: every test, against a real Elasticsearch server and a real Chromium
test: $(VENV)/.installed-dev chromium
	$(ES) start
	export ELASTICSEARCH_URL=$$($(ES) url) REQUIRE_ELASTICSEARCH=1 FAIL_ON_SKIP=1 CHROMIUM_PATH=$$(command -v chromium); \
	  $(BIN)/pytest -q -n 2 -m "not es_restart" && $(BIN)/pytest -q -m es_restart; \
	  status=$$?; $(ES) stop; exit $$status

## make test-fast: the tests that need neither Elasticsearch nor a browser
test-fast: $(VENV)/.installed-dev
	$(BIN)/pytest -q -m "not browser and not elasticsearch and not es_restart"

## make bench: every benchmark in bench/, one table (figure, goal, measured, pass/fail). The search
## benchmark starts its own Elasticsearch node (port 9260, full JIT) and stops it when done.
bench: $(VENV)/.installed-dev
	BENCH_START_ES=1 $(BIN)/python bench/__main__.py

clean-venv:
	rm -rf $(VENV)
