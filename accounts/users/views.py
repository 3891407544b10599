"""The account overview, the time zone the browser proposes, and the
download of the account's data."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.views import View
from django.views.generic import TemplateView

from ..conf import app_settings
from ..login.reauthentication import RecentAuthenticationRequiredMixin
from . import export, services
from .checkup import Report
from .validators import validate_time_zone


class DashboardView(LoginRequiredMixin, TemplateView):
    """The signed-in user's home: who they are, and the security checkup."""

    template_name = "accounts/dashboard.html"

    def get_context_data(self, **kwargs):
        # Read from the user row already loaded: no extra query.
        unverified = app_settings.EMAIL_VERIFICATION != "none" and not (
            self.request.user.email_verified
        )
        return super().get_context_data(
            email_unverified=unverified, checkup=Report(self.request.user), **kwargs
        )


class DataExportView(RecentAuthenticationRequiredMixin, TemplateView):
    """Download my data: a page that says what is in it, and a POST download.

    Only after the user proved it is them again (a browser left signed in
    must not hand the account's history to whoever sits at it); the owner
    is told by email each time.
    """

    template_name = "accounts/data_export.html"
    http_method_names = ["get", "post"]

    def post(self, request, *args, **kwargs):
        data = export.account_data(request)
        services.data_exported(request=request)
        response = JsonResponse(data, json_dumps_params={"indent": 2})
        filename = f"authsite-{request.user.username}-{timezone.now():%Y%m%d}.json"
        response["Content-Disposition"] = content_disposition_header(True, filename)
        add_never_cache_headers(response)
        return response


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
