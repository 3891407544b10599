from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import RedirectURLMixin
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import (
    DeleteView,
    FormView,
    ListView,
    TemplateView,
    UpdateView,
    View,
)
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from . import devices, services, signals, twofactor
from .forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    ReauthenticationForm,
    ResendVerificationForm,
    SignupForm,
    TwoFactorCodeForm,
    TwoFactorSetupForm,
)
from .mixins import (
    RecentAuthenticationRequiredMixin,
    mark_authenticated,
    recently_authenticated,
    redirect_to_reauthenticate,
)
from .models import RecoveryCodeDevice, Session
from .ratelimit import RateLimited, RateLimitMixin, hit, mailbox, too_many_requests
from .tokens import email_change_token, email_verification_token


def home(request):
    """Send visitors to their dashboard, or to the login page."""
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    return redirect("accounts:login")


class LoginView(RateLimitMixin, auth_views.LoginView):
    """Sign in with a username or email address and a password."""

    form_class = LoginForm
    redirect_authenticated_user = True
    ratelimit_scope = "login"

    def form_valid(self, form):
        user = form.get_user()
        expiry = form.get_session_expiry()
        if user.has_two_factor() and not twofactor.is_trusted_browser(
            self.request, user
        ):
            twofactor.begin_pending_login(
                self.request, user, next=self.get_success_url(), expiry=expiry
            )
            return redirect("accounts:login_code")
        response = super().form_valid(form)
        self.request.session.set_expiry(expiry)
        return response


class LogoutView(auth_views.LogoutView):
    """End the session (POST only, as Django's) and say so on the login page."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You have been signed out."))
        return response


class DashboardView(LoginRequiredMixin, TemplateView):
    """The signed-in user's home: who they are and when they last signed in."""

    template_name = "accounts/dashboard.html"

    def get_context_data(self, **kwargs):
        # Read from the user row already loaded: no extra query.
        unverified = settings.ACCOUNT_EMAIL_VERIFICATION != "none" and not (
            self.request.user.email_verified
        )
        return super().get_context_data(email_unverified=unverified, **kwargs)


class SignupView(RateLimitMixin, FormView):
    """Create an account; with mandatory verification, show "check your inbox"."""

    form_class = SignupForm
    template_name = "accounts/signup.html"
    ratelimit_scope = "signup"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        self.limit_email(form.cleaned_data["email"])
        try:
            user = services.user_sign_up(request=self.request, form=form)
        except IntegrityError:
            # A concurrent sign-up took the username or the address since
            # validation: validate again, now seeing it, and answer as if it
            # had come first.
            form = self.get_form()
            if not form.is_valid():
                return self.form_invalid(form)
            if not form.email_taken:  # a conflict neither check can name
                form.add_error(None, _("Please try again with another username."))
                return self.form_invalid(form)
            user = services.user_sign_up(request=self.request, form=form)
        if user is not None and settings.ACCOUNT_EMAIL_VERIFICATION != "mandatory":
            auth_login(
                self.request, user, backend="accounts.backends.UsernameOrEmailBackend"
            )
            messages.success(self.request, _("Welcome! Your account is ready."))
            return redirect(settings.LOGIN_REDIRECT_URL)
        return redirect("accounts:signup_done")


class SignupDoneView(TemplateView):
    """The same "check your inbox" page for every completed sign-up form."""

    template_name = "accounts/signup_done.html"


class LinkInvalidMixin:
    """Show one clear page, with a 400, for expired, tampered and used links."""

    invalid_template_name = "accounts/link_invalid.html"

    def link_invalid(self):
        return render(self.request, self.invalid_template_name, status=400)


@method_decorator(never_cache, name="dispatch")
class VerifyEmailView(LinkInvalidMixin, TemplateView):
    """GET shows a confirm button (mail scanners follow links), POST verifies."""

    template_name = "accounts/verify_email.html"

    def dispatch(self, request, *args, **kwargs):
        self.user, _email = email_verification_token.check_token(kwargs["token"])
        if self.user is None:
            return self.link_invalid()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(email=self.user.email, **kwargs)

    def post(self, request, *args, **kwargs):
        services.email_verify(request=request, user=self.user)
        messages.success(request, _("Thank you: your email address is confirmed."))
        if request.user.is_authenticated:
            return redirect("accounts:dashboard")
        return redirect("accounts:login")


class ResendVerificationView(RateLimitMixin, FormView):
    """Send a fresh verification link; the answer never tells if one was sent."""

    form_class = ResendVerificationForm
    template_name = "accounts/resend_verification.html"
    ratelimit_scope = "resend_verification"

    def get_initial(self):
        if self.request.user.is_authenticated:
            return {"email": self.request.user.email}
        return {}

    def form_valid(self, form):
        self.limit_email(form.cleaned_data["email"])
        user = form.get_user()
        if user is not None:
            services.send_verification_email(user)
        else:
            services.send_nothing_to_confirm_email(form.cleaned_data["email"])
        messages.info(
            self.request,
            _(
                "If an account with an unconfirmed address uses that email, we "
                "have sent it a new confirmation link."
            ),
        )
        if self.request.user.is_authenticated:
            return redirect("accounts:dashboard")
        return redirect("accounts:resend_verification")


class PasswordChangeView(
    RecentAuthenticationRequiredMixin, RateLimitMixin, auth_views.PasswordChangeView
):
    """Change the password; this session stays, all others end."""

    form_class = PasswordChangeForm
    ratelimit_scope = "login"  # a password check, like a sign-in
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:dashboard")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        signals.password_changed.send(
            sender=user.__class__, request=self.request, user=user
        )
        services.security_notice(user, "password_changed")
        messages.success(
            self.request,
            _("Your password was changed. Your other sessions have been signed out."),
        )
        return response


class PasswordResetView(RateLimitMixin, auth_views.PasswordResetView):
    """Ask for a reset link; known and unknown addresses get the same answer."""

    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")
    ratelimit_scope = "password_reset"

    def form_valid(self, form):
        self.limit_email(form.cleaned_data["email"])
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password from a reset link; every existing session ends.

    Following the emailed link also proves the address, so it counts as
    verified from then on.
    """

    success_url = reverse_lazy("accounts:password_reset_complete")

    def render_to_response(self, context, **response_kwargs):
        # A used, expired or forged link: its page says so, with a 400 like
        # the site's other refused links.
        if not context.get("validlink"):
            response_kwargs["status"] = 400
        return super().render_to_response(context, **response_kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        if not user.email_verified:
            user.email_verified = True
            user.save(update_fields=["email_verified"])
        signals.password_reset_completed.send(
            sender=user.__class__, request=self.request, user=user
        )
        # Every session of the account has just ended, this browser's too if
        # it was signed in: start it afresh rather than save a deleted row.
        self.request.session.flush()
        services.security_notice(user, "password_changed")
        return response


class ProfileView(LoginRequiredMixin, UpdateView):
    """Edit names; a new email address waits for confirmation from that inbox."""

    form_class = ProfileForm
    template_name = "accounts/profile.html"
    success_url = reverse_lazy("accounts:profile")

    def get_object(self, queryset=None):
        return self.request.user

    def form_valid(self, form):
        new_email = form.cleaned_data["email"]
        if form.email_changed and not recently_authenticated(self.request):
            # Names can change freely; the address needs a recent sign-in.
            messages.info(
                self.request,
                _("Confirm it's you, then enter the new email address again."),
            )
            return redirect_to_reauthenticate(self.request)
        if form.email_changed:
            # Each change mails a stranger's inbox: limit per account and address.
            rate = settings.RATELIMIT_EMAIL_CHANGE
            try:
                hit("email_change", f"user:{self.request.user.pk}", rate)
                hit("email_change", mailbox(new_email), rate)
            except RateLimited as exc:
                return too_many_requests(self.request, exc.retry_after)
        response = super().form_valid(form)
        if form.email_changed:
            if form.email_taken:
                services.send_address_in_use_email(form.owner.email)
            else:
                services.email_change_request(user=self.object, new_email=new_email)
            messages.info(
                self.request,
                _(
                    "We sent a confirmation link to %(email)s. Your address "
                    "changes once you follow it."
                )
                % {"email": new_email},
            )
        else:
            messages.success(self.request, _("Your profile was saved."))
        return response


@method_decorator(never_cache, name="dispatch")
class EmailChangeConfirmView(LoginRequiredMixin, LinkInvalidMixin, TemplateView):
    """Switch to the new address from the link sent to it (signed-in owner only)."""

    template_name = "accounts/email_change_confirm.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        user, self.new_email = email_change_token.check_token(kwargs["token"])
        if user is None or user.pk != request.user.pk:
            return self.link_invalid()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(new_email=self.new_email, **kwargs)

    def post(self, request, *args, **kwargs):
        if not services.email_change_confirm(
            request=request, user=request.user, new_email=self.new_email
        ):
            return self.link_invalid()
        messages.success(
            request,
            _("Your email address is now %(email)s.") % {"email": self.new_email},
        )
        return redirect("accounts:profile")


@method_decorator(sensitive_post_parameters(), name="dispatch")
class AccountDeleteView(LoginRequiredMixin, RateLimitMixin, FormView):
    """Delete the account for good, after the password (and code) is confirmed."""

    form_class = ReauthenticationForm
    ratelimit_scope = "login"  # a password check, like a sign-in
    template_name = "accounts/account_delete.html"
    success_url = reverse_lazy("accounts:login")

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "request": self.request,
        }

    def form_valid(self, form):
        user = self.request.user
        logout(self.request)
        services.user_delete(request=self.request, user=user)
        messages.success(self.request, _("Your account has been deleted."))
        return super().form_valid(form)


class ActivityView(LoginRequiredMixin, ListView):
    """The signed-in user's recent account events ("was that me?")."""

    template_name = "accounts/activity.html"
    context_object_name = "events"
    limit = 20

    def get_queryset(self):
        return self.request.user.auth_events.all()[: self.limit]


@method_decorator(never_cache, name="dispatch")
class EndSessionView(TemplateView):
    """The new-device email's "this wasn't me" link: end that sign-in.

    GET only asks for confirmation, because mail scanners fetch links; the
    POST deletes the session (whatever the session engine) and sends the
    user on to a password reset.
    """

    template_name = "accounts/end_session.html"

    def dispatch(self, request, *args, **kwargs):
        self.target = devices.read_end_session_token(kwargs["token"])
        if self.target is None:
            return self.render_to_response({"invalid_link": True}, status=400)
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        user_pk, public_id = self.target
        sessions = Session.objects.filter(user_id=user_pk, public_id=public_id)
        ending_this_browser = sessions.filter(
            session_key=request.session.session_key
        ).exists()
        sessions.end(by="user", request=request)
        if ending_this_browser:
            # Don't let this very response save the ended session back.
            request.session.flush()
        messages.success(
            request,
            _(
                "That sign-in has been ended. Please reset your password now, "
                "so that whoever used it cannot sign in again."
            ),
        )
        return redirect("accounts:password_reset")


class SessionListView(LoginRequiredMixin, ListView):
    """Where the user is signed in: this device first, then the most recent."""

    template_name = "accounts/sessions.html"
    context_object_name = "sessions"

    def get_queryset(self):
        sessions = Session.objects.live().filter(user=self.request.user)
        current = self.request.session.session_key
        return sorted(
            sessions.order_by("-last_activity"),
            key=lambda session: session.session_key != current,
        )


class SessionEndView(LoginRequiredMixin, DeleteView):
    """End one of the user's sessions; ending this one signs out here.

    Sessions are found by their public ID among the user's own live ones, so
    anyone else's ID is a 404.
    """

    http_method_names = ["post"]
    slug_field = "public_id"
    slug_url_kwarg = "public_id"
    success_url = reverse_lazy("accounts:sessions")

    def get_queryset(self):
        return Session.objects.live().filter(user=self.request.user)

    def form_valid(self, form):
        if self.object.session_key == self.request.session.session_key:
            logout(self.request)
            messages.success(self.request, _("You have been signed out."))
            return redirect("accounts:login")
        Session.objects.filter(pk=self.object.pk).end(by="user", request=self.request)
        messages.success(
            self.request,
            _("The session on %(device)s has been ended.")
            % {"device": self.object.device},
        )
        return redirect(self.success_url)


class SessionEndOthersView(LoginRequiredMixin, View):
    """Sign out everywhere except here."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        ended = (
            Session.objects.filter(user=request.user)
            .exclude(session_key=request.session.session_key)
            .end(by="user", request=request)
        )
        messages.success(
            request,
            _("All your other sessions have been ended.")
            if ended
            else _("You have no other sessions."),
        )
        return redirect("accounts:sessions")


class TwoFactorLoginView(FormView):
    """Second sign-in step: ask for a code before Django's ``login()`` runs."""

    form_class = TwoFactorCodeForm
    template_name = "registration/login_code.html"

    @method_decorator([sensitive_post_parameters(), csrf_protect, never_cache])
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        self.pending = twofactor.pending_login(request)
        self.user = self.pending and twofactor.pending_user(self.pending)
        if not self.user:
            messages.error(request, _("Your sign-in expired. Please sign in again."))
            return redirect("accounts:login")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.user}

    def form_invalid(self, form):
        if form.has_error("code", "throttled"):
            return super().form_invalid(form)  # no code was checked
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
        self.request.session.set_expiry(self.pending["expiry"])
        if isinstance(form.device, RecoveryCodeDevice):
            signals.recovery_code_used.send(
                sender=self.user.__class__, request=self.request, user=self.user
            )
        if not url_has_allowed_host_and_scheme(
            next_url, {self.request.get_host()}, self.request.is_secure()
        ):
            next_url = resolve_url(settings.LOGIN_REDIRECT_URL)
        response = HttpResponseRedirect(next_url)
        if form.cleaned_data.get("trust_browser"):
            twofactor.trust_browser(response, self.user)
        return response


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
        return super().get_context_data(next=self.get_redirect_url(), **kwargs)

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
        user = self.request.user
        with transaction.atomic():
            # Lock the user row: of two set-ups submitted at once, the second
            # finds the first one's device and adds nothing.
            user.__class__.objects.select_for_update().filter(pk=user.pk).exists()
            if user.has_two_factor():
                return redirect("accounts:two_factor")
            form.device.confirmed = True
            form.device.save()
            codes = RecoveryCodeDevice.objects.create(
                user=user, name=gettext("Recovery codes")
            ).regenerate()
        del self.request.session[self.KEY_SESSION_KEY]
        signals.two_factor_enabled.send(
            sender=user.__class__, request=self.request, user=user
        )
        services.security_notice(user, "two_factor_enabled")
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
            sender=request.user.__class__, request=request, user=request.user
        )
        return render_recovery_codes(request, codes)


class TwoFactorDisableView(RecentAuthenticationRequiredMixin, TemplateView):
    """Turn two-factor sign-in off (GET asks to confirm, POST does it)."""

    template_name = "accounts/two_factor_disable.html"

    def post(self, request, *args, **kwargs):
        twofactor.disable(request.user, request=request, by="user")
        messages.success(request, _("Two-factor authentication is off."))
        return redirect("accounts:two_factor")
