"""The user's own audit trail: "was that me?"."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import ListView

from .models import AuthEvent

# Failures that arrive in runs (someone guessing, or one person mistyping):
# a run of the same kind from the same address is one row with a count.
REPEATING_TYPES = {
    AuthEvent.Type.LOGIN_FAILED,
    AuthEvent.Type.TWO_FACTOR_FAILED,
}


def group_repeats(events, limit: int) -> list:
    """``events`` (newest first) with runs of repeated failures folded.

    Each run becomes its newest event, with ``repeats`` (how many) and
    ``first_at`` (when the run began); at most ``limit`` rows.
    """
    rows = []
    for event in events:
        last = rows[-1] if rows else None
        if (
            last is not None
            and event.event_type in REPEATING_TYPES
            and event.event_type == last.event_type
            and event.ip_address == last.ip_address
        ):
            last.repeats += 1
            last.first_at = event.created_at
            continue
        if len(rows) == limit:
            break
        event.repeats = 1
        event.first_at = event.created_at
        rows.append(event)
    return rows


class ActivityView(LoginRequiredMixin, ListView):
    """The signed-in user's recent account events ("was that me?").

    Repeated failed sign-ins and wrong codes from one address are one row
    with a count, so a guessing run cannot push the user's real events off
    the page; a lock is one event that counts the attempts it refused.
    """

    template_name = "accounts/activity.html"
    context_object_name = "events"
    limit = 20
    # Events read to fill ``limit`` rows, in one query.
    scan = 500

    def get_queryset(self):
        return group_repeats(
            self.request.user.auth_events.all()[: self.scan], self.limit
        )
