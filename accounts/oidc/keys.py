"""The RSA keys that sign ID tokens, read when the settings load.

No Django here: ``authsite/settings`` calls these while it is being read,
and ``python -m accounts.oidc.keys`` prints a new key (PEM) for operators.

The active key comes from ``OIDC_RSA_PRIVATE_KEY`` (the PEM itself) or
``OIDC_RSA_PRIVATE_KEY_FILE`` (a path). Keys retired by a rotation stay
published in the JWKS, so tokens they signed still verify until they
expire: ``OIDC_RSA_PRIVATE_KEYS_INACTIVE`` (one or more PEM blocks) and
``OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILE``. Development makes a key once under
``var/`` so ``make run`` needs nothing; production refuses to start
without one.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured

KEY_SIZE = 2048
_PEM_BLOCK = re.compile(
    r"-----BEGIN (?:RSA )?PRIVATE KEY-----.+?-----END (?:RSA )?PRIVATE KEY-----",
    re.DOTALL,
)
MISSING = (
    "Set OIDC_RSA_PRIVATE_KEY (a PEM RSA private key) or OIDC_RSA_PRIVATE_KEY_FILE "
    "(its path): ID tokens are signed with it. Make one with: "
    "python -m accounts.oidc.keys > oidc-signing-key.pem"
)


def new_private_key() -> str:
    """A new RSA private key, as unencrypted PKCS#8 PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _checked(pem: str, source: str) -> str:
    """``pem`` if it is one RSA private key, else a configuration error."""
    pem = pem.replace("\\n", "\n").strip() + "\n"
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ImproperlyConfigured(
            f"{source} is not an unencrypted PEM RSA private key."
        )
    if key.key_size < KEY_SIZE:
        raise ImproperlyConfigured(
            f"{source} is a {key.key_size}-bit RSA key; use at least {KEY_SIZE} bits."
        )
    return pem


def _read_file(path: str, variable: str) -> str:
    try:
        return Path(path).read_text()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"{variable} names {path!r}, which cannot be read ({exc.strerror})."
        ) from None


def signing_key(environ=os.environ, *, development_key: Path | None = None) -> str:
    """The active signing key (PEM) from ``environ``.

    Without one configured, ``development_key`` (a path) is read, or made
    once; without that either, the site cannot start.
    """
    if pem := environ.get("OIDC_RSA_PRIVATE_KEY", "").strip():
        return _checked(pem, "OIDC_RSA_PRIVATE_KEY")
    if path := environ.get("OIDC_RSA_PRIVATE_KEY_FILE", "").strip():
        return _checked(
            _read_file(path, "OIDC_RSA_PRIVATE_KEY_FILE"), "OIDC_RSA_PRIVATE_KEY_FILE"
        )
    if development_key is None:
        raise ImproperlyConfigured(MISSING)
    if not development_key.exists():
        development_key.parent.mkdir(parents=True, exist_ok=True)
        # Owner-only from the start: the key never sits world-readable.
        descriptor = os.open(
            development_key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
        )
        with os.fdopen(descriptor, "w") as file:
            file.write(new_private_key())
    return _checked(development_key.read_text(), str(development_key))


def inactive_keys(environ=os.environ) -> list[str]:
    """Retired keys (PEM), still published so their tokens verify."""
    text = environ.get("OIDC_RSA_PRIVATE_KEYS_INACTIVE", "").replace("\\n", "\n")
    source = "OIDC_RSA_PRIVATE_KEYS_INACTIVE"
    if path := environ.get("OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILE", "").strip():
        text += "\n" + _read_file(path, "OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILE")
        source = "OIDC_RSA_PRIVATE_KEYS_INACTIVE(_FILE)"
    if text.strip() and not _PEM_BLOCK.search(text):
        raise ImproperlyConfigured(f"{source} holds no PEM private key.")
    return [_checked(block, source) for block in _PEM_BLOCK.findall(text)]


if __name__ == "__main__":
    sys.stdout.write(new_private_key())
