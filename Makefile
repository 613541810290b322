# Two commands do all the set-up: `make run` and `make test` (README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
FLASK := $(BIN)/flask --app wsgi
ES := scripts/es-test-server

.PHONY: run test test-fast bench clean-venv chromium fonts test-packages bench-packages

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
run: $(VENV)/.installed fonts
	$(FLASK) db upgrade
	$(FLASK) demo load
	$(FLASK) search reindex
	@echo "广西清洁生产信息平台: http://127.0.0.1:$(PORT)  (演示账号见 README.md)"
	SCHEDULER_ENABLED=1 $(BIN)/python wsgi.py --host 127.0.0.1 --port $(PORT)

## Debian packages, by name through apt, when their command (or file) is missing: Chromium for the browser
## tests (Playwright's own download does not work here), PostgreSQL 15 for the second pass, Maven
## and Java for Elasticsearch (fetched by its Maven coordinates), and wrk for the load benchmark.
PACKAGES := scripts/debian-packages
SERVERS := /usr/lib/postgresql/15/bin/initdb=postgresql mvn=maven java=openjdk-17-jre-headless unzip=unzip curl=curl
chromium:
	@$(PACKAGES) chromium=chromium

## The Chinese font embedded in training certificates (config.py CJK_FONT_PATH).
fonts:
	@$(PACKAGES) /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf=fonts-droid-fallback

test-packages: chromium fonts
	@$(PACKAGES) $(SERVERS)

bench-packages:
	@$(PACKAGES) $(SERVERS) wrk=wrk

## make test: every test on SQLite, then again on PostgreSQL 15 (a cluster of its own), against a
## real Elasticsearch server and a real Chromium (scripts/test-suite)
test: $(VENV)/.installed-dev test-packages
	BIN=$(BIN) scripts/test-suite

## make test-fast: the tests that need neither Elasticsearch nor a browser
test-fast: $(VENV)/.installed-dev
	$(BIN)/pytest -q -m "not browser and not elasticsearch and not es_restart"

## make bench: every benchmark in bench/, one table (figure, goal, measured, pass/fail). The search
## and load benchmarks start their own Elasticsearch node (port 9260, full JIT) and stop it when
## done; the load benchmark (wrk) also its own PostgreSQL cluster.
bench: $(VENV)/.installed-dev bench-packages
	BENCH_START_ES=1 $(BIN)/python bench/__main__.py

clean-venv:
	rm -rf $(VENV)
