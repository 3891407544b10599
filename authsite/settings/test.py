"""Settings for the test suite: fast hashing, in-memory mail, no .env surprises."""

from accounts.oidc import keys as oidc_keys

from .base import *  # noqa: F403
from .base import OAUTH2_PROVIDER, TEMPLATES

DEBUG = False
SECRET_KEY = "test-only-secret-key-that-is-long-enough-to-look-real-0123456789"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# Real Argon2 (so tests see genuine argon2id hashes), at the cheapest cost.
AUTHSITE_ARGON2_TIME_COST = 1
AUTHSITE_ARGON2_MEMORY_COST = 8
AUTHSITE_ARGON2_PARALLELISM = 1

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Email is delivered at once, when the change that causes it commits.
TASKS_BACKEND = "immediate"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Tests never reach the real Have I Been Pwned: the breach check is off (the
# common-password list still applies); tests/test_breached_passwords.py
# points it at a local server.
AUTHSITE_PWNED_PASSWORDS_URL = ""
TEMPLATES[0]["OPTIONS"]["debug"] = True
LANGUAGE_CODE = "en"
# Serve static files from the source directories: no collectstatic needed.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# A signing key of this test run only.
OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"] = oidc_keys.new_private_key()
