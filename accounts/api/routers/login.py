"""Signing in and out: password, the second factor, "who am I", reauthentication.

Every step goes through ``accounts.login.flow``, exactly as the pages do:
``LoginForm`` checks the password with ``flow.authenticate_password`` (the
lockout, the hashing cap, the audit trail), ``flow.start_login`` holds the
sign-in at the second factor or completes it, ``TwoFactorCodeForm`` checks a
code, and ``flow.resume_login`` finishes it.
"""

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.password_validation import get_password_validators
from django.middleware.csrf import get_token
from django.utils.translation import gettext

from ... import signals
from ...conf import app_settings
from ...login import flow
from ...login.forms import LoginForm, ReauthenticationForm
from ...twofactor.forms import TwoFactorCodeForm
from ...twofactor.models import RecoveryCodeDevice
from .. import responses, schemas
from ..clients import Client
from ..operations import Access, Endpoints, limit

endpoints = Endpoints("Authentication")


def raise_invalid(form, params=None):
    """Refuse a form's input: 429 if only a throttled code stopped it, else 400."""
    for field_errors in form.errors.as_data().values():
        for exc in field_errors:
            if exc.code == "throttled":
                raise responses.TooManyRequests(
                    exc.params["seconds"], code="throttled", message=exc.messages[0]
                )
    raise responses.InvalidInput.from_form(form, params)


@endpoints.get(
    "/config",
    access=Access.ANYONE,
    responses={200: schemas.ConfigResponse},
    summary="Get the configuration",
)
def config(request):
    """What the site allows, for a client to show the right forms.

    The browser client also finds its CSRF token in `meta.csrf_token` here.
    """
    min_length = next(
        (
            validator.min_length
            for validator in get_password_validators(settings.AUTH_PASSWORD_VALIDATORS)
            if hasattr(validator, "min_length")
        ),
        None,
    )
    meta = {}
    if responses.client_of(request) is Client.BROWSER:
        meta["csrf_token"] = get_token(request)
    return responses.envelope(
        data={
            "account": {
                "login_methods": ["email", "username"],
                "is_open_for_signup": True,
                "email_verification": app_settings.EMAIL_VERIFICATION,
                "password_min_length": min_length,
            },
            "mfa": {
                "supported_types": ["totp", "recovery_codes"],
                "trust_browser_days": app_settings.TWO_FACTOR_TRUST_DAYS,
            },
            "usersessions": {"track_activity": True},
        },
        meta=meta,
    )


@endpoints.post(
    "/auth/login",
    access=Access.SIGNED_OUT,
    responses={
        200: schemas.AuthenticatedResponse,
        401: schemas.AuthenticationResponse,
    },
    descriptions={
        200: "Signed in.",
        400: "Wrong name or password (`invalid_login`, the same for every "
        "reason), an unconfirmed address (`unverified`, only after a right "
        "password), or invalid input.",
        401: "The password was right and the second factor is pending "
        "(`mfa_authenticate` with `is_pending`): continue at `/auth/2fa/authenticate`.",
    },
    password_check=True,
    summary="Sign in with a password",
)
def login(request, body: schemas.LoginIn):
    """Sign in with a username or email address and the password.

    Accounts with two-factor authentication answer 401 with the pending
    `mfa_authenticate` flow; the app client then holds a session token for
    the half-done sign-in (`meta.session_token`) to send with the code.
    """
    limit(request, "login")
    identifier = body.username if body.username is not None else body.email
    form = LoginForm(
        request,
        data={
            "username": identifier or "",
            "password": body.password,
            "remember_me": body.remember,
        },
    )
    if not form.is_valid():
        raise_invalid(form)
    login = flow.Login(user=form.get_user(), remember=body.remember)
    return responses.outcome(request, flow.start_login(request, login))


@endpoints.post(
    "/auth/2fa/authenticate",
    access=Access.SIGNED_OUT,
    responses={
        200: schemas.AuthenticatedResponse,
        401: schemas.AuthenticationResponse,
        409: schemas.ErrorResponse,
        429: schemas.ErrorResponse,
    },
    descriptions={
        200: "Signed in.",
        400: "Wrong code (`invalid_code`); each counts as a failed sign-in.",
        401: "Too many wrong codes (`TWO_FACTOR_MAX_ATTEMPTS`): the half-done "
        "sign-in is dropped (`errors` says so); sign in again.",
        409: "Already signed in, or no sign-in waits for a code (never "
        "started, or older than `TWO_FACTOR_LOGIN_TIMEOUT`).",
        429: "Wrong codes in a row: django-otp checks the next one only after "
        "`Retry-After` seconds (nothing was checked or counted).",
    },
    summary="Give the second factor",
)
def two_factor_authenticate(request, body: schemas.TwoFactorAuthenticateIn):
    """The code step of a sign-in: an authenticator-app code or a recovery code."""
    stage = flow.TwoFactorStage.key
    login = flow.pending_login(request, stage)
    if login is None:
        raise responses.Simple(409, "conflict")
    trust = body.trust_browser and responses.client_of(request) is Client.BROWSER
    form = TwoFactorCodeForm(
        login.user,
        data={"code": body.code, "trust_browser": trust},
        before_check=lambda: flow.take_stage_check(request),
    )
    if not form.is_valid():
        too_many = form.has_error("code", "too_many")  # none was left to check
        if not too_many and form.has_error("code", "invalid_code"):
            flow.stage_failed(request, login.user, stage=stage)
            too_many = not flow.count_stage_failure(request)
        if too_many:
            flow.abandon_login(request)
            message = gettext("Too many wrong codes. Please sign in again.")
            return responses.unauthenticated(
                request,
                errors=[responses.error("too_many_attempts", message, "code")],
            )
        raise_invalid(form)
    login.trust_browser = form.cleaned_data.get("trust_browser", False)
    result = flow.resume_login(request, login, method=flow.BY_OTP)
    if isinstance(form.device, RecoveryCodeDevice):
        signals.recovery_code_used.send(
            sender=login.user.__class__, request=request, user=login.user
        )
    return responses.outcome(request, result)


@endpoints.get(
    "/auth/session",
    access=Access.ANYONE,
    responses={
        200: schemas.AuthenticatedResponse,
        401: schemas.AuthenticationResponse,
    },
    descriptions={200: "Signed in: the user and how they authenticated."},
    summary="Who am I",
)
def session(request):
    """The signed-in user, or the flows to sign in (and any pending stage)."""
    return responses.authentication_status(request)


@endpoints.delete(
    "/auth/session",
    access=Access.ANYONE,
    responses={401: schemas.AuthenticationResponse},
    descriptions={401: "Signed out (always: this is the state afterwards)."},
    summary="Sign out",
)
def sign_out(request):
    """End this session: its row is deleted, so its cookie or token is dead."""
    logout(request)
    return responses.unauthenticated(request)


@endpoints.post(
    "/auth/reauthenticate",
    access=Access.SIGNED_IN,
    responses={200: schemas.AuthenticatedResponse},
    descriptions={
        200: "Confirmed: dangerous changes are allowed for "
        "`REAUTHENTICATION_TIMEOUT` seconds.",
        400: "Wrong password or code (`invalid`), or invalid input.",
    },
    password_check=True,
    summary="Confirm it's you",
)
def reauthenticate(request, body: schemas.ReauthenticateIn):
    """The password again, and a code when two-factor authentication is on."""
    limit(request, "login")
    form = ReauthenticationForm(
        request.user,
        data={"password": body.password, "code": body.code or ""},
        request=request,
    )
    if not form.is_valid():
        raise_invalid(form)
    flow.reauthenticate(request, methods=form.methods)
    if isinstance(form.device, RecoveryCodeDevice):
        signals.recovery_code_used.send(
            sender=request.user.__class__, request=request, user=request.user
        )
    return responses.authenticated(request)
