# eforms: the two commands of the README are `make run` and `make test`.
# Each installs what it needs on a fresh Debian machine, idempotently.

SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

# Debian packages: WeasyPrint (pango, harfbuzz subsetting), fonts with Times New
# Roman metrics and full Vietnamese, PostgreSQL and Redis for the test servers,
# SoftHSM2 + OpenSC for PKCS#11, poppler and qpdf for independent PDF checks,
# Chromium for the e2e tests, nginx for the reverse-proxy tests, Ceph for the real
# S3 object-lock server.
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	fonts-liberation2 fonts-noto-core fonts-dejavu-core \
	postgresql redis-server softhsm2 opensc poppler-utils qpdf \
	chromium chromium-driver nginx-light \
	ceph-mon ceph-mgr ceph-osd radosgw ceph-common

.PHONY: help install system-packages venv eark-venv translations i18n-update run test test-fast lint format clean

help:
	@echo "make run    install and start the service with demo data"
	@echo "make test   install and run the whole test suite"
	@echo "make lint   ruff check and format check"

install: system-packages venv translations

system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# The E-ARK project's package validator pins an old lxml: it gets its own venv,
# used by tests/archive (which make one under the test's tmp dir if this is absent).
EARK_VENV := .venv-eark

eark-venv: $(EARK_VENV)/.installed

$(EARK_VENV)/.installed:
	test -x $(EARK_VENV)/bin/python || $(PYTHON) -m venv $(EARK_VENV)
	$(EARK_VENV)/bin/pip install -q 'eark-validator>=1.1,<1.2'
	touch $@

# Compiled catalogs (.mo) are build products; the .po files are the source.
translations: venv
	$(BIN)/pybabel -q compile -d portal/translations

# After adding or changing user-facing strings: refresh the catalogs, then
# translate the new entries in portal/translations/en/LC_MESSAGES/messages.po.
i18n-update: venv
	$(BIN)/pybabel extract -F portal/babel.cfg -k _l -k lazy_gettext -k N_ \
		-o portal/translations/messages.pot portal
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations \
		--no-fuzzy-matching

run: install
	$(BIN)/eforms db upgrade
	$(BIN)/eforms pki init
	$(BIN)/eforms demo seed
	$(BIN)/eforms serve

test: install eark-venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

test-fast: venv translations
	$(BIN)/pytest -m "not integration and not e2e and not slow"

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) $(EARK_VENV) var .pytest_cache
