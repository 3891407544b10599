from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import RedirectURLMixin
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from . import signals, twofactor
from .forms import (
    LoginForm,
    ReauthenticationForm,
    TwoFactorCodeForm,
    TwoFactorSetupForm,
)
from .mixins import RecentAuthenticationRequiredMixin, mark_authenticated
from .models import RecoveryCodeDevice


def home(request):
    """Send visitors to their dashboard, or to the login page."""
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    return redirect("accounts:login")


class LoginView(auth_views.LoginView):
    """Sign in with a username or email address and a password."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if user.has_two_factor() and not twofactor.is_trusted_browser(
            self.request, user
        ):
            twofactor.begin_pending_login(
                self.request, user, next=self.get_success_url()
            )
            return redirect("accounts:login_code")
        return super().form_valid(form)


class LogoutView(auth_views.LogoutView):
    """End the session (POST only, as Django's) and say so on the login page."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You have been signed out."))
        return response


class DashboardView(LoginRequiredMixin, TemplateView):
    """The signed-in user's home: who they are and when they last signed in."""

    template_name = "accounts/dashboard.html"


class TwoFactorLoginView(FormView):
    """Second sign-in step: ask for a code before Django's ``login()`` runs."""

    form_class = TwoFactorCodeForm
    template_name = "registration/login_code.html"

    @method_decorator([sensitive_post_parameters(), csrf_protect, never_cache])
    def dispatch(self, request, *args, **kwargs):
        self.pending = twofactor.pending_login(request)
        self.user = self.pending and twofactor.pending_user(self.pending)
        if not self.user:
            messages.error(request, _("Your sign-in expired. Please sign in again."))
            return redirect("accounts:login")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.user}

    def form_invalid(self, form):
        user_login_failed.send(
            sender=__name__,
            credentials={"username": self.user.get_username(), "step": "two_factor"},
            request=self.request,
        )
        if not twofactor.record_failure(self.request, self.pending):
            messages.error(
                self.request, _("Too many wrong codes. Please sign in again.")
            )
            return redirect("accounts:login")
        return super().form_invalid(form)

    def form_valid(self, form):
        next_url = self.pending["next"]
        twofactor.end_pending_login(self.request)
        auth_login(self.request, self.user, backend=self.pending["backend"])
        if isinstance(form.device, RecoveryCodeDevice):
            signals.recovery_code_used.send(
                sender=type(self.user), request=self.request, user=self.user
            )
        if not url_has_allowed_host_and_scheme(
            next_url, {self.request.get_host()}, self.request.is_secure()
        ):
            next_url = resolve_url(settings.LOGIN_REDIRECT_URL)
        response = HttpResponseRedirect(next_url)
        if form.cleaned_data.get("trust_browser"):
            twofactor.trust_browser(response, self.user)
        return response


class ReauthenticateView(LoginRequiredMixin, RedirectURLMixin, FormView):
    """Confirm the password (and a code, with 2FA) before a dangerous change."""

    form_class = ReauthenticationForm
    template_name = "registration/reauthenticate.html"
    next_page = "accounts:dashboard"

    @method_decorator([sensitive_post_parameters(), never_cache])
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=self.get_redirect_url(), **kwargs)

    def form_invalid(self, form):
        user_login_failed.send(
            sender=__name__,
            credentials={"username": self.request.user.get_username()},
            request=self.request,
        )
        return super().form_invalid(form)

    def form_valid(self, form):
        mark_authenticated(self.request)
        return HttpResponseRedirect(self.get_success_url())


class TwoFactorView(LoginRequiredMixin, TemplateView):
    """Two-factor status, with the ways to turn it on or off."""

    template_name = "accounts/two_factor.html"

    def get_context_data(self, **kwargs):
        recovery = RecoveryCodeDevice.objects.devices_for_user(
            self.request.user, confirmed=True
        ).first()
        return super().get_context_data(
            enabled=self.request.user.has_two_factor(),
            recovery_codes_left=recovery.remaining() if recovery else 0,
            **kwargs,
        )


class TwoFactorSetupView(LoginRequiredMixin, FormView):
    """Show a new secret as a QR code; switch 2FA on once a code confirms it."""

    form_class = TwoFactorSetupForm
    template_name = "accounts/two_factor_setup.html"
    KEY_SESSION_KEY = "accounts.two_factor_setup_key"

    @method_decorator(never_cache)
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_two_factor():
            return redirect("accounts:two_factor")
        return super().dispatch(request, *args, **kwargs)

    def get_key(self) -> str:
        # The candidate secret stays in the session, not the database, until
        # a code proves the app has it.
        session = self.request.session
        if self.KEY_SESSION_KEY not in session:
            session[self.KEY_SESSION_KEY] = random_hex(20)
        return session[self.KEY_SESSION_KEY]

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "key": self.get_key(),
        }

    def get_context_data(self, **kwargs):
        device = TOTPDevice(user=self.request.user, key=self.get_key())
        secret = b32encode(device.bin_key).decode()
        return super().get_context_data(
            qr_svg=mark_safe(  # noqa: S308  (segno's own markup, no user input)
                segno.make(device.config_url, error="m").svg_inline(
                    scale=5, omitsize=True, title=gettext("QR code for your app")
                )
            ),
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            **kwargs,
        )

    def form_valid(self, form):
        user = self.request.user
        with transaction.atomic():
            form.device.confirmed = True
            form.device.save()
            codes = RecoveryCodeDevice.objects.create(
                user=user, name=gettext("Recovery codes")
            ).regenerate()
        del self.request.session[self.KEY_SESSION_KEY]
        signals.two_factor_enabled.send(
            sender=type(user), request=self.request, user=user
        )
        messages.success(self.request, _("Two-factor authentication is on."))
        return render_recovery_codes(self.request, codes)


def render_recovery_codes(request, codes):
    """Show freshly made recovery codes: the only time they exist in clear."""
    response = render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "codes_text": "\n".join(codes) + "\n"},
    )
    response["Cache-Control"] = "no-store"
    return response


class RecoveryCodesView(RecentAuthenticationRequiredMixin, TemplateView):
    """Replace the recovery codes (GET asks to confirm, POST does it)."""

    template_name = "accounts/recovery_codes_confirm.html"

    def post(self, request, *args, **kwargs):
        device = RecoveryCodeDevice.objects.devices_for_user(
            request.user, confirmed=True
        ).first()
        if device is None:
            return redirect("accounts:two_factor")
        codes = device.regenerate()
        signals.recovery_codes_regenerated.send(
            sender=type(request.user), request=request, user=request.user
        )
        return render_recovery_codes(request, codes)


class TwoFactorDisableView(RecentAuthenticationRequiredMixin, TemplateView):
    """Turn two-factor sign-in off (GET asks to confirm, POST does it)."""

    template_name = "accounts/two_factor_disable.html"

    def post(self, request, *args, **kwargs):
        twofactor.disable(request.user, request=request, by="user")
        messages.success(request, _("Two-factor authentication is off."))
        return redirect("accounts:two_factor")
