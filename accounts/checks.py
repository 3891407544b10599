"""The site's own deployment checks, run by ``manage.py check --deploy``.

Each check carries a stable ID (``accounts.E001`` ...) that operators can
look up in the README and silence with ``SILENCED_SYSTEM_CHECKS`` only on
purpose.
"""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.utils.module_loading import import_string

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
    workers, servers = settings.WEB_CONCURRENCY, settings.APP_SERVER_COUNT
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


@register(Tags.security, deploy=True)
def check_trusted_proxies(app_configs, **kwargs):
    count = settings.TRUSTED_PROXY_COUNT
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
