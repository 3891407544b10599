"""Where the user is signed in, and ending those sessions."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.generic import DeleteView, ListView, TemplateView, View

from ..login import known_browsers
from ..oidc import services as oidc_services
from ..twofactor import trusted_browsers
from .models import Session


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
    """Sign out everywhere except here, apps signed in with the account too;
    no browser stays trusted to skip the code."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        ended = (
            Session.objects.filter(user=request.user)
            .exclude(session_key=request.session.session_key)
            .end(by="user", request=request)
        )
        trusted_browsers.forget_all(request.user)
        oidc_services.revoke_app_access(
            request.user, by="system", reason="signed_out_everywhere", request=request
        )
        messages.success(
            request,
            _("All your other sessions have been ended.")
            if ended
            else _("You have no other sessions."),
        )
        return redirect("accounts:sessions")


@method_decorator(never_cache, name="dispatch")
class EndSessionView(TemplateView):
    """The new-device email's "this wasn't me" link: end that sign-in.

    GET only asks for confirmation, because mail scanners fetch links; the
    POST deletes the session (whatever the session engine) and sends the
    user on to a password reset. A link whose session has already ended
    says so, and offers the reset all the same.
    """

    template_name = "accounts/end_session.html"

    def dispatch(self, request, *args, **kwargs):
        self.target = known_browsers.read_end_session_token(kwargs["token"])
        if self.target is None:
            return self.render_to_response({"invalid_link": True}, status=400)
        user_pk, public_id = self.target
        self.sessions = Session.objects.filter(user_id=user_pk, public_id=public_id)
        if not self.sessions.exists():
            return self.render_to_response({"ended_already": True})
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        sessions = self.sessions
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
