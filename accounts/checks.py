"""The site's own deployment checks, run by ``manage.py check --deploy``.

Each check carries a stable ID (``accounts.E001`` ...) that operators can
look up in the README and silence with ``SILENCED_SYSTEM_CHECKS`` only on
purpose.
"""

import ipaddress
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.utils.module_loading import import_string

from .conf import EMAIL_VERIFICATION_MODES, RATE_LIMITS, SETTINGS, app_settings

ARGON2_NOT_FIRST = (
    "The first entry of PASSWORD_HASHERS is not an Argon2 hasher, so new "
    "passwords are hashed with a weaker algorithm."
)
ARGON2_NOT_FIRST_HINT = (
    "Put 'accounts.hashers.Argon2PasswordHasher' first in PASSWORD_HASHERS."
)
COOKIES_NOT_SECURE = (
    "The {cookie} cookie is not Secure with the __Host- prefix (setting "
    "{setting}), so it may travel over plain HTTP or be set by a subdomain."
)
COOKIES_NOT_SECURE_HINT = (
    "Use the production profile (DJANGO_ENV=production), which sets "
    "{setting}_SECURE = True and a '__Host-' {setting}_NAME with no domain and "
    "path '/'."
)
PROCESS_LOCAL_CACHE = (
    "The default cache ({backend}) lives inside each process, but "
    "WEB_CONCURRENCY={workers} workers on APP_SERVER_COUNT={servers} servers "
    "are expected: lockout and rate-limit counts would be split between them."
)
PROCESS_LOCAL_CACHE_HINT = (
    "Point CACHE_URL at a shared cache, e.g. rediscache://host:6379/0, or set "
    "WEB_CONCURRENCY=1 for a single-process site."
)
CONSOLE_EMAIL = (
    "EMAIL_BACKEND is {backend}: password-reset and verification emails are "
    "never delivered."
)
CONSOLE_EMAIL_HINT = "Set EMAIL_URL to your mail server, e.g. smtp+tls://..."
IMMEDIATE_TASKS = "django_tasks.backends.immediate.ImmediateBackend"
EMAIL_IN_REQUESTS = (
    "Tasks run immediately (TASKS_BACKEND=immediate): email is sent inside "
    "the request, so a slow mail server slows pages and a mail server that "
    "is down delays every message until requeue_emails runs."
)
EMAIL_IN_REQUESTS_HINT = (
    "Use TASKS_BACKEND=database (the production default) and run "
    "`manage.py db_worker` beside the app server."
)
PROXY_HEADER_UNTRUSTED = (
    "SECURE_PROXY_SSL_HEADER or USE_X_FORWARDED_HOST trusts headers that "
    "only a reverse proxy may set, but TRUSTED_PROXY_COUNT is 0: either a "
    "client can forge them, or the site is behind a proxy and every client "
    "shares the proxy's address for lockouts and rate limits."
)
PROXY_HEADER_UNTRUSTED_HINT = (
    "Behind a proxy, set TRUSTED_PROXY_COUNT to the number of proxies that "
    "append to X-Forwarded-For; without one, do not trust proxy headers."
)
PROXY_SSL_HEADER_MISSING = (
    "TRUSTED_PROXY_COUNT is {count} and SECURE_SSL_REDIRECT is on, but "
    "SECURE_PROXY_SSL_HEADER is not set: requests forwarded by a "
    "TLS-terminating proxy look like plain HTTP and redirect forever."
)
PROXY_SSL_HEADER_MISSING_HINT = (
    "Set SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https') (the "
    "production profile does when TRUSTED_PROXY_COUNT > 0) and make the proxy "
    "overwrite that header."
)

STATIC_MANIFEST_MISSING = (
    "The static-file manifest {manifest} is missing: static files are stored "
    "with hashed names ({storage}), so every page that links one answers "
    "500 until collectstatic has run."
)
STATIC_MANIFEST_MISSING_HINT = (
    "Run 'python manage.py collectstatic --noinput' on each release, with "
    "the same STATIC_ROOT as the servers."
)
SITE_URL_NOT_A_DOMAIN = (
    "SITE_URL ({value}) does not name the site by a domain name: browsers "
    "refuse an IP address as a passkey's relying-party ID, so passkeys cannot "
    "be added or used."
)
SITE_URL_NOT_A_DOMAIN_HINT = (
    "Serve and link to the site by its name, e.g. SITE_URL=https://auth.example.com "
    "(in development http://localhost:8000, as `make run` does)."
)

PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}
UNDELIVERED_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


@register(Tags.security, deploy=True)
def check_argon2_first(app_configs, **kwargs):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    first = import_string(settings.PASSWORD_HASHERS[0])
    if issubclass(first, Argon2PasswordHasher):
        return []
    return [Error(ARGON2_NOT_FIRST, hint=ARGON2_NOT_FIRST_HINT, id="accounts.E001")]


@register(Tags.security, deploy=True)
def check_cookies_secure(app_configs, **kwargs):
    """Session and CSRF cookies must be ``__Host-`` cookies (ASVS 3.3.1)."""
    problems = []
    for cookie, setting in (("session", "SESSION_COOKIE"), ("CSRF", "CSRF_COOKIE")):
        secure = getattr(settings, f"{setting}_SECURE")
        name = getattr(settings, f"{setting}_NAME")
        domain = getattr(settings, f"{setting}_DOMAIN")
        path = getattr(settings, f"{setting}_PATH", "/")
        if secure and name.startswith("__Host-") and domain is None and path == "/":
            continue
        problems.append(
            Warning(
                COOKIES_NOT_SECURE.format(cookie=cookie, setting=setting),
                hint=COOKIES_NOT_SECURE_HINT.format(setting=setting),
                id="accounts.W002",
            )
        )
    return problems


@register(Tags.security, Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    workers, servers = app_settings.WEB_CONCURRENCY, app_settings.APP_SERVER_COUNT
    if backend not in PROCESS_LOCAL_CACHES or workers * servers <= 1:
        return []
    return [
        Warning(
            PROCESS_LOCAL_CACHE.format(
                backend=backend, workers=workers, servers=servers
            ),
            hint=PROCESS_LOCAL_CACHE_HINT,
            id="accounts.W003",
        )
    ]


@register(Tags.security, deploy=True)
def check_email_delivered(app_configs, **kwargs):
    if settings.EMAIL_BACKEND not in UNDELIVERED_EMAIL_BACKENDS:
        return []
    return [
        Warning(
            CONSOLE_EMAIL.format(backend=settings.EMAIL_BACKEND),
            hint=CONSOLE_EMAIL_HINT,
            id="accounts.W004",
        )
    ]


@register(deploy=True)
def check_email_in_background(app_configs, **kwargs):
    backend = getattr(settings, "TASKS", {}).get("default", {}).get("BACKEND")
    if backend != IMMEDIATE_TASKS:
        return []
    return [Warning(EMAIL_IN_REQUESTS, hint=EMAIL_IN_REQUESTS_HINT, id="accounts.W016")]


@register(Tags.security, deploy=True)
def check_trusted_proxies(app_configs, **kwargs):
    count = app_settings.TRUSTED_PROXY_COUNT
    trusts_proxy_headers = bool(
        settings.SECURE_PROXY_SSL_HEADER
        or settings.USE_X_FORWARDED_HOST
        or settings.USE_X_FORWARDED_PORT
    )
    if count <= 0 and trusts_proxy_headers:
        return [
            Error(
                PROXY_HEADER_UNTRUSTED,
                hint=PROXY_HEADER_UNTRUSTED_HINT,
                id="accounts.E005",
            )
        ]
    if (
        count > 0
        and settings.SECURE_SSL_REDIRECT
        and not settings.SECURE_PROXY_SSL_HEADER
    ):
        return [
            Error(
                PROXY_SSL_HEADER_MISSING.format(count=count),
                hint=PROXY_SSL_HEADER_MISSING_HINT,
                id="accounts.E006",
            )
        ]
    return []


def missing_static_manifest() -> str | None:
    """The path of the static-file manifest when storage needs it and it is
    missing (``collectstatic`` has not run); otherwise None."""
    from django.contrib.staticfiles.storage import (
        ManifestFilesMixin,
        staticfiles_storage,
    )

    storage = staticfiles_storage
    if not isinstance(storage, ManifestFilesMixin):
        return None
    if storage.manifest_storage.exists(storage.manifest_name):
        return None
    return storage.manifest_storage.path(storage.manifest_name)


@register(Tags.staticfiles, deploy=True)
def check_static_manifest(app_configs, **kwargs):
    from django.contrib.staticfiles.storage import staticfiles_storage

    manifest = missing_static_manifest()
    if manifest is None:
        return []
    storage = staticfiles_storage.__class__
    return [
        Error(
            STATIC_MANIFEST_MISSING.format(
                manifest=manifest, storage=f"{storage.__module__}.{storage.__name__}"
            ),
            hint=STATIC_MANIFEST_MISSING_HINT,
            id="accounts.E014",
        )
    ]


# The sign-in pipeline's own wiring, checked on every ``manage.py`` run.

# The middleware the pipeline depends on, in the order it needs them.
REQUIRED_MIDDLEWARE = (
    "accounts.usersessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.usersessions.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.usersessions.middleware.SessionExpiredMessageMiddleware",
    "accounts.security.middleware.LockedOutMiddleware",
)
# Django's own versions: each one passes Django's checks but breaks the site
# (sessions without their device and activity record, so active users are
# signed out after the idle timeout; the user read with a second query).
REPLACED_BY_THE_PROJECT = {
    "django.contrib.sessions.middleware.SessionMiddleware": REQUIRED_MIDDLEWARE[0],
    "django.contrib.auth.middleware.AuthenticationMiddleware": REQUIRED_MIDDLEWARE[2],
}
MIDDLEWARE_WRONG = (
    "MIDDLEWARE must list {expected} in this order; {problem}. The sign-in "
    "flow depends on them (accounts/login/flow.py)."
)
MIDDLEWARE_WRONG_HINT = "Start from MIDDLEWARE in authsite/settings/base.py."
# Apps whose order matters: the project's templates and management commands
# (createsuperuser) must win over contrib's, and the admin must be the
# project's admin site.
APPS_IN_ORDER = ("accounts", "accounts.apps.AdminConfig", "django.contrib.auth")
APPS_WRONG = (
    "INSTALLED_APPS must list {expected} in this order; {problem}: the "
    "project's templates and createsuperuser must take precedence over "
    "contrib's, and the admin must sign in through the site."
)
APPS_WRONG_HINT = "Start from INSTALLED_APPS in authsite/settings/base.py."
SESSION_STORE_UNKNOWN = "SESSION_STORE must be one of {stores}, not {value!r}."
EMAIL_VERIFICATION_UNKNOWN = (
    "ACCOUNT_EMAIL_VERIFICATION must be 'mandatory', 'optional' or 'none', "
    "not {value!r}."
)
TASKS_BACKEND_UNKNOWN = "TASKS_BACKEND must be one of {backends}, not {value!r}."
RATE_MALFORMED = "{variable} must look like '5/h' or '20/15m', not {value!r}."
RATE_FORMAT = re.compile(r"[1-9]\d*/(?:[1-9]\d*)?[smhd]")


def _order_problem(listed, expected, replaced=None) -> str | None:
    for name, ours in (replaced or {}).items():
        if name in listed:
            return f"{name} stands where {ours} belongs"
    missing = [name for name in expected if name not in listed]
    if missing:
        return f"{', '.join(missing)} is missing"
    positions = [listed.index(name) for name in expected]
    if positions != sorted(positions):
        return "they are in another order"
    return None


@register(Tags.security)
def check_sign_in_middleware(app_configs, **kwargs):
    problem = _order_problem(
        list(settings.MIDDLEWARE), REQUIRED_MIDDLEWARE, REPLACED_BY_THE_PROJECT
    )
    if problem is None:
        return []
    return [
        Error(
            MIDDLEWARE_WRONG.format(
                expected=", ".join(REQUIRED_MIDDLEWARE), problem=problem
            ),
            hint=MIDDLEWARE_WRONG_HINT,
            id="accounts.E010",
        )
    ]


@register(Tags.security)
def check_app_order(app_configs, **kwargs):
    problem = _order_problem(list(settings.INSTALLED_APPS), APPS_IN_ORDER)
    if problem is None:
        return []
    return [
        Error(
            APPS_WRONG.format(expected=", ".join(APPS_IN_ORDER), problem=problem),
            hint=APPS_WRONG_HINT,
            id="accounts.E011",
        )
    ]


@register(Tags.security)
def check_site_url_names_a_domain(app_configs, **kwargs):
    """Passkeys are bound to SITE_URL's host, which must be a domain name."""
    host = urlsplit(app_settings.SITE_URL).hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if host:
            return []
    return [
        Warning(
            SITE_URL_NOT_A_DOMAIN.format(value=app_settings.SITE_URL),
            hint=SITE_URL_NOT_A_DOMAIN_HINT,
            id="accounts.W012",
        )
    ]


@register()
def check_setting_values(app_configs, **kwargs):
    """Values an operator sets that the code cannot work with."""
    errors = []
    stores = settings.SESSION_STORES
    if settings.SESSION_STORE not in stores:
        errors.append(
            Error(
                SESSION_STORE_UNKNOWN.format(
                    stores=", ".join(stores), value=settings.SESSION_STORE
                ),
                id="accounts.E007",
            )
        )
    backends = getattr(settings, "TASKS_BACKENDS", {})
    if backends and settings.TASKS_BACKEND not in backends:
        errors.append(
            Error(
                TASKS_BACKEND_UNKNOWN.format(
                    backends=", ".join(backends), value=settings.TASKS_BACKEND
                ),
                id="accounts.E015",
            )
        )
    if app_settings.EMAIL_VERIFICATION not in EMAIL_VERIFICATION_MODES:
        errors.append(
            Error(
                EMAIL_VERIFICATION_UNKNOWN.format(
                    value=app_settings.EMAIL_VERIFICATION
                ),
                id="accounts.E008",
            )
        )
    for name in RATE_LIMITS:
        value = getattr(app_settings, name)
        if not isinstance(value, str) or not RATE_FORMAT.fullmatch(value):
            errors.append(
                Error(
                    RATE_MALFORMED.format(variable=SETTINGS[name].env, value=value),
                    id="accounts.E009",
                )
            )
    return errors
