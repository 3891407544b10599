"""Passkey pages and the JSON endpoints of their WebAuthn ceremonies.

The pages (list, add, rename, remove) are ordinary Django views. Each
ceremony has two JSON endpoints, both POST with the CSRF token in the
``X-CSRFToken`` header (``static/js/passkeys.js``): *options* makes a
single-use challenge and answers the options for the browser's WebAuthn
call; *verify* checks the browser's answer and answers ``{"redirect": url}``
or ``{"error": message}`` with a 4xx status. Refusals read the same whatever
the reason (unknown passkey, wrong origin, replayed or expired challenge).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from ..conf import app_settings
from ..lifecycle import services as lifecycle
from ..lifecycle.forms import PasskeySignupForm
from ..login import flow
from ..login.reauthentication import (
    RecentAuthenticationRequiredMixin,
    recently_authenticated,
)
from ..security.ip import client_ip
from ..security.ratelimit import RateLimited, hit, mailbox
from ..usersessions.user_agents import describe_user_agent, request_user_agent
from . import ceremonies, services
from .forms import PasskeyNameForm
from .models import Passkey

User = get_user_model()

REFUSED = _("That passkey could not be used. Try again, or use another way to sign in.")
BAD_REQUEST = _("Your browser sent something we could not read. Please try again.")
LOCKED = _(
    "Too many failed sign-ins. For your security, signing in is paused for "
    "%(minutes)d minutes."
)
RATE_LIMITED = _("Too many attempts. Please wait a moment and try again.")
SIGN_IN_EXPIRED = _("Your sign-in expired. Please sign in again.")
TOO_MANY = _("Too many failed attempts. Please sign in again.")


def json_error(message, status=400, **extra) -> JsonResponse:
    return JsonResponse({"error": str(message), **extra}, status=status)


def safe_next(request, url) -> str:
    """``url`` if it stays on this site, else the dashboard."""
    if isinstance(url, str) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class BadPayload(Exception):
    pass


@method_decorator(never_cache, name="dispatch")
class CeremonyView(View):
    """A JSON endpoint of a passkey ceremony: POST only, CSRF-checked.

    Subclasses set ``rate_scope`` (each POST counts against the client
    address, at ``RATELIMIT_LOGIN`` like a password check unless
    ``rate_setting`` names another limit), may refuse the
    request in ``refusal()`` (who may run the ceremony) and implement
    ``answer(payload)``.
    """

    http_method_names = ["post"]
    rate_scope = "login"
    rate_setting = "RATELIMIT_LOGIN"

    def post(self, request, *args, **kwargs):
        refusal = self.refusal()
        if refusal is not None:
            return refusal
        try:
            hit(
                self.rate_scope,
                f"ip:{client_ip(request)}",
                getattr(app_settings, self.rate_setting),
            )
        except RateLimited as exc:
            response = json_error(RATE_LIMITED, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        try:
            payload = self.payload(request)
            return self.answer(payload)
        except BadPayload:
            return json_error(BAD_REQUEST)
        except flow.LockedOut as locked:
            minutes = max(1, round(locked.retry_after / 60))
            response = json_error(LOCKED % {"minutes": minutes}, status=429)
            response["Retry-After"] = str(locked.retry_after)
            return response

    def payload(self, request) -> dict:
        if request.content_type != "application/json":
            raise BadPayload
        try:
            payload = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise BadPayload from None
        if not isinstance(payload, dict):
            raise BadPayload
        return payload

    def credential(self, payload) -> dict:
        credential = payload.get("credential")
        if not isinstance(credential, dict):
            raise BadPayload
        return credential

    def refusal(self):
        return None

    def answer(self, payload):
        raise NotImplementedError


# Registration -------------------------------------------------------------


class RegistrationMixin:
    """Only a signed-in user who confirmed it's them recently adds a passkey.

    A half-done sign-in (password right, code still due) is an anonymous
    session: it cannot reach these endpoints, so registering a passkey
    never stands in for the second factor (GHSA-8r76-c459-ww98).
    """

    def refusal(self):
        request = self.request
        if not request.user.is_authenticated:
            return json_error(
                SIGN_IN_EXPIRED, status=403, redirect=reverse("accounts:login")
            )
        if not recently_authenticated(request):
            return json_error(
                _("Confirm it's you first."),
                status=403,
                redirect=f"{reverse('accounts:reauthenticate')}?next="
                f"{reverse('accounts:passkey_add')}",
            )
        return None


class RegistrationOptionsView(RegistrationMixin, CeremonyView):
    rate_scope = "passkey_options"

    def answer(self, payload):
        return JsonResponse(
            ceremonies.registration_options(self.request, self.request.user)
        )


class RegistrationVerifyView(RegistrationMixin, CeremonyView):
    def answer(self, payload):
        request = self.request
        form = PasskeyNameForm({"name": payload.get("name", "")})
        credential = self.credential(payload)
        if not form.is_valid():
            return json_error(form.errors["name"][0])
        challenge = ceremonies.take_challenge(
            request, ceremonies.REGISTER, request.user
        )
        try:
            new = ceremonies.verify_registration(credential, challenge=challenge)
        except ceremonies.PasskeyRefused:
            return json_error(_("That passkey could not be added. Please try again."))
        passkey = services.add(
            request.user, name=form.cleaned_data["name"], new=new, request=request
        )
        if passkey is None:
            return json_error(_("That passkey is registered already."))
        messages.success(
            request, _("Passkey “%(name)s” added.") % {"name": passkey.name}
        )
        return JsonResponse({"redirect": reverse("accounts:passkeys")})


# Sign-up with a passkey (PASSKEY_SIGNUP) -----------------------------------

SIGNUP_SESSION_KEY = "accounts.passkey_signup"


class SignupMixin:
    """Only while ``PASSKEY_SIGNUP`` is on, and only for someone signed out."""

    def refusal(self):
        if not app_settings.PASSKEY_SIGNUP:
            return json_error(_("Not found."), status=404)
        if self.request.user.is_authenticated:
            return json_error(
                _("You are signed in already."),
                status=400,
                redirect=reverse("accounts:dashboard"),
            )
        return None

    def signup_form(self, data):
        form = PasskeySignupForm(
            data={"username": data.get("username"), "email": data.get("email")}
        )
        if form.is_valid():
            return form, None
        errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
        first = next(iter(errors.values()))[0]
        return form, json_error(first, errors=errors)


class SignupOptionsView(SignupMixin, CeremonyView):
    """Check the username and address, then the options for the new passkey."""

    rate_scope = "passkey_options"

    def answer(self, payload):
        form, refused = self.signup_form(payload)
        if refused is not None:
            return refused
        username, email = form.cleaned_data["username"], form.cleaned_data["email"]
        self.request.session[SIGNUP_SESSION_KEY] = {
            "username": username,
            "email": email,
        }
        return JsonResponse(ceremonies.signup_options(self.request, username=username))


class SignupVerifyView(SignupMixin, CeremonyView):
    """Create the account named when the options were asked, with its passkey.

    Limited like the sign-up form (``RATELIMIT_SIGNUP`` per address and per
    inbox). The passkey must have verified the person: it is the account's
    only way in.
    """

    rate_scope = "signup"
    rate_setting = "RATELIMIT_SIGNUP"

    def answer(self, payload):
        request = self.request
        credential = self.credential(payload)
        pending = request.session.pop(SIGNUP_SESSION_KEY, None)
        challenge = ceremonies.take_challenge(request, ceremonies.SIGNUP)
        if pending is None or challenge is None:
            return json_error(_("That passkey could not be added. Please try again."))
        form, refused = self.signup_form(pending)
        if refused is not None:
            return refused
        try:
            hit(
                "signup",
                mailbox(form.cleaned_data["email"]),
                app_settings.RATELIMIT_SIGNUP,
            )
        except RateLimited as exc:
            response = json_error(RATE_LIMITED, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        try:
            new = ceremonies.verify_registration(
                credential, challenge=challenge, require_uv=True
            )
            user = lifecycle.user_sign_up_with_passkey(
                request=request,
                form=form,
                new=new,
                name=describe_user_agent(request_user_agent(request))[
                    : services.NAME_MAX_LENGTH
                ],
            )
        except ceremonies.PasskeyRefused:
            return json_error(_("That passkey could not be added. Please try again."))
        except lifecycle.PasskeyTaken:
            return json_error(_("That passkey is registered already."))
        except IntegrityError:
            return json_error(User._meta.get_field("username").error_messages["unique"])
        if user is None or app_settings.EMAIL_VERIFICATION == "mandatory":
            return JsonResponse({"redirect": reverse("accounts:signup_done")})
        messages.success(request, _("Welcome! Your account is ready."))
        methods = flow.key_methods(
            synced=new.backup_eligible, user_verified=new.user_verified
        )
        outcome = flow.start_login(request, flow.Login(user=user, methods=methods))
        return outcome.apply(JsonResponse({"redirect": outcome.next_url}))


# Signing in without a username ---------------------------------------------


class LoginOptionsView(CeremonyView):
    rate_scope = "passkey_options"

    def answer(self, payload):
        return JsonResponse(
            ceremonies.authentication_options(
                self.request, ceremonies.LOGIN, require_uv=True
            )
        )


class LoginVerifyView(CeremonyView):
    """A passkey that verified the person is a whole sign-in: no second step."""

    def answer(self, payload):
        request = self.request
        credential = self.credential(payload)
        assertion = ceremonies.PasskeyAssertion(
            credential=credential,
            challenge=ceremonies.take_challenge(request, ceremonies.LOGIN),
            require_uv=True,
        )
        user = flow.authenticate_passkey(request, assertion)
        if user is None:
            return json_error(REFUSED)
        if app_settings.EMAIL_VERIFICATION == "mandatory" and not user.email_verified:
            return json_error(
                _(
                    "Please confirm your email address first: follow the link "
                    "we sent you."
                )
            )
        login = flow.Login(
            user=user,
            methods=flow.passkey_methods(assertion),
            remember=payload.get("remember_me") is True,
            redirect_url=safe_next(request, payload.get("next")),
        )
        outcome = flow.start_login(request, login)
        return outcome.apply(JsonResponse({"redirect": outcome.next_url}))


# The code step of a sign-in -------------------------------------------------


class TwoFactorMixin:
    """The pending sign-in held at the code step, or a refusal."""

    def refusal(self):
        request = self.request
        self.login = None
        if not request.user.is_authenticated:
            self.login = flow.pending_login(request, flow.TwoFactorStage.key)
        if self.login is None:
            return json_error(
                SIGN_IN_EXPIRED, status=400, redirect=reverse("accounts:login")
            )
        return None


class TwoFactorOptionsView(TwoFactorMixin, CeremonyView):
    rate_scope = "passkey_options"

    def answer(self, payload):
        return JsonResponse(
            ceremonies.authentication_options(
                self.request, ceremonies.TWO_FACTOR, self.login.user, require_uv=False
            )
        )


class TwoFactorVerifyView(TwoFactorMixin, CeremonyView):
    """A passkey of the pending user's account answers the code step.

    As a second factor the passkey proves possession; the person need not
    be verified again (the password was). A refused passkey counts as a
    wrong code for the pending sign-in and as a failed sign-in for the
    lockout, never against the authenticator app's own throttle.
    """

    def answer(self, payload):
        request = self.request
        login = self.login
        credential = self.credential(payload)
        assertion = ceremonies.PasskeyAssertion(
            credential=credential,
            challenge=ceremonies.take_challenge(
                request, ceremonies.TWO_FACTOR, login.user
            ),
            user=login.user,
            require_uv=False,
        )
        if not flow.take_stage_check(request):
            flow.abandon_login(request)
            return json_error(TOO_MANY, redirect=reverse("accounts:login"))
        user = flow.authenticate_passkey(
            request, assertion, step=flow.TwoFactorStage.key
        )
        if user is None:
            if not flow.count_stage_failure(request):
                return json_error(TOO_MANY, redirect=reverse("accounts:login"))
            return json_error(REFUSED)
        outcome = flow.resume_login(
            request, login, methods=flow.passkey_methods(assertion)
        )
        return outcome.apply(JsonResponse({"redirect": outcome.next_url}))


# Confirm it's you -----------------------------------------------------------


class ReauthenticationMixin:
    def refusal(self):
        if not self.request.user.is_authenticated:
            return json_error(
                SIGN_IN_EXPIRED, status=403, redirect=reverse("accounts:login")
            )
        return None


class ReauthenticationOptionsView(ReauthenticationMixin, CeremonyView):
    rate_scope = "passkey_options"

    def answer(self, payload):
        return JsonResponse(
            ceremonies.authentication_options(
                self.request,
                ceremonies.REAUTHENTICATE,
                self.request.user,
                require_uv=True,
            )
        )


class ReauthenticationVerifyView(ReauthenticationMixin, CeremonyView):
    """A user-verifying passkey stands for the password (and the code)."""

    def answer(self, payload):
        request = self.request
        user = request.user
        credential = self.credential(payload)
        assertion = ceremonies.PasskeyAssertion(
            credential=credential,
            challenge=ceremonies.take_challenge(
                request, ceremonies.REAUTHENTICATE, user
            ),
            user=user,
            require_uv=True,
        )
        if flow.authenticate_passkey(request, assertion, step="reauthenticate") is None:
            return json_error(REFUSED)
        flow.reauthenticate(request, methods=flow.passkey_methods(assertion))
        return JsonResponse({"redirect": safe_next(request, payload.get("next"))})


# Pages ----------------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class PasskeySignupView(FormView):
    """Create an account with a passkey (``PASSKEY_SIGNUP``); the browser
    creates it (``static/js/passkeys.js``)."""

    form_class = PasskeySignupForm
    template_name = "accounts/signup_passkey.html"

    def dispatch(self, request, *args, **kwargs):
        if not app_settings.PASSKEY_SIGNUP:
            raise Http404
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        form.add_error(
            None,
            _(
                "Signing up with a passkey needs JavaScript and a browser that "
                "supports passkeys."
            ),
        )
        return self.form_invalid(form)


class PasskeyListView(LoginRequiredMixin, TemplateView):
    """The user's passkeys: name, added, last used, synced; rename, remove."""

    template_name = "accounts/passkeys.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            passkeys=self.request.user.passkeys.all(), **kwargs
        )


@method_decorator(never_cache, name="dispatch")
class PasskeyAddView(RecentAuthenticationRequiredMixin, FormView):
    """Name a new passkey; the browser creates it (``static/js/passkeys.js``).

    Without JavaScript the form posts here, and the page says what is needed.
    """

    form_class = PasskeyNameForm
    template_name = "accounts/passkey_add.html"

    def get_initial(self):
        device = describe_user_agent(request_user_agent(self.request))
        return {"name": device[: services.NAME_MAX_LENGTH]}

    def form_valid(self, form):
        form.add_error(
            None,
            _(
                "Adding a passkey needs JavaScript and a browser that supports "
                "passkeys."
            ),
        )
        return self.form_invalid(form)


class OwnPasskeyMixin:
    """The signed-in user's passkey named in the URL; another's is a 404."""

    def get_passkey(self) -> Passkey:
        passkey = (
            Passkey.objects.select_related("user")
            .filter(pk=self.kwargs["pk"], user=self.request.user)
            .first()
        )
        if passkey is None:
            raise Http404
        return passkey


class PasskeyRenameView(LoginRequiredMixin, OwnPasskeyMixin, FormView):
    form_class = PasskeyNameForm
    template_name = "accounts/passkey_rename.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.passkey = self.get_passkey()
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"name": self.passkey.name}

    def get_context_data(self, **kwargs):
        return super().get_context_data(passkey=self.passkey, **kwargs)

    def form_valid(self, form):
        services.rename(self.passkey, name=form.cleaned_data["name"])
        messages.success(self.request, _("Passkey renamed."))
        return redirect("accounts:passkeys")


class PasskeyRemoveView(
    RecentAuthenticationRequiredMixin, OwnPasskeyMixin, TemplateView
):
    """Remove a passkey (GET asks to confirm, POST does it)."""

    template_name = "accounts/passkey_remove.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.passkey = self.get_passkey()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            passkey=self.passkey,
            refusal=services.removal_refusal(self.passkey),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        try:
            services.remove(self.passkey, request=request, by="user")
        except services.PasskeyNotRemovable as refused:
            messages.error(request, refused.message)
            return redirect("accounts:passkeys")
        messages.success(
            request, _("Passkey “%(name)s” removed.") % {"name": self.passkey.name}
        )
        return redirect("accounts:passkeys")
