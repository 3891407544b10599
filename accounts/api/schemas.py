"""The API's typed shapes: request bodies and the response envelope.

django-ninja builds the OpenAPI document from these, so the document and
the code cannot drift. Request bodies are strict (a number is not a string,
``"true"`` is not a boolean): input that does not match its schema is a 400
with a field error, never coerced into something else. Validation beyond
types (a valid email address, the password validators, a right password)
stays in the site's forms.

Response bodies follow django-allauth's headless envelope: ``status`` (the
HTTP status again), ``data``, ``meta`` and, on errors, ``errors`` (each with
``code``, ``message`` and, for a field, ``param``).
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator
from pydantic_core import PydanticCustomError

from ..users.models import User

# The longest username or email address an account can have: longer
# identifiers are refused before any lookup.
IDENTIFIER_MAX_LENGTH = User._meta.get_field("email").max_length
CODE_MAX_LENGTH = 32


class Input(BaseModel):
    """A request body: a JSON object whose fields have exactly these types."""

    model_config = ConfigDict(strict=True)

    @field_validator("*", mode="after")
    @classmethod
    def text_is_unicode(cls, value):
        """Refuse a string JSON can carry but no text is (a lone surrogate).

        ``"\\ud800"`` is valid JSON; encoding it (to hash a password, to
        query the database) would fail with a 500.
        """
        if isinstance(value, str):
            try:
                value.encode()
            except UnicodeEncodeError:
                raise PydanticCustomError("string_unicode", "not text") from None
        return value


# REQUEST BODIES
# ------------------------------------------------------------------------------


class LoginIn(Input):
    username: str | None = Field(
        None,
        max_length=IDENTIFIER_MAX_LENGTH,
        description="The username or the email address (either signs in).",
        examples=["alice"],
    )
    email: str | None = Field(
        None,
        max_length=IDENTIFIER_MAX_LENGTH,
        description="The email address, for clients that send it under this name.",
    )
    password: str = Field(examples=["correct-horse-battery-staple"])
    remember: bool = Field(
        False,
        description="Keep the session for `SESSION_REMEMBER_AGE` instead of "
        "ending it after `SESSION_IDLE_TIMEOUT` without use.",
    )


class SignupIn(Input):
    username: str = Field(max_length=150, examples=["alice"])
    email: str = Field(max_length=IDENTIFIER_MAX_LENGTH, examples=["alice@example.com"])
    password: str


class CodeIn(Input):
    code: str = Field(
        max_length=CODE_MAX_LENGTH,
        description="A 6-digit code from the authenticator app, or a recovery code.",
        examples=["123456"],
    )


class TwoFactorAuthenticateIn(CodeIn):
    trust_browser: bool = Field(
        False,
        description="Browser client only: skip this step on this browser for "
        "`TWO_FACTOR_TRUST_DAYS` days. Ignored for the app client.",
    )


class ReauthenticateIn(Input):
    password: str
    code: str | None = Field(
        None,
        max_length=CODE_MAX_LENGTH,
        description="Required when two-factor authentication is on.",
    )


class KeyIn(Input):
    key: str = Field(
        max_length=1024, description="The key from the emailed link (see the README)."
    )


class ResetPasswordIn(KeyIn):
    password: str


class EmailIn(Input):
    email: str = Field(max_length=IDENTIFIER_MAX_LENGTH, examples=["alice@example.com"])


class ChangePasswordIn(Input):
    current_password: str
    new_password: str


class ProfileIn(Input):
    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)


# A UUID arrives as a JSON string: the one type read leniently.
PublicId = Annotated[UUID, Strict(False)]


class EndSessionsIn(Input):
    sessions: list[PublicId] = Field(
        default_factory=list,
        max_length=100,
        description="Public IDs of the sessions to end (from the sessions list).",
    )
    others: bool = Field(
        False, description="End every session of the account except this one."
    )


# RESPONSES
# ------------------------------------------------------------------------------


class ErrorItem(BaseModel):
    code: str = Field(examples=["invalid"], description="A stable error code.")
    message: str = Field(description="A message for people, in the request's language.")
    param: str | None = Field(
        None, description="The input field that was wrong, if one was."
    )


class ErrorResponse(BaseModel):
    status: int = Field(examples=[400])
    errors: list[ErrorItem]


class StatusOnly(BaseModel):
    status: Literal[200]


class Flow(BaseModel):
    id: Literal[
        "login",
        "signup",
        "verify_email",
        "mfa_authenticate",
        "reauthenticate",
    ]
    is_pending: Literal[True] | None = None
    types: list[Literal["totp", "recovery_codes"]] | None = None


class UserOut(BaseModel):
    id: int
    display: str
    username: str
    email: str
    email_verified: bool
    has_usable_password: bool


class AuthenticationMethod(BaseModel):
    method: Literal["password", "mfa"]
    at: float = Field(description="When, as Unix time.")


class Meta(BaseModel):
    is_authenticated: bool
    session_token: str | None = Field(
        None,
        description="App client only: the session token to send as "
        "`X-Session-Token` from now on (present when it changed).",
    )
    csrf_token: str | None = Field(
        None,
        description="Browser client only: the CSRF token to send as "
        "`X-CSRFToken` with every POST and DELETE (it changes at sign-in).",
    )


class AuthenticatedData(BaseModel):
    user: UserOut
    methods: list[AuthenticationMethod]


class AuthenticatedResponse(BaseModel):
    status: Literal[200]
    data: AuthenticatedData
    meta: Meta


class AuthenticationData(BaseModel):
    flows: list[Flow]
    user: UserOut | None = Field(
        None, description="Present when reauthentication is required."
    )
    methods: list[AuthenticationMethod] | None = None


class AuthenticationResponse(BaseModel):
    """Not (or not recently enough) authenticated: the flows that would help."""

    status: Literal[401]
    data: AuthenticationData
    meta: Meta
    errors: list[ErrorItem] | None = None


class SessionGoneResponse(BaseModel):
    status: Literal[410]
    data: AuthenticationData
    meta: Meta


class AccountConfig(BaseModel):
    login_methods: list[Literal["email", "username"]]
    is_open_for_signup: bool
    email_verification: Literal["mandatory", "optional", "none"]
    password_min_length: int | None = None


class MFAConfig(BaseModel):
    supported_types: list[Literal["totp", "recovery_codes"]]
    trust_browser_days: int


class UserSessionsConfig(BaseModel):
    track_activity: bool


class ConfigData(BaseModel):
    account: AccountConfig
    mfa: MFAConfig
    usersessions: UserSessionsConfig


class ConfigMeta(BaseModel):
    csrf_token: str | None = None


class ConfigResponse(BaseModel):
    status: Literal[200]
    data: ConfigData
    meta: ConfigMeta


class EmailVerificationData(BaseModel):
    email: str
    user: UserOut


class EmailVerificationMeta(BaseModel):
    is_authenticating: bool


class EmailVerificationResponse(BaseModel):
    status: Literal[200]
    data: EmailVerificationData
    meta: EmailVerificationMeta


class PasswordResetData(BaseModel):
    user: UserOut


class PasswordResetResponse(BaseModel):
    status: Literal[200]
    data: PasswordResetData


class SessionOut(BaseModel):
    id: UUID = Field(description="The session's public ID (never its key).")
    user_agent: str
    device: str = Field(description="Browser and system in words.")
    ip: str | None
    created_at: float
    last_seen_at: float
    is_current: bool


class SessionsResponse(BaseModel):
    status: Literal[200]
    data: list[SessionOut]


class EventOut(BaseModel):
    type: str = Field(examples=["login"])
    description: str = Field(description="The event in words.")
    ip: str | None
    user_agent: str
    device: str
    at: float


class ActivityResponse(BaseModel):
    status: Literal[200]
    data: list[EventOut]


class Authenticator(BaseModel):
    type: Literal["totp", "recovery_codes"]
    created_at: float | None = None
    last_used_at: float | None = None
    total_code_count: int | None = None
    unused_code_count: int | None = None


class AuthenticatorsResponse(BaseModel):
    status: Literal[200]
    data: list[Authenticator]


class TOTPSetupMeta(BaseModel):
    secret: str = Field(description="The new secret, base32, for manual entry.")
    totp_url: str = Field(description="The otpauth:// URL, for a QR code.")


class TOTPNotFoundResponse(BaseModel):
    """No authenticator app yet: a secret to set one up with."""

    status: Literal[404]
    meta: TOTPSetupMeta


class TOTPResponse(BaseModel):
    status: Literal[200]
    data: Authenticator


class TOTPActivatedMeta(BaseModel):
    recovery_codes_generated: bool
    recovery_codes: list[str] = Field(description="Shown this once only.")


class TOTPActivatedResponse(BaseModel):
    status: Literal[200]
    data: Authenticator
    meta: TOTPActivatedMeta


class RecoveryCodesOut(Authenticator):
    unused_codes: list[str] | None = Field(
        None, description="Only in the answer that made them: they are stored hashed."
    )


class RecoveryCodesResponse(BaseModel):
    status: Literal[200]
    data: RecoveryCodesOut


class NotFoundResponse(BaseModel):
    status: Literal[404]
    errors: list[ErrorItem] | None = None


class ProfileOut(BaseModel):
    username: str
    email: str
    email_verified: bool
    first_name: str
    last_name: str
    date_joined: float
    last_login: float | None


class ProfileResponse(BaseModel):
    status: Literal[200]
    data: ProfileOut


class EmailAddressOut(BaseModel):
    email: str
    primary: bool
    verified: bool


class EmailAddressesResponse(BaseModel):
    status: Literal[200]
    data: list[EmailAddressOut]
