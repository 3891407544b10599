"""The account overview, and the time zone the browser proposes."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.views import View
from django.views.generic import TemplateView

from ..conf import app_settings
from ..lifecycle import services
from .validators import validate_time_zone


class DashboardView(LoginRequiredMixin, TemplateView):
    """The signed-in user's home: who they are and when they last signed in."""

    template_name = "accounts/dashboard.html"

    def get_context_data(self, **kwargs):
        # Read from the user row already loaded: no extra query.
        unverified = app_settings.EMAIL_VERIFICATION != "none" and not (
            self.request.user.email_verified
        )
        return super().get_context_data(email_unverified=unverified, **kwargs)


class TimeZoneProposeView(View):
    """The browser's time zone (``static/js/time-zone.js``), for a user with none.

    POST only, signed in, CSRF-checked; "time_zone" must be an IANA name.
    A zone the user has already is kept: 204 either way.
    """

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            raise PermissionDenied
        name = request.POST.get("time_zone", "")
        try:
            if not name:
                raise ValidationError("empty")
            validate_time_zone(name)
        except ValidationError:
            return HttpResponseBadRequest(
                "Unknown time zone.", content_type="text/plain"
            )
        services.time_zone_propose(user=request.user, time_zone=name)
        return HttpResponse(status=204)
