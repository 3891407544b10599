"""A software WebAuthn authenticator for the server-side passkey tests.

It makes what a browser and an authenticator would send: an EC P-256 key
(``cryptography``), authenticator data, ``clientDataJSON`` and a "none"
attestation for registration (CBOR via ``cbor2``), and signed assertions for
sign-in, in the JSON form browsers send (base64url fields). Every part can
be bent to test a check: the origin, the RP ID, the flags, the counter, the
challenge.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftAuthenticator:
    """One credential on one authenticator (a passkey), driven by hand."""

    def __init__(self, *, synced: bool = False, user_verifying: bool = True):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(16)
        self.synced = synced
        self.user_verifying = user_verifying
        self.sign_count = 0
        self.user_handle: bytes | None = None

    @property
    def id(self) -> str:
        return b64url(self.credential_id)

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,  # kty: EC2
                3: -7,  # alg: ES256
                -1: 1,  # crv: P-256
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def _flags(self, extra: int = 0, *, uv: bool | None = None) -> int:
        flags = UP | extra
        if self.user_verifying if uv is None else uv:
            flags |= UV
        if self.synced:
            flags |= BE | BS
        return flags

    @staticmethod
    def client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps(
            {
                "type": kind,
                "challenge": challenge,
                "origin": origin,
                "crossOrigin": False,
            }
        ).encode()

    def register(
        self, options: dict, *, origin: str, rp_id: str | None = None, uv=None
    ) -> dict:
        """The browser's answer to registration ``options`` (JSON form)."""
        rp_id = rp_id or options["rp"]["id"]
        self.user_handle = unb64url(options["user"]["id"])
        attested = (
            b"\x00" * 16  # AAGUID
            + struct.pack(">H", len(self.credential_id))
            + self.credential_id
            + self._cose_key()
        )
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([self._flags(AT, uv=uv)])
            + struct.pack(">I", self.sign_count)
            + attested
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self.client_data("webauthn.create", options["challenge"], origin)
        return {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
        }

    def sign(
        self,
        options: dict,
        *,
        origin: str,
        rp_id: str | None = None,
        uv=None,
        counter: int | None = None,
        user_handle: bytes | None = None,
    ) -> dict:
        """The browser's answer to sign-in ``options`` (JSON form), signed."""
        rp_id = rp_id or options["rpId"]
        if counter is None:
            self.sign_count += 1
            counter = self.sign_count
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([self._flags(uv=uv)])
            + struct.pack(">I", counter)
        )
        client_data = self.client_data("webauthn.get", options["challenge"], origin)
        signature = self.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        handle = user_handle if user_handle is not None else self.user_handle
        return {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(handle) if handle else None,
            },
            "clientExtensionResults": {},
        }
