# authsite developer entry points. `make run` and `make test` are the quick start.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format check migrations-check messages ci bench-sessions

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

## run: set everything up and serve the site on SQLite at http://$(HOST):$(PORT)/
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: the whole test suite
test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## check: the production profile passes `check --deploy` (throwaway key)
check: install
	DJANGO_ENV=production ALLOWED_HOSTS=auth.example.com SITE_URL=https://auth.example.com \
	SECRET_KEY="$$($(BIN)/python -c 'from django.core.management.utils import get_random_secret_key as k; print(k())')" \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

## messages: refresh the Korean catalogue from the source, then compile it
messages: install
	$(BIN)/python manage.py makemessages -l ko --ignore=.venv --ignore=tests --ignore=bench --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv

## bench-sessions: session lookup and "my sessions" cost at 1 thousand vs 1 million rows (SQLite, a few minutes)
bench-sessions: install
	$(BIN)/python bench/sessions.py

ci: lint migrations-check check test
