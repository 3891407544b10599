"""An account's life: sign-up, confirming an address, passwords, profile, deletion.

The same forms validate as on the pages, and the same services in
``accounts.lifecycle.services`` write, mail and send the audit signals; the
same rate limits count (per client address, and per inbox where a request
mails someone), and the answers never tell whether an address has an
account.
"""

from django.contrib.auth import logout
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.views import PasswordResetConfirmView
from django.utils.translation import gettext_lazy
from ninja import Header

from ...conf import app_settings
from ...lifecycle import services
from ...lifecycle.forms import (
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    ResendVerificationForm,
    SetPasswordForm,
    SignupForm,
)
from ...lifecycle.tokens import email_change_token, email_verification_token
from ...login import flow
from ...login.forms import ReauthenticationForm
from ...security.ip import client_address_key
from ...security.ratelimit import hit, unhit
from .. import responses, schemas
from ..operations import Access, Endpoints, limit
from .login import raise_invalid

endpoints = Endpoints("Account")

LINK_INVALID = gettext_lazy(
    "The link is invalid, has expired, or has already been used."
)
PASSWORD_FIELDS = {"password1": "password", "password2": "password"}


# The reset page's counter (accounts.lifecycle.views.PasswordResetConfirmView):
# the site and the API share one quota of key checks per address.
RESET_LINK_SCOPE = "password_reset_link"


def invalid_key(param="key"):
    """The one answer for an invalid, expired, used or someone else's key."""
    return responses.InvalidInput([responses.error("invalid", LINK_INVALID, param)])


# SIGN-UP AND CONFIRMING THE ADDRESS
# ------------------------------------------------------------------------------


@endpoints.post(
    "/auth/signup",
    access=Access.SIGNED_OUT,
    responses={
        200: schemas.AuthenticatedResponse,
        401: schemas.AuthenticationResponse,
        429: schemas.ErrorResponse,
    },
    descriptions={
        200: "Signed up and signed in (`ACCOUNT_EMAIL_VERIFICATION` is not "
        "`mandatory`).",
        401: "Signed up, or not (an address that has an account gets the "
        "same answer and its owner an email): follow the link emailed to "
        "the address, then sign in (`verify_email` is pending).",
    },
    summary="Sign up",
)
def signup(request, body: schemas.SignupIn):
    """Create an account: username, email address and password."""
    limit(request, "signup")
    form = SignupForm(
        data={
            "username": body.username,
            "email": body.email,
            "password1": body.password,
            "password2": body.password,
        }
    )
    if not form.is_valid():
        raise_invalid(form, PASSWORD_FIELDS)
    limit(request, "signup", email=form.cleaned_data["email"])
    try:
        user = services.user_sign_up(request=request, form=form)
    except services.SignUpConflict as conflict:
        raise responses.InvalidInput.from_form(conflict.form, PASSWORD_FIELDS) from None
    if user is not None and app_settings.EMAIL_VERIFICATION != "mandatory":
        return responses.outcome(request, flow.start_login(request, flow.Login(user)))
    return responses.unauthenticated(request, pending="verify_email")


@endpoints.get(
    "/auth/email/verify",
    access=Access.ANYONE,
    responses={200: schemas.EmailVerificationResponse},
    descriptions={
        200: "The key is good: the address it confirms.",
        400: "The key is invalid, expired or used (`invalid`).",
    },
    summary="Check an email confirmation key",
)
def email_verification(
    request, key: str = Header(alias="X-Email-Verification-Key", max_length=1024)
):
    """What a confirmation link would confirm, without confirming it."""
    user, _email = email_verification_token.check_token(key)
    if user is None:
        raise invalid_key("X-Email-Verification-Key")
    return responses.envelope(
        data={"email": user.email, "user": responses.user_data(user)},
        meta={"is_authenticating": False},
    )


@endpoints.post(
    "/auth/email/verify",
    access=Access.ANYONE,
    responses={
        200: schemas.AuthenticatedResponse,
        401: schemas.AuthenticationResponse,
    },
    descriptions={
        200: "Confirmed; this session is signed in.",
        400: "The key is invalid, expired or used (`invalid`).",
        401: "Confirmed; sign in now (a 401 here is not a failure).",
    },
    summary="Confirm an email address",
)
def verify_email(request, body: schemas.KeyIn):
    """Confirm the address of a sign-up with the key from the emailed link.

    The key is the last part of the link's path:
    `/accounts/verify-email/<key>/`.
    """
    user, _email = email_verification_token.check_token(body.key)
    if user is None:
        raise invalid_key()
    services.email_verify(request=request, user=user)
    return responses.authentication_status(request)


@endpoints.post(
    "/auth/email/verify/resend",
    access=Access.ANYONE,
    responses={200: schemas.StatusOnly, 429: schemas.ErrorResponse},
    descriptions={
        200: "Sent, if an account with an unconfirmed address uses it (the "
        "answer is the same either way)."
    },
    summary="Send a new confirmation link",
)
def resend_verification(request, body: schemas.EmailIn):
    """Mail a new confirmation link to an address that has one to confirm."""
    limit(request, "resend_verification")
    form = ResendVerificationForm(data={"email": body.email})
    if not form.is_valid():
        raise_invalid(form)
    email = form.cleaned_data["email"]
    limit(request, "resend_verification", email=email)
    user = form.get_user()
    if user is not None:
        services.send_verification_email(user)
    else:
        services.send_nothing_to_confirm_email(email)
    return responses.envelope()


# PASSWORDS
# ------------------------------------------------------------------------------


@endpoints.post(
    "/auth/password/request",
    access=Access.ANYONE,
    responses={200: schemas.StatusOnly, 429: schemas.ErrorResponse},
    descriptions={
        200: "A reset link is on its way if an account uses the address (the "
        "answer is the same either way)."
    },
    summary="Ask for a password reset link",
)
def request_password_reset(request, body: schemas.EmailIn):
    """Mail a password reset link; any address gets the same answer."""
    limit(request, "password_reset")
    form = PasswordResetForm(data={"email": body.email})
    if not form.is_valid():
        raise_invalid(form)
    limit(request, "password_reset", email=form.cleaned_data["email"])
    form.save(request=request)
    return responses.envelope()


def reset_user(request, key: str, param: str = "key"):
    """The account a reset key is for, and its token, or a 400.

    ``key`` is ``<uidb64>/<token>``. As on the reset page, every check is
    counted per address before it is made and taken back for a valid key,
    so guessing keys gets a 429.
    """
    rate = app_settings.RATELIMIT_PASSWORD_RESET_LINK
    address = f"ip:{client_address_key(request)}"
    hit(RESET_LINK_SCOPE, address, rate)
    uidb64, _slash, token = key.partition("/")
    user = PasswordResetConfirmView().get_user(uidb64) if token else None
    if user is None or not default_token_generator.check_token(user, token):
        raise invalid_key(param)
    unhit(RESET_LINK_SCOPE, address, rate)
    return user, token


@endpoints.get(
    "/auth/password/reset",
    access=Access.ANYONE,
    responses={200: schemas.PasswordResetResponse, 429: schemas.ErrorResponse},
    descriptions={
        200: "The key is good: the account it resets.",
        400: "The key is invalid, expired or used (`invalid`).",
        429: "Too many invalid keys from this address "
        "(`RATELIMIT_PASSWORD_RESET_LINK`).",
    },
    summary="Check a password reset key",
)
def password_reset_key(
    request, key: str = Header(alias="X-Password-Reset-Key", max_length=1024)
):
    """Whose password a reset link would reset, without resetting it."""
    user, _token = reset_user(request, key, "X-Password-Reset-Key")
    return responses.envelope(data={"user": responses.user_data(user)})


@endpoints.post(
    "/auth/password/reset",
    access=Access.ANYONE,
    responses={401: schemas.AuthenticationResponse, 429: schemas.ErrorResponse},
    descriptions={
        429: "Too many invalid keys from this address "
        "(`RATELIMIT_PASSWORD_RESET_LINK`).",
        400: "The key is invalid, expired or used (`invalid`, `param` key), "
        "or the password validators refused the password (`param` password).",
        401: "The password is reset and every session of the account has "
        "ended (this one too): sign in with the new password.",
    },
    summary="Reset the password",
)
def reset_password(request, body: schemas.ResetPasswordIn):
    """Set a new password with the key from the emailed link.

    The key is the last two parts of the link's path, as they are:
    `/accounts/reset/<uidb64>/<token>/` gives `<uidb64>/<token>`.
    """
    user, token = reset_user(request, body.key)
    form = SetPasswordForm(
        user, data={"new_password1": body.password, "new_password2": body.password}
    )
    if not form.is_valid():
        raise_invalid(form, {"new_password1": "password", "new_password2": "password"})
    try:
        services.password_reset_complete(request=request, form=form, token=token)
    except services.ResetLinkUsed:
        raise invalid_key("key") from None  # another use of the key came first
    return responses.unauthenticated(request)


@endpoints.post(
    "/account/password/change",
    access=Access.RECENTLY_SIGNED_IN,
    responses={200: schemas.AuthenticatedResponse},
    descriptions={
        200: "Changed. This session stays signed in (the app client gets a "
        "new `meta.session_token`: the old one is dead); every other session "
        "of the account has ended.",
        400: "Wrong current password (`password_incorrect`), a refused new "
        "one (the password validators), or invalid input.",
    },
    password_check=True,
    summary="Change the password",
)
def change_password(request, body: schemas.ChangePasswordIn):
    """Change the password, giving the current one."""
    limit(request, "login")
    form = PasswordChangeForm(
        request.user,
        data={
            "old_password": body.current_password,
            "new_password1": body.new_password,
            "new_password2": body.new_password,
        },
        request=request,
    )
    if not form.is_valid():
        raise_invalid(
            form,
            {
                "old_password": "current_password",
                "new_password1": "new_password",
                "new_password2": "new_password",
            },
        )
    services.password_change(request=request, form=form)
    return responses.authenticated(request)


# PROFILE AND EMAIL ADDRESS
# ------------------------------------------------------------------------------


def profile_data(user) -> dict:
    return {
        "username": user.get_username(),
        "email": user.email,
        "email_verified": user.email_verified,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "date_joined": user.date_joined.timestamp(),
        "last_login": user.last_login.timestamp() if user.last_login else None,
    }


@endpoints.get(
    "/account/profile",
    access=Access.SIGNED_IN,
    responses={200: schemas.ProfileResponse},
    summary="Read the profile",
)
def profile(request):
    """The signed-in account's names, address and dates."""
    return responses.envelope(data=profile_data(request.user))


@endpoints.patch(
    "/account/profile",
    access=Access.SIGNED_IN,
    responses={200: schemas.ProfileResponse},
    descriptions={200: "Saved: the profile as it is now."},
    summary="Change the names",
)
def update_profile(request, body: schemas.ProfileIn):
    """Change the first and last name (fields left out stay as they are).

    The email address changes through `POST /account/email`.
    """
    user = request.user
    names = {"first_name": user.first_name, "last_name": user.last_name}
    names.update(body.model_dump(exclude_none=True))
    form = ProfileForm(
        instance=user,
        data={**names, "email": user.email, "time_zone": user.time_zone},
    )
    if not form.is_valid():
        raise_invalid(form)
    services.profile_update(form=form)
    return responses.envelope(data=profile_data(user))


def addresses(user) -> list[dict]:
    return [{"email": user.email, "primary": True, "verified": user.email_verified}]


@endpoints.get(
    "/account/email",
    access=Access.SIGNED_IN,
    responses={200: schemas.EmailAddressesResponse},
    summary="List the email address",
)
def email_addresses(request):
    """The account's address (one: a new one replaces it once confirmed)."""
    return responses.envelope(data=addresses(request.user))


@endpoints.post(
    "/account/email",
    access=Access.RECENTLY_SIGNED_IN,
    responses={200: schemas.EmailAddressesResponse, 429: schemas.ErrorResponse},
    descriptions={
        200: "A confirmation link went to the new address (or, if another "
        "account has it, a notice to its owner: the answer is the same). The "
        "address changes once the link is followed; until then the list "
        "shows the old one.",
        429: "Too many changes for this account or this new address.",
    },
    summary="Change the email address",
)
def change_email(request, body: schemas.EmailIn):
    """Ask to move the account to a new address; its inbox confirms it."""
    user = request.user
    form = ProfileForm(
        instance=user,
        data={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": body.email,
            "time_zone": user.time_zone,
        },
    )
    if not form.is_valid():
        raise_invalid(form)
    if form.email_changed:
        limit(request, "email_change", key=f"user:{user.pk}")
        limit(request, "email_change", email=form.cleaned_data["email"])
    services.profile_update(form=form)
    return responses.envelope(data=addresses(user))


@endpoints.post(
    "/account/email/confirm",
    access=Access.SIGNED_IN,
    responses={200: schemas.EmailAddressesResponse},
    descriptions={
        200: "The account uses the new address now.",
        400: "The key is invalid, expired, used or another account's, or the "
        "address was taken meanwhile (`invalid`).",
    },
    summary="Confirm a new email address",
)
def confirm_email_change(request, body: schemas.KeyIn):
    """Switch to the new address with the key from the link sent to it.

    The key is the last part of the link's path:
    `/accounts/email/confirm/<key>/`.
    """
    user, new_email = email_change_token.check_token(body.key)
    if user is None or user.pk != request.user.pk:
        raise invalid_key()
    if not services.email_change_confirm(
        request=request, user=request.user, new_email=new_email
    ):
        raise invalid_key()
    return responses.envelope(data=addresses(request.user))


# DELETION
# ------------------------------------------------------------------------------


@endpoints.post(
    "/account/delete",
    access=Access.SIGNED_IN,
    responses={401: schemas.AuthenticationResponse},
    descriptions={
        400: "Wrong password or code (`invalid`), or invalid input.",
        401: "Deleted: every session of the account has ended.",
    },
    password_check=True,
    summary="Delete the account",
)
def delete_account(request, body: schemas.ReauthenticateIn):
    """Delete the account for good: the password, and a code with 2FA, first."""
    limit(request, "login")
    user = request.user
    form = ReauthenticationForm(
        user,
        data={"password": body.password, "code": body.code or ""},
        request=request,
    )
    if not form.is_valid():
        raise_invalid(form)
    logout(request)
    services.user_delete(request=request, user=user)
    return responses.unauthenticated(request)
