"""Pages of an account's life: sign-up, confirmation, passwords, profile, deletion."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView, UpdateView

from ..conf import app_settings
from ..login import flow
from ..login.forms import DeleteWithoutPasswordForm, ReauthenticationForm
from ..login.reauthentication import (
    RecentAuthenticationRequiredMixin,
    recently_authenticated,
    redirect_to_reauthenticate,
)
from ..security.ip import client_address_key
from ..security.ratelimit import (
    RateLimited,
    RateLimitMixin,
    hit,
    mailbox,
    too_many_requests,
    unhit,
)
from . import services
from .forms import (
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    ResendVerificationForm,
    SetFirstPasswordForm,
    SetPasswordForm,
    SignupForm,
)
from .tokens import email_change_token, email_verification_token


class SignupView(RateLimitMixin, FormView):
    """Create an account; with mandatory verification, show "check your inbox"."""

    form_class = SignupForm
    template_name = "accounts/signup.html"
    ratelimit_scope = "signup"
    # A form sent back with a typo creates nothing and mails nothing.
    ratelimit_valid_only = True

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            passkey_signup=app_settings.PASSKEY_SIGNUP, **kwargs
        )

    def form_valid(self, form):
        self.limit_ip()
        self.limit_email(form.cleaned_data["email"])
        try:
            user = services.user_sign_up(request=self.request, form=form)
        except services.SignUpConflict as conflict:
            return self.form_invalid(conflict.form)
        if user is not None and app_settings.EMAIL_VERIFICATION != "mandatory":
            messages.success(self.request, _("Welcome! Your account is ready."))
            return flow.start_login(self.request, flow.Login(user=user)).redirect()
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
            if email_verification_token.confirmed_already(kwargs["token"]):
                return render(request, "accounts/email_confirmed_already.html")
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


# A message with this tag carries the "sign out everywhere else" button.
END_OTHER_SESSIONS_TAG = "end-other-sessions"


class PasswordChangeView(
    RecentAuthenticationRequiredMixin, RateLimitMixin, auth_views.PasswordChangeView
):
    """Change the password; this session stays, all others end."""

    form_class = PasswordChangeForm
    ratelimit_scope = "login"  # a password check, like a sign-in
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:dashboard")

    def get_form_class(self):
        if not self.request.user.has_usable_password():
            return SetFirstPasswordForm
        return super().get_form_class()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        cookies = services.password_change(request=self.request, form=form)
        # The message offers "sign out everywhere else" as well: that also
        # forgets the browsers trusted to skip the two-factor code.
        messages.success(
            self.request,
            _("Your password was changed. Your other sessions have been signed out."),
            extra_tags=END_OTHER_SESSIONS_TAG,
        )
        response = redirect(self.get_success_url())
        for cookie in cookies:
            response.set_cookie(**cookie)
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
    verified from then on. Invalid links opened from one address are rate
    limited (``RATELIMIT_PASSWORD_RESET_LINK``): each check is counted
    before it is made and taken back when the link was valid, so guessing
    tokens gets a 429 after a few tries, even all at once.
    """

    form_class = SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")
    ratelimit_scope = "password_reset_link"

    def dispatch(self, request, *args, **kwargs):
        rate = app_settings.RATELIMIT_PASSWORD_RESET_LINK
        key = f"ip:{client_address_key(request)}"
        try:
            hit(self.ratelimit_scope, key, rate)
        except RateLimited as exc:
            return too_many_requests(request, exc.retry_after)
        response = super().dispatch(request, *args, **kwargs)
        # A valid link redirects to its form, or shows it (validlink).
        if self.validlink or response.status_code == 302:
            unhit(self.ratelimit_scope, key, rate)
        return response

    def render_to_response(self, context, **response_kwargs):
        # A used, expired or forged link: its page says so, with a 400 like
        # the site's other refused links.
        if not context.get("validlink"):
            response_kwargs["status"] = 400
        return super().render_to_response(context, **response_kwargs)

    def form_valid(self, form):
        token = self.request.session.get(auth_views.INTERNAL_RESET_SESSION_TOKEN, "")
        try:
            services.password_reset_complete(
                request=self.request,
                form=form,
                token=token,
                token_generator=self.token_generator,
            )
        except services.ResetLinkUsed:
            # Another use of the same link came first.
            self.validlink = False
            return self.render_to_response(self.get_context_data(form=None))
        return redirect(self.get_success_url())


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
            # Names change freely and are saved; the address needs a recent
            # sign-in.
            form.save()
            messages.info(
                self.request,
                _("Confirm it's you, then enter the new email address again."),
            )
            return redirect_to_reauthenticate(self.request)
        if form.email_changed:
            # Each change mails a stranger's inbox: limit per account and address.
            rate = app_settings.RATELIMIT_EMAIL_CHANGE
            try:
                hit("email_change", f"user:{self.request.user.pk}", rate)
                hit("email_change", mailbox(new_email), rate)
            except RateLimited as exc:
                return too_many_requests(self.request, exc.retry_after)
        services.profile_update(form=form)
        if form.email_changed:
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
        return redirect(self.get_success_url())


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

    def dispatch(self, request, *args, **kwargs):
        # An account without a password confirms it's them with a passkey
        # (recently) instead of typing one here.
        if (
            request.user.is_authenticated
            and not request.user.has_usable_password()
            and not recently_authenticated(request)
        ):
            return redirect_to_reauthenticate(request)
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        if not self.request.user.has_usable_password():
            return DeleteWithoutPasswordForm
        return super().get_form_class()

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
