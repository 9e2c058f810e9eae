# Villennes-sur-Seine – the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench messages install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the pins change.
$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	mkdir -p var
	DJANGO_SETTINGS_MODULE=site_cms.settings.dev $(BIN)/python manage.py migrate --noinput
	@if [ -d locale ]; then DJANGO_SETTINGS_MODULE=site_cms.settings.dev $(BIN)/python manage.py compilemessages --ignore=.venv -v0; fi
	DJANGO_SETTINGS_MODULE=site_cms.settings.dev $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "Site : http://$(HOST):$(PORT)/   Administration : http://$(HOST):$(PORT)/admin/"
	DJANGO_SETTINGS_MODULE=site_cms.settings.dev $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-dev
	DJANGO_SETTINGS_MODULE=site_cms.settings.test $(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff (pyflakes), then the layers of .importlinter (import-linter).
lint: install-dev
	$(BIN)/python -m ruff check .
	$(BIN)/lint-imports --no-cache

bench: install-dev
	DJANGO_SETTINGS_MODULE=site_cms.settings.test $(BIN)/python bench/run.py
	$(BIN)/python bench/import_portail_famille.py
	DJANGO_SETTINGS_MODULE=site_cms.settings.test $(BIN)/python bench/activities.py

messages: install
	$(BIN)/python manage.py makemessages -l fr --ignore=.venv --ignore=var
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var .pytest_cache
