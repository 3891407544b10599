"""The user's own audit trail: "was that me?"."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import ListView


class ActivityView(LoginRequiredMixin, ListView):
    """The signed-in user's recent account events ("was that me?")."""

    template_name = "accounts/activity.html"
    context_object_name = "events"
    limit = 20

    def get_queryset(self):
        return self.request.user.auth_events.all()[: self.limit]
