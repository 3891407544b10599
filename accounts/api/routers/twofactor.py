"""Two-factor authentication: status, setting up the app, recovery codes, off.

The same form confirms a new authenticator app as on the page, the same
services in ``accounts.twofactor.services`` switch it on and off (emails,
audit events), and the same changes need a recent sign-in.
"""

from base64 import b32encode

from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from ...login.reauthentication import recently_authenticated
from ...twofactor import services
from ...twofactor.forms import TwoFactorSetupForm
from ...twofactor.models import RecoveryCodeDevice
from ...twofactor.views import TwoFactorSetupView
from .. import responses, schemas
from ..operations import REAUTHENTICATION, Access, Endpoints
from .login import raise_invalid

endpoints = Endpoints("Two-factor authentication")

# Shared with the set-up page: a secret shown there can be confirmed here.
KEY_SESSION_KEY = TwoFactorSetupView.KEY_SESSION_KEY
ALREADY_ON = gettext_lazy("Two-factor authentication is already on.")
NO_SECRET = gettext_lazy(
    "There is no new secret to confirm: get one from GET "
    "/account/authenticators/totp first."
)
NOT_ON = gettext_lazy("Two-factor authentication is off.")


def timestamp(when):
    return when.timestamp() if when else None


def totp_data(device) -> dict:
    return {
        "type": "totp",
        "created_at": timestamp(device.created_at),
        "last_used_at": timestamp(device.last_used_at),
    }


def recovery_codes_data(device) -> dict:
    return {
        "type": "recovery_codes",
        "total_code_count": device.CODE_COUNT,
        "unused_code_count": device.remaining(),
    }


def app_of(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def recovery_codes_of(user):
    return RecoveryCodeDevice.objects.devices_for_user(user, confirmed=True).first()


@endpoints.get(
    "/account/authenticators",
    access=Access.SIGNED_IN,
    responses={200: schemas.AuthenticatorsResponse},
    descriptions={200: "The authenticators: none while two-factor is off."},
    summary="Two-factor status",
)
def authenticators(request):
    """The account's authenticator app and recovery codes, if any."""
    user = request.user
    data = []
    if app := app_of(user):
        data.append(totp_data(app))
    if codes := recovery_codes_of(user):
        data.append(recovery_codes_data(codes))
    return responses.envelope(data=data)


@endpoints.get(
    "/account/authenticators/totp",
    access=Access.SIGNED_IN,
    responses={
        200: schemas.TOTPResponse,
        401: schemas.AuthenticationResponse,
        404: schemas.TOTPNotFoundResponse,
    },
    descriptions={
        200: "The authenticator app in use.",
        401: REAUTHENTICATION,
        404: "No authenticator app yet: `meta` holds a new secret to set one "
        "up with (kept in the session until a code confirms it).",
    },
    summary="Authenticator app status",
)
def totp(request):
    """The authenticator app, or a new secret to set one up."""
    user = request.user
    if app := app_of(user):
        return responses.envelope(data=totp_data(app))
    if not recently_authenticated(request):
        raise responses.ReauthenticationRequired()
    session = request.session
    if KEY_SESSION_KEY not in session:
        session[KEY_SESSION_KEY] = random_hex(20)
    device = TOTPDevice(user=user, key=session[KEY_SESSION_KEY])
    return responses.envelope(
        404,
        meta={
            "secret": b32encode(device.bin_key).decode(),
            "totp_url": device.config_url,
        },
    )


@endpoints.post(
    "/account/authenticators/totp",
    access=Access.RECENTLY_SIGNED_IN,
    responses={
        200: schemas.TOTPActivatedResponse,
        409: schemas.ErrorResponse,
    },
    descriptions={
        200: "Two-factor authentication is on: `meta.recovery_codes` holds "
        "the recovery codes, shown this once.",
        400: "The code is not the app's (`invalid_code`).",
        409: "Two-factor is already on, or there is no secret to confirm.",
    },
    summary="Turn on the authenticator app",
)
def activate_totp(request, body: schemas.CodeIn):
    """Confirm the new secret with a code from the app; turn two-factor on."""
    user = request.user
    if user.has_two_factor():
        raise responses.Simple(409, "conflict", ALREADY_ON)
    key = request.session.get(KEY_SESSION_KEY)
    if key is None:
        raise responses.Simple(409, "conflict", NO_SECRET)
    form = TwoFactorSetupForm(user, key, data={"code": body.code})
    if not form.is_valid():
        raise_invalid(form)
    codes = services.enable(user, device=form.device, request=request)
    if codes is None:
        raise responses.Simple(409, "conflict", ALREADY_ON)
    del request.session[KEY_SESSION_KEY]
    return responses.envelope(
        data=totp_data(form.device),
        meta={"recovery_codes_generated": True, "recovery_codes": codes},
    )


@endpoints.delete(
    "/account/authenticators/totp",
    access=Access.RECENTLY_SIGNED_IN,
    responses={200: schemas.StatusOnly},
    descriptions={200: "Two-factor authentication is off (or already was)."},
    summary="Turn two-factor off",
)
def deactivate_totp(request):
    """Remove the authenticator app and the recovery codes."""
    services.disable(request.user, request=request, by="user")
    return responses.envelope()


@endpoints.get(
    "/account/authenticators/recovery-codes",
    access=Access.SIGNED_IN,
    responses={200: schemas.RecoveryCodesResponse, 404: schemas.NotFoundResponse},
    descriptions={
        200: "How many recovery codes are left (the codes themselves are "
        "stored hashed and cannot be shown again).",
        404: "Two-factor authentication is off.",
    },
    summary="Recovery codes left",
)
def recovery_codes(request):
    """How many of the recovery codes are unused."""
    if (codes := recovery_codes_of(request.user)) is None:
        raise responses.Simple(404, "not_found", NOT_ON)
    return responses.envelope(data=recovery_codes_data(codes))


@endpoints.post(
    "/account/authenticators/recovery-codes",
    access=Access.RECENTLY_SIGNED_IN,
    responses={200: schemas.RecoveryCodesResponse, 404: schemas.NotFoundResponse},
    descriptions={
        200: "New recovery codes in `data.unused_codes`, shown this once; "
        "the old ones no longer work.",
        404: "Two-factor authentication is off.",
    },
    summary="New recovery codes",
)
def regenerate_recovery_codes(request):
    """Replace every recovery code with new ones."""
    user = request.user
    codes = services.regenerate_recovery_codes(user, request=request)
    if codes is None:
        raise responses.Simple(404, "not_found", NOT_ON)
    data = {**recovery_codes_data(recovery_codes_of(user)), "unused_codes": codes}
    return responses.envelope(data=data)
