from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils import timezone

from ..conf import app_settings

AUTHENTICATED_AT_SESSION_KEY = "accounts.authenticated_at"


def mark_authenticated(request) -> None:
    """Record that the user just proved who they are (login or reauthentication)."""
    request.session[AUTHENTICATED_AT_SESSION_KEY] = timezone.now().timestamp()


def recently_authenticated(request) -> bool:
    at = request.session.get(AUTHENTICATED_AT_SESSION_KEY, 0)
    return timezone.now().timestamp() - at <= app_settings.REAUTHENTICATION_TIMEOUT


def redirect_to_reauthenticate(request):
    """Send the user to confirm it's them, then back to this page."""
    return redirect_to_login(
        request.get_full_path(), reverse("accounts:reauthenticate")
    )


class RecentAuthenticationRequiredMixin(LoginRequiredMixin):
    """Send a user whose last authentication is stale to reauthenticate first.

    Guards dangerous changes (turning 2FA off, new recovery codes, password,
    email, deleting the account) against someone using a browser that was
    left signed in.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not recently_authenticated(request):
            return redirect_to_reauthenticate(request)
        return super().dispatch(request, *args, **kwargs)
