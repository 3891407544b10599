from functools import update_wrapper

from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .conf import app_settings
from .login import flow


def _multi_factor_session(request) -> bool:
    authentication = flow.authentication(request)
    return authentication is not None and authentication.multi_factor


class AdminSite(admin.AdminSite):
    """The admin site, signed into through the site's own login.

    The admin's password-only login form would skip two-factor sign-in and the
    lockout, so it redirects to ``accounts:login``. With ``ADMIN_REQUIRE_2FA``
    a staff member needs an authenticator app (then every sign-in asks for
    its code) or a session whose latest authentication was multi-factor (a
    passkey that verified the person, at sign-in or "confirm it's you"). One
    with a passkey is asked to confirm it's them with it; one without is
    sent to set up an app.
    """

    def login(self, request, extra_context=None):
        next_url = request.GET.get("next") or reverse(
            "admin:index", current_app=self.name
        )
        return redirect_to_login(next_url, reverse("accounts:login"))

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            user = request.user
            if (
                app_settings.ADMIN_REQUIRE_2FA
                and user.is_active
                and user.is_staff
                and not user.has_two_factor()
                and not _multi_factor_session(request)
            ):
                if user.has_passkey():
                    messages.warning(
                        request,
                        _("Confirm it's you with your passkey to use the admin."),
                    )
                    return redirect_to_login(
                        request.get_full_path(), reverse("accounts:reauthenticate")
                    )
                messages.warning(
                    request,
                    _("Set up two-factor authentication to use the admin."),
                )
                return redirect("accounts:two_factor_setup")
            return inner(request, *args, **kwargs)

        return update_wrapper(wrapper, view)
