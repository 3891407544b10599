"""Settings shared by every profile, with safe defaults for development.

Every value a deployment may change is read from the environment through
django-environ; the optional ``.env`` file beside ``manage.py`` has already
been read into it (``authsite/dotenv.py``), and variables set in the real
environment win over the file.
"""

import re
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# Placeholder that only a DEBUG=True development site may run with.
INSECURE_SECRET_KEY = (
    "django-insecure-development-only-never-use-this-key-in-production"
)


def read_secret_key(*, required: bool) -> str:
    """Return ``SECRET_KEY`` from the environment.

    When ``required`` (any site with DEBUG off), refuse to start without a real
    key: Django signs sessions, password-reset links and CSRF tokens with it.
    """
    # Read raw: django-environ would treat a key starting with "$" (which
    # get_random_secret_key() makes one time in 50) as a reference to
    # another variable.
    key = env.ENVIRON.get("SECRET_KEY", "")
    if not required:
        return key or INSECURE_SECRET_KEY
    if not key or key == INSECURE_SECRET_KEY or len(key) < 50 or len(set(key)) < 5:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters "
            "when DEBUG is off. Generate one with: python -c 'from "
            "django.core.management.utils import get_random_secret_key; "
            "print(get_random_secret_key())'"
        )
    return key


# GENERAL
# ------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = read_secret_key(required=not DEBUG)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# How many reverse proxies in front of the site append to X-Forwarded-For.
# 0 means requests arrive directly and REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_TZ = True
# https://docs.djangoproject.com/en/5.2/topics/i18n/
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True

ROOT_URLCONF = "authsite.urls"
WSGI_APPLICATION = "authsite.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# DATABASES
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/#databases
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work side by side; IMMEDIATE takes the
    # write lock when a transaction starts, so concurrent logins wait (up to
    # the busy timeout) instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            f"PRAGMA busy_timeout={env.int('SQLITE_BUSY_TIMEOUT_MS', default=5000)};"
        ),
        "transaction_mode": "IMMEDIATE",
    }
# Connections are kept between requests (each server thread has its own), so
# a request does not pay for a new connection and, on SQLite, for re-running
# the PRAGMAs above. Health checks replace a connection the database dropped.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# CACHES
# ------------------------------------------------------------------------------
# django-environ maps redis:// and rediscache:// to django-redis when that
# package happens to be installed; name Django's built-in backend explicitly.
CACHE_URL = env.str("CACHE_URL", default="locmemcache://")
CACHES = {
    "default": env.cache_url_config(
        CACHE_URL,
        backend="django.core.cache.backends.redis.RedisCache"
        if CACHE_URL.startswith(("redis", "rediss"))
        else None,
    ),
    # Template fragments that are the same for every user (accounts/fragments.py),
    # kept in each process's memory.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "accounts.fragments",
    },
}

# APPS
# ------------------------------------------------------------------------------
# The project's own app comes first so its templates and management commands
# (createsuperuser) take precedence over contrib's.
LOCAL_APPS = ["accounts"]
DJANGO_APPS = [
    "accounts.apps.AdminConfig",  # django.contrib.admin on our AdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = ["axes", "csp", "django_otp", "django_otp.plugins.otp_totp"]
INSTALLED_APPS = LOCAL_APPS + DJANGO_APPS + THIRD_PARTY_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads a form (CSRF): an undecodable one gets the 400 page.
    "accounts.middleware.UnreadableFormMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionExpiredMessageMiddleware",
    "accounts.middleware.PrivatePagesMiddleware",
    "accounts.middleware.MethodNotAllowedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.PasswordCheckBusyMiddleware",
    "accounts.middleware.KnownDeviceMiddleware",
    # Last, so it sees the flag the login attempt set and can replace the
    # response with the lockout page.
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# AUTHENTICATION
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# django-axes' backend comes first: it refuses a locked-out attempt before
# any backend below it hashes the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UsernameOrEmailBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# PASSWORDS
# ------------------------------------------------------------------------------
# Argon2 first: new passwords are hashed with it. The PBKDF2 hashers stay so
# that existing hashes still verify; Django re-hashes them with Argon2 on the
# next successful login.
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2PasswordHasher",
    "accounts.hashers.PBKDF2PasswordHasher",
    "accounts.hashers.PBKDF2SHA1PasswordHasher",
]
# Django's defaults (t=2, m=100 MiB, p=8). OWASP's lighter alternative is
# t=2, m=19456 KiB, p=1. Changing them re-hashes each password at next login.
ARGON2_TIME_COST = env.int("ARGON2_TIME_COST", default=2)
ARGON2_MEMORY_COST = env.int("ARGON2_MEMORY_COST", default=102400)
ARGON2_PARALLELISM = env.int("ARGON2_PARALLELISM", default=8)
AUTH_PASSWORD_VALIDATORS = [
    # Django's validator with a message that reads well in Korean too.
    {"NAME": "accounts.validators.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# SESSIONS AND COOKIES
# ------------------------------------------------------------------------------
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# SESSIONS (issue 4)
# ------------------------------------------------------------------------------
# Sessions live in accounts.Session (user, IP, user agent, sign-in time, last
# activity). SESSION_STORE picks the store: "db" reads the row on every
# request; "cached_db" reads through the cache (CACHE_URL) and writes through.
SESSION_STORES = {
    "db": "accounts.session_backends.db",
    "cached_db": "accounts.session_backends.cached_db",
}
SESSION_STORE = env.str("SESSION_STORE", default="db")
if SESSION_STORE not in SESSION_STORES:
    raise ImproperlyConfigured(
        f"SESSION_STORE must be one of {', '.join(SESSION_STORES)}, "
        f"not {SESSION_STORE!r}."
    )
SESSION_ENGINE = SESSION_STORES[SESSION_STORE]
# Without "remember me" (and for admin sign-ins) the cookie ends with the
# browser and the server ends the session after SESSION_IDLE_TIMEOUT seconds
# without activity; "remember me" keeps it for SESSION_REMEMBER_AGE seconds.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_REMEMBER_AGE = env.int("SESSION_REMEMBER_AGE", default=60 * 60 * 24 * 14)
# No session lasts longer than this after sign-in, however active.
SESSION_ABSOLUTE_TIMEOUT = env.int(
    "SESSION_ABSOLUTE_TIMEOUT", default=60 * 60 * 24 * 30
)
# Last activity is written at most once per this many seconds per session.
SESSION_ACTIVITY_RESOLUTION = env.int("SESSION_ACTIVITY_RESOLUTION", default=300)
# TWO-FACTOR AUTHENTICATION (issue 6)
# ------------------------------------------------------------------------------
# Authenticator-app codes (TOTP, via django-otp) plus one-time recovery codes.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="authsite")
# How long the half-done login (password right, code not yet given) lasts.
TWO_FACTOR_LOGIN_TIMEOUT = env.int("TWO_FACTOR_LOGIN_TIMEOUT", default=300)
# Wrong codes allowed in one half-done login before it is thrown away.
TWO_FACTOR_MAX_ATTEMPTS = env.int("TWO_FACTOR_MAX_ATTEMPTS", default=5)
# "Trust this browser" skips the code step for this many days (0 disables).
TWO_FACTOR_TRUST_DAYS = env.int("TWO_FACTOR_TRUST_DAYS", default=30)
TWO_FACTOR_TRUST_COOKIE_NAME = "trusted_browser"
# Staff need two-factor authentication to use /admin/.
ADMIN_REQUIRE_2FA = env.bool("ADMIN_REQUIRE_2FA", default=False)
# Dangerous changes ask for the password again after this many seconds.
REAUTHENTICATION_TIMEOUT = env.int("REAUTHENTICATION_TIMEOUT", default=300)

# STATIC FILES
# ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where collectstatic gathers the files that WhiteNoise serves.
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")

# EMAIL
# ------------------------------------------------------------------------------
# The site's public address: links in emails are built on it, never on the
# request's Host header.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# EMAIL_URL sets EMAIL_BACKEND, EMAIL_HOST, ... as django-environ documents.
# Development writes each message to a file under var/mail/.
vars().update(env.email("EMAIL_URL", default="filemail://"))
if EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":  # noqa: F821
    # django-environ drops the leading "/" of an absolute filemail:// path,
    # so the folder has its own variable.
    EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=BASE_DIR / "var" / "mail")
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="authsite <noreply@localhost>"
)

# BRUTE-FORCE DEFENCE AND AUDIT TRAIL (issue 8)
# ------------------------------------------------------------------------------
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
# Failed sign-ins are counted per account (from any address) and per client
# address (across accounts); either reaching the limit locks for the cool-off.
# A browser the account signed in from before is counted on its own (see
# accounts/lockout.py), so an attacker cannot lock the owner out.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# The database handler shares counts between every app server through the
# database, with row locks around each update.
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = "accounts.lockout.lockout_parameters"
AXES_USERNAME_CALLABLE = "accounts.lockout.account_key"
AXES_CLIENT_IP_CALLABLE = "accounts.ip.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# LockoutHandler resets only the account's own counts at a successful sign-in
# (axes' own reset would also clear the client address's count).
AXES_RESET_ON_SUCCESS = False
# Keep the failure records of a locked attempt so an ongoing attack keeps
# the lock (the owner's known browsers are not affected).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
# Successful sign-ins are in the audit trail (AuthEvent, pruned); axes' own
# access log would be a second, never-pruned copy.
AXES_DISABLE_ACCESS_LOG = True
# axes keeps the POST data of failed attempts for the admin and masks the
# password there; mask the two-factor code and CSRF token too (username and
# address are axes' defaults, masked in its log lines).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "csrfmiddlewaretoken"]
# The audit trail logs every sign-in event (logger accounts.events); axes'
# own INFO lines would repeat them.
AXES_VERBOSE = False
# The signed, HttpOnly cookie that marks a browser an account signed in from.
KNOWN_DEVICE_COOKIE_NAME = "known_device"
KNOWN_DEVICE_COOKIE_AGE = env.int("KNOWN_DEVICE_COOKIE_AGE", default=60 * 60 * 24 * 365)
KNOWN_DEVICE_COOKIE_SECURE = False
# Email the account when it signs in from a browser without that cookie.
NEW_DEVICE_EMAIL = env.bool(
    "NEW_DEVICE_EMAIL",
    default=EMAIL_BACKEND != "django.core.mail.backends.dummy.EmailBackend",  # noqa: F821
)
# How long the "this wasn't me" link in that email stays valid.
NEW_DEVICE_LINK_MAX_AGE = env.int("NEW_DEVICE_LINK_MAX_AGE", default=60 * 60 * 24 * 7)
# Audit-trail events older than this are deleted by `manage.py prune_auth_events`.
AUTH_EVENT_RETENTION_DAYS = env.int("AUTH_EVENT_RETENTION_DAYS", default=365)

# ACCOUNT LIFECYCLE (issue 3)
# ------------------------------------------------------------------------------
# mandatory: no sign-in before the address is confirmed; optional: a reminder
# on the dashboard; none: addresses are never confirmed.
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
if ACCOUNT_EMAIL_VERIFICATION not in {"mandatory", "optional", "none"}:
    raise ImproperlyConfigured(
        "ACCOUNT_EMAIL_VERIFICATION must be 'mandatory', 'optional' or 'none', "
        f"not {ACCOUNT_EMAIL_VERIFICATION!r}."
    )
# Lifetime in seconds of email confirmation links (sign-up and email change).
ACCOUNT_EMAIL_VERIFICATION_TIMEOUT = env.int(
    "ACCOUNT_EMAIL_VERIFICATION_TIMEOUT", default=60 * 60 * 24 * 3
)
# When True, sign-up and email change never reveal that an address has an
# account (needs mandatory verification to be possible at sign-up).
ACCOUNT_PREVENT_ENUMERATION = env.bool("ACCOUNT_PREVENT_ENUMERATION", default=True)
# https://docs.djangoproject.com/en/5.2/ref/settings/#password-reset-timeout
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)
# "<count>/<period>", period s, m, h or d with an optional multiplier ("5/15m");
# each is counted separately per client IP and per target email address.
RATELIMIT_SIGNUP = env.str("RATELIMIT_SIGNUP", default="10/h")
# Password checks per client IP (sign-in attempts right or wrong, password
# changes, reauthentication, account deletion): every one costs a password
# hash, so one address must not be able to keep the hashing slots busy.
RATELIMIT_LOGIN = env.str("RATELIMIT_LOGIN", default="30/m")
RATELIMIT_PASSWORD_RESET = env.str("RATELIMIT_PASSWORD_RESET", default="5/h")
RATELIMIT_RESEND_VERIFICATION = env.str("RATELIMIT_RESEND_VERIFICATION", default="5/h")
# Email-change links sent, per signed-in account and per new address.
RATELIMIT_EMAIL_CHANGE = env.str("RATELIMIT_EMAIL_CHANGE", default="5/h")
for _name in (
    "RATELIMIT_SIGNUP",
    "RATELIMIT_LOGIN",
    "RATELIMIT_PASSWORD_RESET",
    "RATELIMIT_RESEND_VERIFICATION",
    "RATELIMIT_EMAIL_CHANGE",
):
    if not re.fullmatch(r"[1-9]\d*/(?:[1-9]\d*)?[smhd]", vars()[_name]):
        raise ImproperlyConfigured(
            f"{_name} must look like '5/h' or '20/15m', not {vars()[_name]!r}."
        )
del _name

# LOGGING
# ------------------------------------------------------------------------------
# Everything goes to stdout (the process manager keeps it). LOG_FORMAT=json
# writes one JSON object per line, the production default. The logger
# ``accounts.events`` carries one line per authentication event. The filter
# on the handler redacts passwords, tokens and session keys from every line.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "accounts.logging.RedactSecretsFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
            },
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "accounts.events": {
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
        },
        # Django's own handlers for these (with DEBUG on, and runserver's
        # access log) would write lines unredacted: use this one instead.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {
            "handlers": ["console"],
            "level": LOG_LEVEL,
            "propagate": False,
        },
    },
}

# PRODUCTION AND SCALE-OUT (issue 5)
# ------------------------------------------------------------------------------
# A strict Content-Security-Policy in every profile, so a template that needs
# inline script or style breaks in development, not in production.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
    }
}
# Gunicorn worker processes per server (gunicorn reads the same variable)
# and how many servers share the database; together they tell the checks
# whether a process-local cache would split lockouts and rate limits.
WEB_CONCURRENCY = env.int("WEB_CONCURRENCY", default=2)
APP_SERVER_COUNT = env.int("APP_SERVER_COUNT", default=1)
# At most this many password hashes are computed at once per process (each
# Argon2 hash holds ARGON2_MEMORY_COST of memory and a core). A request that
# waits longer than PASSWORD_CHECK_TIMEOUT seconds for a slot is answered
# 503 with Retry-After; once one was, others stop waiting while the flood
# lasts. 0 means no limit. A sign-in from a browser carrying the account's
# known-device cookie may also use PASSWORD_CHECK_RESERVED more slots, so a
# flood of strangers' guesses never locks a returning owner out
# (accounts/hashers.py).
PASSWORD_CHECK_CONCURRENCY = env.int("PASSWORD_CHECK_CONCURRENCY", default=1)
PASSWORD_CHECK_TIMEOUT = env.float("PASSWORD_CHECK_TIMEOUT", default=2.0)
PASSWORD_CHECK_RESERVED = env.int("PASSWORD_CHECK_RESERVED", default=1)
