# The whole set-up on a fresh Debian machine with Python 3.11:
#   make run    the app on http://127.0.0.1:$(PORT) with a worker, demo data included
#   make test   everything the tests need (PostgreSQL and Redis included), then the suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test install install-dev translations messages test-services clean

$(BIN)/python:
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || bash .ci/apt-install.sh python3-venv
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Compiled catalogues are build output (git-ignored); the .po files are the source.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d marketplace/translations -D messages

# After changing user-facing text: refresh the catalogue, then translate the new entries.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output --no-wrap \
	  -o marketplace/translations/messages.pot marketplace templates
	$(BIN)/pybabel update -i marketplace/translations/messages.pot -d marketplace/translations \
	  --no-fuzzy-matching --ignore-obsolete --no-wrap

run: install translations
	$(BIN)/flask init-db
	$(BIN)/flask seed-demo
	@echo
	@echo "CungCầu is starting on http://127.0.0.1:$(PORT)  (Ctrl-C stops the web app and the worker within seconds)"
	@if [ -z "$$MAIL_SERVER" ]; then echo "E-mails (sign-up confirmations, password resets, notifications) are written to instance/mail/ as .eml files"; fi
	@bash .ci/serve.sh $(BIN) $(PORT)

test-services:
	@bash .ci/apt-install.sh postgresql redis-server chromium

test: install-dev translations test-services
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
