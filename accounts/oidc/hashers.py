"""The hasher of registered apps' client secrets."""

from django.contrib.auth import hashers


class ClientSecretHasher(hashers.PBKDF2PasswordHasher):
    """Salted HMAC-SHA256 (one PBKDF2 round) for generated client secrets.

    A client secret is 128 random characters (django-oauth-toolkit's
    generator), so a guess cannot be helped by a slow hash, the way recovery
    codes are stored with SHA-256 too. The slow Argon2 hash is for what
    people choose: it would cost 100 MiB and a password-check slot per token
    request here, and let a flood of token requests hold up sign-ins.

    Listed last in ``PASSWORD_HASHERS`` only so django-oauth-toolkit's
    ``CLIENT_SECRET_HASHER`` can name it; people's passwords are hashed by
    the first entry, and ``must_update`` moves any password hash of this
    kind to Argon2 at its next check.
    """

    algorithm = "client_secret_sha256"
    iterations = 1
