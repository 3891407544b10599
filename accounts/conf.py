"""The app's settings: each one's default and meaning, in one place.

In the spirit of django-allauth's ``app_settings`` and django-axes' ``conf``:
code reads ``app_settings.NAME``, which is ``settings.AUTHSITE_NAME`` when the
project sets it and the default below otherwise, so a project that installs
the app sets only what it changes. The prefix keeps clear of other packages'
names (``ACCOUNT_*`` is django-allauth's, ``RATELIMIT_*`` django-ratelimit's,
``SESSION_*`` Django's). Values are checked by system checks
(``accounts.checks``), not at import time.

Deployments set the environment variables named here (the README lists
them); ``from_environment()`` turns those that are set into settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

PREFIX = "AUTHSITE_"
DAY = 60 * 60 * 24


@dataclass(frozen=True)
class Setting:
    default: Any
    help: str
    # The environment variable a deployment sets it with, and how to read it
    # (a django-environ ``Env`` method name).
    env: str | None = None
    cast: str = "str"


SETTINGS: dict[str, Setting] = {
    # SITE AND DEPLOYMENT
    "SITE_URL": Setting(
        "http://localhost:8000",
        "The site's public address: links in emails are built on it, never on "
        "the request's Host header; passkeys are bound to its host name (the "
        "relying-party ID) and origin, so it names the site by a domain name, "
        "never an IP address.",
        env="SITE_URL",
    ),
    "TRUSTED_PROXY_COUNT": Setting(
        0,
        "Reverse proxies in front of the site that append to X-Forwarded-For "
        "(0: REMOTE_ADDR is the client).",
        env="TRUSTED_PROXY_COUNT",
        cast="int",
    ),
    "WEB_CONCURRENCY": Setting(
        2,
        "Gunicorn worker processes per server (gunicorn reads the same variable).",
        env="WEB_CONCURRENCY",
        cast="int",
    ),
    "APP_SERVER_COUNT": Setting(
        1,
        "App servers sharing the database; with WEB_CONCURRENCY, tells the "
        "checks whether a process-local cache would split counters.",
        env="APP_SERVER_COUNT",
        cast="int",
    ),
    # PASSWORDS
    "ARGON2_TIME_COST": Setting(
        2, "Argon2 iterations (Django's default).", env="ARGON2_TIME_COST", cast="int"
    ),
    "ARGON2_MEMORY_COST": Setting(
        102400,
        "Argon2 memory in KiB (100 MiB, Django's default).",
        env="ARGON2_MEMORY_COST",
        cast="int",
    ),
    "ARGON2_PARALLELISM": Setting(
        8, "Argon2 lanes.", env="ARGON2_PARALLELISM", cast="int"
    ),
    "PASSWORD_CHECK_CONCURRENCY": Setting(
        1,
        "Password hashes computed at once per process (0: no limit).",
        env="PASSWORD_CHECK_CONCURRENCY",
        cast="int",
    ),
    "PASSWORD_CHECK_RESERVED": Setting(
        1,
        "More hashing slots per process only for known browsers of the account.",
        env="PASSWORD_CHECK_RESERVED",
        cast="int",
    ),
    "PASSWORD_CHECK_TIMEOUT": Setting(
        2.0,
        "Seconds a request waits for a hashing slot before a 503.",
        env="PASSWORD_CHECK_TIMEOUT",
        cast="float",
    ),
    "PASSWORD_CONTEXT_WORDS": Setting(
        [],
        "More words a password must not be made of (a company or product "
        "name), besides the site's name (OTP_TOTP_ISSUER), SITE_URL's host "
        "and the account's username and email address.",
        env="PASSWORD_CONTEXT_WORDS",
        cast="list",
    ),
    "PWNED_PASSWORDS_URL": Setting(
        "https://api.pwnedpasswords.com/range/",
        "Have I Been Pwned's range API (or a self-hosted mirror of it) that "
        "new passwords are checked against; only the first 5 hex digits of "
        "the password's SHA-1 are sent. Empty: no breach check, only "
        "Django's common-password list.",
        env="PWNED_PASSWORDS_URL",
    ),
    "PWNED_PASSWORDS_TIMEOUT": Setting(
        1.0,
        "Seconds to wait for the range API before falling back to the "
        "common-password list (or refusing, with PWNED_PASSWORDS_STRICT).",
        env="PWNED_PASSWORDS_TIMEOUT",
        cast="float",
    ),
    "PWNED_PASSWORDS_STRICT": Setting(
        False,
        "Refuse a new password (asking to try again) when the range API cannot "
        "be reached, instead of checking the common-password list alone.",
        env="PWNED_PASSWORDS_STRICT",
        cast="bool",
    ),
    # SESSIONS
    "SESSION_IDLE_TIMEOUT": Setting(
        30 * 60,
        "Seconds without activity after which a session without 'Remember me' ends.",
        env="SESSION_IDLE_TIMEOUT",
        cast="int",
    ),
    "SESSION_REMEMBER_AGE": Setting(
        14 * DAY,
        "Lifetime of a session signed in with 'Remember me' (and of its cookie).",
        env="SESSION_REMEMBER_AGE",
        cast="int",
    ),
    "SESSION_ABSOLUTE_TIMEOUT": Setting(
        30 * DAY,
        "No session lasts longer than this many seconds after sign-in.",
        env="SESSION_ABSOLUTE_TIMEOUT",
        cast="int",
    ),
    "SESSION_ACTIVITY_RESOLUTION": Setting(
        300,
        "A session's last activity is written at most once per this many seconds.",
        env="SESSION_ACTIVITY_RESOLUTION",
        cast="int",
    ),
    "REAUTHENTICATION_TIMEOUT": Setting(
        300,
        "Seconds after a sign-in during which dangerous changes need no "
        "password again.",
        env="REAUTHENTICATION_TIMEOUT",
        cast="int",
    ),
    # TWO-FACTOR AUTHENTICATION
    "TWO_FACTOR_LOGIN_TIMEOUT": Setting(
        300,
        "Seconds a half-done sign-in (password right, code not yet given) lasts.",
        env="TWO_FACTOR_LOGIN_TIMEOUT",
        cast="int",
    ),
    "TWO_FACTOR_MAX_ATTEMPTS": Setting(
        5,
        "Wrong codes allowed in one half-done sign-in before it is thrown away.",
        env="TWO_FACTOR_MAX_ATTEMPTS",
        cast="int",
    ),
    "TWO_FACTOR_TRUST_DAYS": Setting(
        30,
        "'Trust this browser' skips the code for this many days (0: no option).",
        env="TWO_FACTOR_TRUST_DAYS",
        cast="int",
    ),
    "TWO_FACTOR_TRUST_COOKIE_NAME": Setting(
        "trusted_browser", "The trusted-browser cookie's name."
    ),
    "ADMIN_REQUIRE_2FA": Setting(
        False,
        "Staff need two-factor authentication to use /admin/.",
        env="ADMIN_REQUIRE_2FA",
        cast="bool",
    ),
    # LOCKOUT: failed password checks and wrong codes, counted per account,
    # per client address and per known browser (accounts.security.lockout).
    "LOCKOUT_FAILURE_LIMIT": Setting(
        5,
        "Failures of one account (from anywhere) or of one known browser "
        "before it is locked for strangers (or for that browser).",
        env="AXES_FAILURE_LIMIT",
        cast="int",
    ),
    "LOCKOUT_IP_FAILURE_LIMIT": Setting(
        30,
        "Failures from one client address (an IPv6 /64), across accounts, "
        "before it is locked: higher than the account's, since an office or "
        "a carrier puts many people behind one address.",
        env="LOCKOUT_IP_FAILURE_LIMIT",
        cast="int",
    ),
    "LOCKOUT_COOLOFF_MINUTES": Setting(
        15,
        "How long a first lock lasts; failures older than this are forgotten.",
        env="AXES_COOLOFF_MINUTES",
        cast="int",
    ),
    "LOCKOUT_COOLOFF_MULTIPLIER": Setting(
        2,
        "Each further lock of the same account or address lasts this many "
        "times longer than the one before (1: no escalation).",
        env="LOCKOUT_COOLOFF_MULTIPLIER",
        cast="int",
    ),
    "LOCKOUT_COOLOFF_MAX_MINUTES": Setting(
        24 * 60,
        "The longest a lock lasts, however often it escalated.",
        env="LOCKOUT_COOLOFF_MAX_MINUTES",
        cast="int",
    ),
    "LOCKOUT_HISTORY_HOURS": Setting(
        24,
        "Earlier locks are forgotten (the next lasts LOCKOUT_COOLOFF_MINUTES "
        "again) after this many hours without a failure.",
        env="LOCKOUT_HISTORY_HOURS",
        cast="int",
    ),
    # PASSKEYS (WebAuthn): the relying-party ID and origin come from SITE_URL.
    "PASSKEY_RP_NAME": Setting(
        "authsite",
        "The site's name as the browser's passkey prompts show it.",
        env="PASSKEY_RP_NAME",
    ),
    "PASSKEY_CHALLENGE_TIMEOUT": Setting(
        300,
        "Seconds a passkey challenge (one registration or sign-in ceremony) "
        "stays valid; each is used once.",
        env="PASSKEY_CHALLENGE_TIMEOUT",
        cast="int",
    ),
    "PASSKEY_SIGNUP": Setting(
        False,
        "Sign-up may create an account with a passkey instead of a password "
        "(an account without a password).",
        env="PASSKEY_SIGNUP",
        cast="bool",
    ),
    # KNOWN BROWSERS, ALERTS AND THE AUDIT TRAIL
    "KNOWN_DEVICE_COOKIE_NAME": Setting(
        "known_device", "The known-browser cookie's name."
    ),
    "KNOWN_DEVICE_COOKIE_AGE": Setting(
        365 * DAY,
        "Lifetime in seconds of the known-browser cookie, renewed at each sign-in.",
        env="KNOWN_DEVICE_COOKIE_AGE",
        cast="int",
    ),
    "KNOWN_DEVICE_COOKIE_SECURE": Setting(
        False, "Whether the known-browser cookie is Secure."
    ),
    "NEW_DEVICE_EMAIL": Setting(
        None,
        "Email the account when it signs in from a browser it has not used "
        "(None: whenever email is on).",
        env="NEW_DEVICE_EMAIL",
        cast="bool",
    ),
    "NEW_DEVICE_LINK_MAX_AGE": Setting(
        7 * DAY,
        "How long the new-browser email's 'this wasn't me' link works.",
        env="NEW_DEVICE_LINK_MAX_AGE",
        cast="int",
    ),
    "AUTH_EVENT_RETENTION_DAYS": Setting(
        365,
        "Audit-trail events older than this are deleted by prune_auth_events.",
        env="AUTH_EVENT_RETENTION_DAYS",
        cast="int",
    ),
    "AUTH_EVENT_FAILURE_RETENTION_DAYS": Setting(
        30,
        "Failed sign-ins, wrong codes and locks, and reset requests for "
        "addresses with no account, are deleted by prune_auth_events after "
        "this many days (at most AUTH_EVENT_RETENTION_DAYS).",
        env="AUTH_EVENT_FAILURE_RETENTION_DAYS",
        cast="int",
    ),
    # ACCOUNT LIFECYCLE
    "EMAIL_VERIFICATION": Setting(
        "mandatory",
        "mandatory: no sign-in before the address is confirmed; optional: a "
        "reminder; none: addresses are never confirmed.",
        env="ACCOUNT_EMAIL_VERIFICATION",
    ),
    "EMAIL_VERIFICATION_TIMEOUT": Setting(
        3 * DAY,
        "Lifetime in seconds of email confirmation links.",
        env="ACCOUNT_EMAIL_VERIFICATION_TIMEOUT",
        cast="int",
    ),
    "PREVENT_ENUMERATION": Setting(
        True,
        "Sign-up and email change never reveal that an address has an account.",
        env="ACCOUNT_PREVENT_ENUMERATION",
        cast="bool",
    ),
    # THE JSON API
    "API_CORS_ALLOWED_ORIGINS": Setting(
        [],
        "Origins (scheme://host[:port]) whose scripts may call the API's app "
        "client (/api/app/) across origins; empty: none. The browser client "
        "never answers other origins.",
        env="API_CORS_ALLOWED_ORIGINS",
        cast="list",
    ),
    # EMAIL DELIVERY (accounts/outbox/)
    "EMAIL_MAX_ATTEMPTS": Setting(
        12,
        "Attempts to hand an email to the mail server before it is given up "
        "(kept, as given up, in the admin).",
        env="EMAIL_MAX_ATTEMPTS",
        cast="int",
    ),
    "EMAIL_RETRY_DELAY": Setting(
        30,
        "Seconds before the second attempt; each later wait doubles.",
        env="EMAIL_RETRY_DELAY",
        cast="int",
    ),
    "EMAIL_RETRY_MAX_DELAY": Setting(
        3600,
        "The longest wait in seconds between two attempts.",
        env="EMAIL_RETRY_MAX_DELAY",
        cast="int",
    ),
    # RATE LIMITS: "<count>/<period>", period s, m, h or d with an optional
    # multiplier ("5/15m").
    "RATELIMIT_SIGNUP": Setting(
        "10/h", "Sign-ups per client IP and per address.", env="RATELIMIT_SIGNUP"
    ),
    "RATELIMIT_LOGIN": Setting(
        "30/m",
        "Password checks per client IP (each costs a hash).",
        env="RATELIMIT_LOGIN",
    ),
    "RATELIMIT_PASSWORD_RESET": Setting(
        "5/h",
        "Password-reset requests per client IP and per address.",
        env="RATELIMIT_PASSWORD_RESET",
    ),
    "RATELIMIT_PASSWORD_RESET_LINK": Setting(
        "10/h",
        "Invalid password-reset links opened per client IP (guessing tokens).",
        env="RATELIMIT_PASSWORD_RESET_LINK",
    ),
    "RATELIMIT_RESEND_VERIFICATION": Setting(
        "5/h",
        "Confirmation-link resends per client IP and per address.",
        env="RATELIMIT_RESEND_VERIFICATION",
    ),
    "RATELIMIT_EMAIL_CHANGE": Setting(
        "5/h",
        "Email-change links per signed-in account and per new address.",
        env="RATELIMIT_EMAIL_CHANGE",
    ),
    "RATELIMIT_OIDC_TOKEN": Setting(
        "120/m",
        "Requests to the OpenID Connect token, revocation and introspection "
        "endpoints per client ID and, separately, per client IP.",
        env="RATELIMIT_OIDC_TOKEN",
    ),
}

EMAIL_VERIFICATION_MODES = ("mandatory", "optional", "none")
RATE_LIMITS = tuple(name for name in SETTINGS if name.startswith("RATELIMIT_"))


def from_environment(env) -> dict[str, Any]:
    """The ``AUTHSITE_*`` settings for the variables set in ``env`` (django-environ)."""
    return {
        PREFIX + name: getattr(env, setting.cast)(setting.env)
        for name, setting in SETTINGS.items()
        if setting.env and setting.env in env.ENVIRON
    }


class AppSettings:
    """``app_settings.NAME``: the project's ``AUTHSITE_NAME``, or its default."""

    def __getattr__(self, name: str) -> Any:
        if name not in SETTINGS:
            raise AttributeError(name)
        value = getattr(settings, PREFIX + name, SETTINGS[name].default)
        if name == "NEW_DEVICE_EMAIL" and value is None:
            return (
                settings.EMAIL_BACKEND != "django.core.mail.backends.dummy.EmailBackend"
            )
        return value


app_settings = AppSettings()
