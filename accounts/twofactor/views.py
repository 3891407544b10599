"""Two-factor pages: status, setting up an app, recovery codes, turning it off."""

from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from ..login.reauthentication import RecentAuthenticationRequiredMixin
from . import services
from .forms import TwoFactorSetupForm
from .models import RecoveryCodeDevice


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


class TwoFactorSetupView(RecentAuthenticationRequiredMixin, FormView):
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
        codes = services.enable(
            self.request.user, device=form.device, request=self.request
        )
        if codes is None:
            return redirect("accounts:two_factor")
        del self.request.session[self.KEY_SESSION_KEY]
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
        codes = services.regenerate_recovery_codes(request.user, request=request)
        if codes is None:
            return redirect("accounts:two_factor")
        return render_recovery_codes(request, codes)


class TwoFactorDisableView(RecentAuthenticationRequiredMixin, TemplateView):
    """Turn two-factor sign-in off (GET asks to confirm, POST does it)."""

    template_name = "accounts/two_factor_disable.html"

    def post(self, request, *args, **kwargs):
        services.disable(request.user, request=request, by="user")
        messages.success(request, _("Two-factor authentication is off."))
        return redirect("accounts:two_factor")
