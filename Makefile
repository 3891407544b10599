# authsite developer entry points. `make run` and `make test` are the quick start.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Marks axe-core as installed (npm ci) for the browser tests.
AXE := tests/e2e/node_modules/.installed

.PHONY: install system-packages run serve example-rp test e2e bench bench-sessions lint format check migrations-check messages ci

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

## run: set everything up and serve the site on SQLite; open http://localhost:$(PORT)/
## (emailed links and passkeys use that address unless SITE_URL is set: browsers
## refuse an IP address such as 127.0.0.1 as a passkey's relying-party ID)
run: install
	$(BIN)/python manage.py migrate --noinput
	@echo "Open $${SITE_URL:-http://localhost:$(PORT)}/ (localhost, not 127.0.0.1: browsers refuse passkeys on an IP address)"
	SITE_URL=$${SITE_URL:-http://localhost:$(PORT)} $(BIN)/python manage.py runserver $(HOST):$(PORT)

## serve: the production profile under gunicorn at http://$(HOST):$(PORT)/ on this
## machine: plain HTTP (SECURE_SSL_REDIRECT=False), a throwaway SECRET_KEY made
## for this run, one worker so the local-memory cache stays consistent, and the
## email worker (manage.py db_worker) beside it, stopped with it.
## Browsers accept its Secure __Host- cookies on http://127.0.0.1 and localhost only;
## open it at http://localhost:$(PORT)/, the address passkeys are bound to.
SERVE_ENV = DJANGO_ENV=production SECURE_SSL_REDIRECT=False \
	ALLOWED_HOSTS=$(HOST),localhost SITE_URL=$${SITE_URL:-http://localhost:$(PORT)} \
	OIDC_RSA_PRIVATE_KEY_FILE=$${OIDC_RSA_PRIVATE_KEY_FILE:-$(SERVE_KEY)} \
	WEB_CONCURRENCY=$${WEB_CONCURRENCY:-1} \
	SECRET_KEY="$$($(BIN)/python -c 'from django.core.management.utils import get_random_secret_key as k; print(k())')"
# The ID-token signing key of `make serve`, made once (production needs one).
SERVE_KEY := var/oidc-serve-signing-key.pem
$(SERVE_KEY): | install
	mkdir -p var && umask 077 && $(BIN)/python -m accounts.oidc.keys > $@.tmp && mv $@.tmp $@

serve: install $(SERVE_KEY)
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --noinput -v 0
	$(SERVE_ENV) $(BIN)/python manage.py migrate --noinput
	$(SERVE_ENV) GUNICORN_BIND=$(HOST):$(PORT) sh -c '\
	  $(BIN)/python manage.py db_worker & worker=$$!; \
	  $(BIN)/gunicorn -c authsite/gunicorn.conf.py authsite.wsgi & server=$$!; \
	  trap "kill $$server $$worker 2>/dev/null" INT TERM; \
	  wait $$server; status=$$?; kill $$worker 2>/dev/null; wait; exit $$status'

## example-rp: the example app of examples/oidc-client/ at http://localhost:$(RP_PORT)/,
## signing in with the site of `make run` (run both; it registers itself once)
RP_PORT ?= 8001
example-rp: install
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py register_app --name "Example app" --client-id example-rp \
	  --public --redirect-uri http://localhost:$(RP_PORT)/callback/ \
	  --post-logout-redirect-uri http://localhost:$(RP_PORT)/ --if-missing
	OIDC_ISSUER=$${OIDC_ISSUER:-http://$(HOST):$(PORT)/o} OIDC_CLIENT_ID=example-rp \
	  RP_URL=http://localhost:$(RP_PORT) \
	  $(BIN)/python examples/oidc-client/app.py runserver localhost:$(RP_PORT)

## system-packages: Debian packages the tests need, installed with apt when
## missing (as root): chromium for the browser tests (never downloaded by
## Playwright), a Korean font for their screenshots, npm for axe-core, gettext
## for the catalogue check, wrk for the sign-in flood test.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium fonts-nanum"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "The tests need these Debian packages: sudo apt-get install$$missing" >&2; exit 1; \
	  fi; \
	fi

## test: the whole test suite, browser tests included
test: install system-packages $(AXE)
	$(BIN)/python -m pytest

## e2e: only the browser tests (tests/e2e/); screenshots in test-artifacts/
e2e: install system-packages $(AXE)
	$(BIN)/python -m pytest tests/e2e

# axe-core for the accessibility checks, pinned in tests/e2e/package*.json
$(AXE): tests/e2e/package.json tests/e2e/package-lock.json | system-packages
	npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error
	touch $@

## bench: sign-ins against Argon2, the dashboard against a stock Django site (needs wrk)
bench: install
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python -m bench.run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## check: the production profile passes `check --deploy` (throwaway key; static
## files collected into a throwaway folder, as a release does first)
check: install
	export DJANGO_ENV=production ALLOWED_HOSTS=auth.example.com SITE_URL=https://auth.example.com \
	CACHE_URL=rediscache://127.0.0.1:6379/0 EMAIL_URL=smtp+tls://mail.example.com:587 \
	STATIC_ROOT="$$(mktemp -d)" \
	OIDC_RSA_PRIVATE_KEY="$$($(BIN)/python -m accounts.oidc.keys)" \
	SECRET_KEY="$$($(BIN)/python -c 'from django.core.management.utils import get_random_secret_key as k; print(k())')" && \
	$(BIN)/python manage.py collectstatic --noinput -v 0 && \
	$(BIN)/python manage.py check --deploy --fail-level WARNING; \
	status=$$?; rm -rf "$$STATIC_ROOT"; exit $$status

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

## messages: refresh the Korean catalogue from the source, then compile it
messages: install
	$(BIN)/python manage.py makemessages -l ko --ignore=.venv --ignore=tests --ignore=bench --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=tests

## bench-sessions: session lookup and "my sessions" cost at 1 thousand vs 1 million rows (SQLite, a few minutes)
bench-sessions: install
	$(BIN)/python bench/sessions.py

ci: lint migrations-check check test
