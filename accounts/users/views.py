"""The account overview."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from ..conf import app_settings


class DashboardView(LoginRequiredMixin, TemplateView):
    """The signed-in user's home: who they are and when they last signed in."""

    template_name = "accounts/dashboard.html"

    def get_context_data(self, **kwargs):
        # Read from the user row already loaded: no extra query.
        unverified = app_settings.EMAIL_VERIFICATION != "none" and not (
            self.request.user.email_verified
        )
        return super().get_context_data(email_unverified=unverified, **kwargs)
