"""Settings shared by every profile, with safe defaults for development.

Every value a deployment may change is read from the environment through
django-environ; the optional ``.env`` file beside ``manage.py`` has already
been read into it (``authsite/dotenv.py``), and variables set in the real
environment win over the file.
"""

from pathlib import Path
from urllib.parse import unquote, urlsplit

import environ
from corsheaders.defaults import default_headers as cors_default_headers
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from accounts import conf as accounts_conf
from accounts.oidc import keys as oidc_keys

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


def file_email_folder(url: str, env, base_dir: Path) -> Path:
    """Where ``filemail://`` writes: ``EMAIL_FILE_PATH``, else the URL's path.

    ``filemail:///srv/mail`` is the absolute folder /srv/mail (django-environ
    drops its leading "/", which is restored here); ``filemail://var/mail``
    is relative to the project; a bare ``filemail://`` means ``var/mail``.
    """
    if "EMAIL_FILE_PATH" in env.ENVIRON:
        return env.path("EMAIL_FILE_PATH")
    parts = urlsplit(url)
    location = unquote(parts.netloc + parts.path)
    if not location.strip("/"):
        return base_dir / "var" / "mail"
    return Path(location) if not parts.netloc else base_dir / location


# GENERAL
# ------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = read_secret_key(required=not DEBUG)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_TZ = True
# https://docs.djangoproject.com/en/5.2/topics/i18n/
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale/third_party"]
USE_I18N = True
# The site's own date and time formats where Django's read wrong (Korean puts
# 오전/오후 before the time).
FORMAT_MODULE_PATH = ["authsite.formats"]

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
if CACHE_URL.startswith(("redis", "rediss")):
    # A Redis that is down or unreachable answers within a second, so the
    # users of the cache that carry on without it (rate limits, /healthz:
    # docs/reliability.md) do not hold a request for long. A timeout given
    # in CACHE_URL wins.
    CACHES["default"].setdefault("OPTIONS", {})
    CACHES["default"]["OPTIONS"].setdefault("socket_connect_timeout", 1)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", 1)

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
    "django.contrib.humanize",  # "5 minutes ago" on the sessions and activity pages
]
THIRD_PARTY_APPS = [
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",  # the API docs' static files (Swagger UI, served locally)
    "corsheaders",
    "oauth2_provider",
    "django_tasks",
    "django_tasks_db",
]
INSTALLED_APPS = LOCAL_APPS + DJANGO_APPS + THIRD_PARTY_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Only for the app client's paths, and only for API_CORS_ALLOWED_ORIGINS
    # (accounts/api/cors.py); off by default.
    "corsheaders.middleware.CorsMiddleware",
    # django-csp's, with the header built once per process (accounts/security/csp.py).
    "accounts.security.csp.CSPMiddleware",
    "accounts.usersessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads a form (CSRF): an undecodable one gets the 400 page.
    "accounts.security.middleware.UnreadableFormMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.usersessions.middleware.AuthenticationMiddleware",
    # The signed-in user's time zone, from the user row already loaded.
    "accounts.users.middleware.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.usersessions.middleware.SessionExpiredMessageMiddleware",
    "accounts.usersessions.middleware.PrivatePagesMiddleware",
    "accounts.security.middleware.MethodNotAllowedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.security.middleware.PasswordCheckBusyMiddleware",
    "accounts.security.middleware.LockedOutMiddleware",
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
# The backends count each attempt towards the lockout before they check
# anything, and refuse a locked-out one (accounts/security/lockout.py): a
# password, or a passkey's answer for the sign-in flow (accounts/login/flow.py).
AUTHENTICATION_BACKENDS = [
    "accounts.backends.UsernameOrEmailBackend",
    "accounts.passkeys.backends.PasskeyBackend",
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
    "accounts.security.hashers.Argon2PasswordHasher",
    "accounts.security.hashers.PBKDF2PasswordHasher",
    "accounts.security.hashers.PBKDF2SHA1PasswordHasher",
    # Only for the registered apps' client secrets (OAUTH2_PROVIDER below):
    # 128 random characters need no slow hash, and an Argon2 hash per token
    # request would compete with people's sign-ins for the hashing slots.
    "accounts.oidc.hashers.ClientSecretHasher",
]
# Argon2's cost comes from ARGON2_TIME_COST, ARGON2_MEMORY_COST and
# ARGON2_PARALLELISM (accounts/conf.py); changing it re-hashes each password
# at its next sign-in.
AUTH_PASSWORD_VALIDATORS = [
    # Django's validator with a message that reads well in Korean too.
    {"NAME": "accounts.users.validators.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    # NIST SP 800-63B's blocklist: passwords known from breaches (Have I Been
    # Pwned's range API; Django's common-password list when it cannot be
    # reached, see PWNED_PASSWORDS_*), and the site's and account's own words.
    {"NAME": "accounts.security.passwords.BreachedPasswordValidator"},
    {"NAME": "accounts.security.passwords.ContextWordsValidator"},
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

# SESSION STORE
# ------------------------------------------------------------------------------
# Sessions live in accounts.Session (user, IP, user agent, sign-in time, last
# activity). SESSION_STORE picks the store: "db" reads the row on every
# request; "cached_db" reads through the cache (CACHE_URL) and writes through.
SESSION_STORES = {
    "db": "accounts.usersessions.backends.db",
    "cached_db": "accounts.usersessions.backends.cached_db",
}
SESSION_STORE = env.str("SESSION_STORE", default="db")
# An unknown name is reported by the check accounts.E007.
SESSION_ENGINE = SESSION_STORES.get(SESSION_STORE, SESSION_STORES["db"])
# Without "remember me" (and for admin sign-ins) the cookie ends with the
# browser and the server ends the session after SESSION_IDLE_TIMEOUT seconds
# without activity (accounts/conf.py).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# TWO-FACTOR AUTHENTICATION
# ------------------------------------------------------------------------------
# Authenticator-app codes (TOTP, via django-otp) plus one-time recovery codes.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="authsite")

# STATIC FILES
# ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where collectstatic gathers the files that WhiteNoise serves.
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")

# EMAIL
# ------------------------------------------------------------------------------
# EMAIL_URL sets EMAIL_BACKEND, EMAIL_HOST, ... as django-environ documents.
# Development writes each message to a file under var/mail/.
# (Lower case: not a setting, so the URL's password stays out of settings.)
_email_url = env.str("EMAIL_URL", default="filemail://")
vars().update(env.email_url_config(_email_url))
if EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":  # noqa: F821
    EMAIL_FILE_PATH = file_email_folder(_email_url, env, BASE_DIR)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="authsite <noreply@localhost>"
)
# A mail server that accepts the connection and then says nothing costs the
# worker this many seconds per attempt (Django's default is to wait forever).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# BACKGROUND TASKS (Django's Tasks API: the django-tasks backport)
# ------------------------------------------------------------------------------
# Email is delivered by a task once the change that causes it commits.
# "immediate" runs the task at once in the same process (development and
# tests: nothing else to run); "database" stores it for `manage.py db_worker`
# (django-tasks-db; the production default), so no request waits for the
# mail server and a message waits in the database while the server is down.
TASKS_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS_BACKEND = env.str("TASKS_BACKEND", default="immediate")
# An unknown name is reported by the check accounts.E015.
TASKS = {
    "default": {
        "BACKEND": TASKS_BACKENDS.get(TASKS_BACKEND, TASKS_BACKENDS["immediate"])
    }
}

# BRUTE-FORCE DEFENCE
# ------------------------------------------------------------------------------
# Failed sign-ins are counted by accounts/security/lockout.py, per account,
# per client address and per known browser; its limits and cool-offs are app
# settings (AXES_FAILURE_LIMIT, LOCKOUT_IP_FAILURE_LIMIT, AXES_COOLOFF_MINUTES,
# ... in accounts/conf.py).
# https://docs.djangoproject.com/en/5.2/ref/settings/#password-reset-timeout
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)

# OPENID CONNECT PROVIDER (django-oauth-toolkit)
# ------------------------------------------------------------------------------
# https://django-oauth-toolkit.readthedocs.io/en/latest/settings.html
# Other apps sign their users in here (accounts/oidc/). The issuer is
# SITE_URL + "/o"; ID tokens are signed RS256 with the key each profile
# loads (accounts/oidc/keys.py): made once under var/ in development,
# required (OIDC_RSA_PRIVATE_KEY or OIDC_RSA_PRIVATE_KEY_FILE) in production.
OIDC_ISSUER_PATH = "/o"
OAUTH2_PROVIDER_APPLICATION_MODEL = "accounts.Application"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": env.str(
        "SITE_URL", default=accounts_conf.SETTINGS["SITE_URL"].default
    ).rstrip("/")
    + OIDC_ISSUER_PATH,
    "OIDC_RSA_PRIVATE_KEY": "",  # set by the profile
    # Retired keys stay in the JWKS until the tokens they signed expire.
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": oidc_keys.inactive_keys(env.ENVIRON),
    "OAUTH2_SERVER_CLASS": "accounts.oidc.server.Server",
    "OAUTH2_VALIDATOR_CLASS": "accounts.oidc.validators.OAuth2Validator",
    "APPLICATION_ADMIN_CLASS": "accounts.oidc.admin.ApplicationAdmin",
    "ACCESS_TOKEN_ADMIN_CLASS": "accounts.oidc.admin.AccessTokenAdmin",
    "GRANT_ADMIN_CLASS": "accounts.oidc.admin.GrantAdmin",
    "ID_TOKEN_ADMIN_CLASS": "accounts.oidc.admin.IDTokenAdmin",
    "REFRESH_TOKEN_ADMIN_CLASS": "accounts.oidc.admin.RefreshTokenAdmin",
    "CLIENT_SECRET_HASHER": "client_secret_sha256",
    "SCOPES": {
        "openid": _("Sign you in with your account"),
        "profile": _("See your username and name"),
        "email": _("See your email address and whether it is confirmed"),
    },
    "DEFAULT_SCOPES": ["openid"],
    # The authorization code flow with PKCE (S256) is the only way to a
    # token; refresh tokens rotate, and a replayed one revokes its family.
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": [
        "client_secret_basic",
        "client_secret_post",
        "none",
    ],
    "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "refresh_token"],
    "PKCE_REQUIRED": True,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": env.int("OIDC_CODE_LIFETIME", default=60),
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int(
        "OIDC_ACCESS_TOKEN_LIFETIME", default=60 * 60
    ),
    "ID_TOKEN_EXPIRE_SECONDS": env.int("OIDC_ID_TOKEN_LIFETIME", default=60 * 60),
    "REFRESH_TOKEN_EXPIRE_SECONDS": env.int(
        "OIDC_REFRESH_TOKEN_LIFETIME", default=60 * 60 * 24 * 30
    ),
    # Plain http redirect URIs are for development; production allows
    # https only unless OIDC_REDIRECT_URI_SCHEMES says otherwise.
    "ALLOWED_REDIRECT_URI_SCHEMES": env.list(
        "OIDC_REDIRECT_URI_SCHEMES", default=["http", "https"]
    ),
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    # Sign out without asking when the app names the signed-in user with
    # an ID token it was given; ask otherwise.
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    # Post-logout redirect URIs are matched exactly as registered; plain
    # http ones exist only where OIDC_REDIRECT_URI_SCHEMES allows http.
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": False,
    # The logout view revokes the signing-out app's own tokens only.
    "OIDC_RP_INITIATED_LOGOUT_DELETE_TOKENS": False,
    # RFC 9700 (OAuth 2.0 Security Best Current Practice), all on.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}

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
    "filters": {"redact": {"()": "accounts.security.logging.RedactSecretsFilter"}},
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
        # pwned-passwords-django logs each failed range request as an error;
        # accounts.security.passwords logs one warning naming what it did.
        "pwned_passwords_django": {"level": "CRITICAL"},
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

# CONTENT SECURITY POLICY
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

# CORS (django-cors-headers)
# ------------------------------------------------------------------------------
# Only the API's app client answers other origins, and only those listed in
# API_CORS_ALLOWED_ORIGINS (accounts/conf.py; accounts/api/cors.py decides per
# request). Never with credentials: the app client uses no cookies.
CORS_URLS_REGEX = r"^/api/app/"
CORS_ALLOWED_ORIGINS: list[str] = []
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = (
    *cors_default_headers,
    "x-session-token",
    "x-email-verification-key",
    "x-password-reset-key",
)
CORS_EXPOSE_HEADERS = ["Retry-After"]

# THE ACCOUNTS APP
# ------------------------------------------------------------------------------
# Its settings (sessions, two-factor, lockout and alerts, the account
# lifecycle, rate limits, password-check capacity, SITE_URL, ...) have their
# defaults and meaning in accounts/conf.py; the environment variables the
# README lists set them here, as AUTHSITE_* settings.
vars().update(accounts_conf.from_environment(env))
