"""The sign-in pages: password, code step, sign-out and "confirm it's you"."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import RedirectURLMixin
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView

from .. import signals
from ..security.ratelimit import RateLimitMixin
from ..twofactor.forms import TwoFactorCodeForm
from ..twofactor.models import RecoveryCodeDevice
from . import flow
from .forms import LoginForm, ReauthenticationForm


def home(request):
    """Send visitors to their dashboard, or to the login page."""
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    return redirect("accounts:login")


def recovery_code_spent(request, user, device, message) -> None:
    """Record that ``user`` spent one of ``device``'s recovery codes, and say
    how many are left: ``message(left)`` is the text, with ``%(count)d``."""
    signals.recovery_code_used.send(sender=user.__class__, request=request, user=user)
    left = device.remaining()
    messages.warning(request, message(left) % {"count": left})


class LoginView(RateLimitMixin, auth_views.LoginView):
    """Sign in with a username or email address and a password."""

    form_class = LoginForm
    redirect_authenticated_user = True
    ratelimit_scope = "login"

    def form_valid(self, form):
        login = flow.Login(
            user=form.get_user(),
            remember=form.cleaned_data.get("remember_me", False),
            redirect_url=self.get_success_url(),
        )
        return flow.start_login(self.request, login).redirect()


class LogoutView(auth_views.LogoutView):
    """End the session (POST only, as Django's) and say so on the login page."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You have been signed out."))
        return response


class TwoFactorLoginView(FormView):
    """The second-factor stage of a sign-in: a code before the login completes."""

    form_class = TwoFactorCodeForm
    template_name = "registration/login_code.html"
    stage = flow.TwoFactorStage.key

    @method_decorator([sensitive_post_parameters(), csrf_protect, never_cache])
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        self.login = flow.pending_login(request, self.stage)
        if self.login is None:
            messages.error(request, _("Your sign-in expired. Please sign in again."))
            return redirect("accounts:login")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.login.user,
            "before_check": lambda: flow.take_stage_check(self.request),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            has_passkey=self.login.user.has_passkey(), **kwargs
        )

    def form_invalid(self, form):
        if form.has_error("code", "too_many"):
            return self.give_up()  # no code was checked: none was left
        if not form.has_error("code", "invalid_code"):
            return super().form_invalid(form)  # no code was checked
        flow.stage_failed(self.request, self.login.user, stage=self.stage)
        if not flow.count_stage_failure(self.request):
            return self.give_up()
        return super().form_invalid(form)

    def give_up(self):
        flow.abandon_login(self.request)
        messages.error(self.request, _("Too many wrong codes. Please sign in again."))
        return redirect("accounts:login")

    def form_valid(self, form):
        user = self.login.user
        self.login.trust_browser = form.cleaned_data.get("trust_browser", False)
        outcome = flow.resume_login(self.request, self.login, method=flow.BY_OTP)
        if isinstance(form.device, RecoveryCodeDevice):
            recovery_code_spent(
                self.request,
                user,
                form.device,
                lambda left: ngettext(
                    "You signed in with a recovery code. %(count)d code is left: "
                    "make new ones on the two-factor page before you run out.",
                    "You signed in with a recovery code. %(count)d codes are left: "
                    "make new ones on the two-factor page before you run out.",
                    left,
                ),
            )
        return outcome.redirect()


class ReauthenticateView(
    LoginRequiredMixin, RateLimitMixin, RedirectURLMixin, FormView
):
    """Confirm the password (and a code, with 2FA) before a dangerous change."""

    form_class = ReauthenticationForm
    ratelimit_scope = "login"  # a password check, like a sign-in
    template_name = "registration/reauthenticate.html"
    next_page = "accounts:dashboard"

    @method_decorator([sensitive_post_parameters(), never_cache])
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "request": self.request,
        }

    def get_context_data(self, **kwargs):
        next_url = self.get_redirect_url()
        # An app asked for a fresh or stronger sign-in (OpenID Connect).
        for_app = next_url.startswith(reverse("oauth2_provider:authorize"))
        return super().get_context_data(
            next=next_url,
            for_app=for_app,
            has_passkey=self.request.user.has_passkey(),
            **kwargs,
        )

    def form_valid(self, form):
        flow.reauthenticate(self.request, methods=form.methods)
        if isinstance(form.device, RecoveryCodeDevice):
            recovery_code_spent(
                self.request,
                self.request.user,
                form.device,
                lambda left: ngettext(
                    "You used a recovery code. %(count)d code is left: make "
                    "new ones on the two-factor page before you run out.",
                    "You used a recovery code. %(count)d codes are left: make "
                    "new ones on the two-factor page before you run out.",
                    left,
                ),
            )
        return HttpResponseRedirect(self.get_success_url())
