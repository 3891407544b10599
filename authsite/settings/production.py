"""The strict profile for real deployments (``DJANGO_ENV=production``).

``manage.py check --deploy`` is clean with it. Served over HTTPS only: cookies
are Secure and carry the ``__Host-`` prefix (OWASP ASVS 3.3.1).
"""

from accounts.oidc import keys as oidc_keys

from .base import *  # noqa: F403
from .base import (
    LOGGING,
    OAUTH2_PROVIDER,
    OIDC_ISSUER_PATH,
    TASKS_BACKENDS,
    env,
    read_secret_key,
)

DEBUG = False
SECRET_KEY = read_secret_key(required=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
AUTHSITE_SITE_URL = env.str("SITE_URL")

# OPENID CONNECT PROVIDER
# ------------------------------------------------------------------------------
# No key, no start: ID tokens must be signed with a key the site keeps.
OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"] = oidc_keys.signing_key(env.ENVIRON)
OAUTH2_PROVIDER["OIDC_ISS_ENDPOINT"] = AUTHSITE_SITE_URL.rstrip("/") + OIDC_ISSUER_PATH
OAUTH2_PROVIDER["ALLOWED_REDIRECT_URI_SCHEMES"] = env.list(
    "OIDC_REDIRECT_URI_SCHEMES", default=["https"]
)
# Plain http redirect URIs fail `check --deploy` (unless asked for above,
# when they stay a warning).
OAUTH2_PROVIDER["COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME"] = (
    "http" not in OAUTH2_PROVIDER["ALLOWED_REDIRECT_URI_SCHEMES"]
)

# HTTPS
# ------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Load balancers probe the health endpoint over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Behind a TLS-terminating proxy (TRUSTED_PROXY_COUNT > 0), trust the
# X-Forwarded-Proto header that proxy sets.
if env.int("TRUSTED_PROXY_COUNT", default=0):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# COOKIES
# ------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_NAME = "__Host-csrftoken"
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
AUTHSITE_KNOWN_DEVICE_COOKIE_SECURE = True
AUTHSITE_KNOWN_DEVICE_COOKIE_NAME = "__Host-known_device"
AUTHSITE_TWO_FACTOR_TRUST_COOKIE_NAME = "__Host-trusted_browser"

# TWO-FACTOR AUTHENTICATION
# ------------------------------------------------------------------------------
AUTHSITE_ADMIN_REQUIRE_2FA = env.bool("ADMIN_REQUIRE_2FA", default=True)

# BACKGROUND TASKS
# ------------------------------------------------------------------------------
# Email goes out from `manage.py db_worker`, never from a request.
TASKS_BACKEND = env.str("TASKS_BACKEND", default="database")
TASKS = {
    "default": {
        "BACKEND": TASKS_BACKENDS.get(TASKS_BACKEND, TASKS_BACKENDS["database"])
    }
}

# STATIC FILES
# ------------------------------------------------------------------------------
# WhiteNoise serves ``collectstatic`` output with hashed names (cached
# forever by browsers) and pre-compressed gzip variants.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# LOGGING
# ------------------------------------------------------------------------------
LOGGING["handlers"]["console"]["formatter"] = env.str("LOG_FORMAT", default="json")
