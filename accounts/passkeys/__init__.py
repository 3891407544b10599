"""Passkeys: WebAuthn credentials for signing in without a password, as a
second factor and to confirm it's you (py_webauthn does the cryptography)."""
