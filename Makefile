# Villennes-sur-Seine – the two commands: `make run` and `make test` (and `make dev` to develop).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run dev demo-data test lint bench bench-load cluster messages install install-dev clean

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

# The demo as a town would see it: DEBUG off (French 404/500), static files collected and
# served by whitenoise, gunicorn; the Wagtail Site record (absolute links of the RSS feed and
# sitemap.xml) and the e-mails' links use the address served here.
SITE_URL = http://$(HOST):$(PORT)
DEMO_ENV = DJANGO_SETTINGS_MODULE=site_cms.settings.demo WAGTAILADMIN_BASE_URL=$(SITE_URL) ALLOWED_HOSTS=$(HOST)
DEV_ENV = DJANGO_SETTINGS_MODULE=site_cms.settings.dev WAGTAILADMIN_BASE_URL=$(SITE_URL)

demo-data: install
	mkdir -p var
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	@if [ -d locale ]; then $(DEV_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv -v0; fi
	$(DEV_ENV) $(BIN)/python manage.py seed_demo

run: demo-data
	$(DEMO_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	@echo ""
	@echo "Site : $(SITE_URL)/   Administration : $(SITE_URL)/admin/   (DEBUG désactivé ; 'make dev' pour développer)"
	$(DEMO_ENV) $(BIN)/gunicorn site_cms.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile -

# Development: Django's server with auto-reload and debug pages, static files from static/.
dev: demo-data
	@echo ""
	@echo "Site : $(SITE_URL)/   Administration : $(SITE_URL)/admin/   (développement : rechargement automatique)"
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-dev
	DJANGO_SETTINGS_MODULE=site_cms.settings.test $(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff (pyflakes), then the layers of .importlinter (import-linter).
lint: install-dev
	$(BIN)/python -m ruff check .
	$(BIN)/lint-imports --no-cache

bench: install-dev
	DJANGO_SETTINGS_MODULE=site_cms.settings.test $(BIN)/python bench/run.py
	DJANGO_SETTINGS_MODULE=site_cms.settings.test $(BIN)/python bench/pages.py
	$(BIN)/python bench/import_portail_famille.py
	DJANGO_SETTINGS_MODULE=site_cms.settings.test $(BIN)/python bench/activities.py

# Load benchmark (never part of `make test`): gunicorn with the production settings, wrk,
# PostgreSQL database villennes_load (BENCH_DATABASE_URL), Redis DBs 7-8. BENCH_LOAD_ARGS:
# e.g. "pages --households 10000 --duration 10" or "booking" (bench/load.py --help).
bench-load: install-dev
	$(BIN)/python bench/load.py $(BENCH_LOAD_ARGS)

# Two app servers behind nginx on 127.0.0.1, one database, one Redis, a task worker
# (.ci/cluster; CI runs it after `make test`).
cluster: install-dev
	.ci/cluster

messages: install
	$(BIN)/python manage.py makemessages -l fr --ignore=.venv --ignore=var
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var .pytest_cache
