# Two commands on a fresh Debian machine:
#   make run    install everything, migrate, load the demo data, serve on http://127.0.0.1:8000
#               with one background worker (db_worker) beside the server
#   make test   install everything (and axe-core for the accessibility tests), run the whole test suite
#               (DATABASE_URL picks the database) and print the coverage, failing below the floor in
#               pyproject.toml
#   make lint   ruff check, ruff format --check (rules in pyproject.toml) and bandit at medium
#               severity and above (SEC-29)

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .make
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# python3-venv: the virtualenv; libpq-dev: psycopg2 fallback; pango + libharfbuzz-subset0:
# WeasyPrint (without the subsetter a letter takes seconds); fonts-noto-cjk, fonts-lxgw-wenkai:
# sources of the letter fonts (manage.py buildfonts); chromium: browser tests and screenshots
# (Playwright drives Debian's build); poppler-utils, qpdf: PDF checks (pdftotext, pdffonts,
# pdfsig, qpdf --check); postgresql-client: pg_dump and pg_restore for manage.py backup/restore;
# libreoffice-writer-nogui: only to check the .docx output in tests (tests/test_word_export.py
# converts the seed letter's Word file to PDF with soffice; the portal never runs it).
APT_PACKAGES := python3 python3-venv python3-dev build-essential libpq-dev \
	libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-lxgw-wenkai \
	chromium poppler-utils qpdf postgresql-client libreoffice-writer-nogui

.PHONY: run test lint format setup axe

# axe-core for tests/test_accessibility_browser.py: a pinned release from the npm registry, its
# tarball checked against the pinned SHA-512, unpacked under .make/ (git-ignored, never served).
# npm comes with Node.js; Debian's npm package is installed only when there is no npm at all
# (NodeSource's nodejs ships its own npm and conflicts with Debian's).
AXE_VERSION := 4.14.1
AXE_SHA512 := 1477dafa598d8d065f273d6af302aa203c02e83131707b7fa648cd41bd3d6b734f8c22a0dab86ee6a6f64b8afbe804b214d36db85a2826965edfb3a0b9d546b5
AXE := $(STAMPS)/axe/axe.min.js

setup: $(STAMPS)/venv
	$(PY) manage.py buildfonts

$(STAMPS)/apt: Makefile
	@mkdir -p $(STAMPS)
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(APT_PACKAGES)
	@touch $@

$(STAMPS)/venv: requirements.txt $(STAMPS)/apt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

# The demo runs as deployed, over plain http on 127.0.0.1: without Django's debug pages (the
# portal's Chinese 404/403/500 pages), static files from collectstatic through WhiteNoise.
run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py seed_demo
	$(PY) manage.py make_demo_pki
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "后台任务进程（db_worker）和到期规则（tick_clocks，每5分钟）与网站一起启动；按 Ctrl-C 同时停止。"
	$(PY) manage.py db_worker --no-startup-delay & worker=$$!; \
	( while true; do $(PY) manage.py tick_clocks >/dev/null; sleep 300; done ) & clocks=$$!; \
	trap "kill $$worker $$clocks 2>/dev/null" EXIT INT TERM; \
	DJANGO_HTTPS=0 DJANGO_SECURE_COOKIES=0 $(PY) manage.py runserver 127.0.0.1:8000

axe: $(AXE)

$(AXE): Makefile | $(STAMPS)/apt
	command -v npm >/dev/null || $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends npm
	rm -rf $(STAMPS)/axe && mkdir -p $(STAMPS)/axe
	cd $(STAMPS)/axe && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null
	echo "$(AXE_SHA512)  $(STAMPS)/axe/axe-core-$(AXE_VERSION).tgz" | sha512sum --check --quiet
	tar -xzf $(STAMPS)/axe/axe-core-$(AXE_VERSION).tgz -C $(STAMPS)/axe --strip-components=1 package/axe.min.js package/LICENSE
	@touch $@

test: setup $(AXE)
	$(PY) -m pytest -n auto --cov --cov-report=term

lint: $(STAMPS)/venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -r proposals measures suizhou_replies --severity-level medium --quiet

# Not part of CI: rewrites files in place (then commit).
format: $(STAMPS)/venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
