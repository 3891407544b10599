from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import (
    DeleteView,
    FormView,
    ListView,
    TemplateView,
    UpdateView,
    View,
)

from . import devices, services, signals
from .forms import (
    AccountDeleteForm,
    LoginForm,
    PasswordResetForm,
    ProfileForm,
    ResendVerificationForm,
    SignupForm,
)
from .models import Session
from .ratelimit import RateLimited, RateLimitMixin, hit, too_many_requests
from .tokens import email_change_token, email_verification_token


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
        response = super().form_valid(form)
        self.request.session.set_expiry(form.get_session_expiry())
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
            # Taken by a concurrent sign-up between validation and saving.
            form.add_error(None, _("Please try again with another username."))
            return self.form_invalid(form)
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


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change the password; this session stays, all others end."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        signals.password_changed.send(
            sender=type(user), request=self.request, user=user
        )
        services.password_changed_notice(user)
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

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        if not user.email_verified:
            user.email_verified = True
            user.save(update_fields=["email_verified"])
        signals.password_reset_completed.send(
            sender=type(user), request=self.request, user=user
        )
        services.password_changed_notice(user)
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
        if form.email_changed:
            # Each change mails a stranger's inbox: limit per account and address.
            rate = settings.RATELIMIT_EMAIL_CHANGE
            try:
                hit("email_change", f"user:{self.request.user.pk}", rate)
                hit("email_change", f"email:{new_email.lower()}", rate)
            except RateLimited as exc:
                return too_many_requests(self.request, exc.retry_after)
        response = super().form_valid(form)
        if form.email_changed:
            if not form.email_taken:
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
class AccountDeleteView(LoginRequiredMixin, FormView):
    """Delete the account for good, after the password is confirmed."""

    form_class = AccountDeleteForm
    template_name = "accounts/account_delete.html"
    success_url = reverse_lazy("accounts:login")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

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
