"""The development profile (``manage.py``, ``make run``): the shared defaults,
plus an ID-token signing key made once under ``var/`` unless one is set."""

from accounts.oidc import keys as oidc_keys

from .base import *  # noqa: F403
from .base import BASE_DIR, OAUTH2_PROVIDER, env

OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"] = oidc_keys.signing_key(
    env.ENVIRON, development_key=BASE_DIR / "var" / "oidc-signing-key.pem"
)
