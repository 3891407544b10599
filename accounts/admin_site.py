from functools import update_wrapper

from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .conf import app_settings
from .login import flow
from .security import admin_views as security


def _multi_factor_session(request) -> bool:
    authentication = flow.authentication(request)
    return authentication is not None and authentication.multi_factor


# No admin list needs a longer search or filter value; SQLite refuses a LIKE
# pattern of 50,000 bytes with an error, not an empty result.
QUERY_VALUE_MAX_LENGTH = 1000


def refuse_unreadable_query(request) -> None:
    """Raise ``BadRequest`` (400) for a query string no admin page can use.

    A NUL character is refused by PostgreSQL when the value reaches a
    query (a 500, after Django has accepted it as a filter or search); an
    overlong value by SQLite's LIKE. Neither is anything a person types.
    """
    for name, values in request.GET.lists():
        for text in (name, *values):
            if "\x00" in text or len(text) > QUERY_VALUE_MAX_LENGTH:
                raise BadRequest("An admin query parameter no page can use.")


class AdminSite(admin.AdminSite):
    """The admin site, signed into through the site's own login.

    The admin's password-only login form would skip two-factor sign-in and the
    lockout, so it redirects to ``accounts:login``; its password change (which
    checks the old password with no lockout, rate limit or notice) redirects
    to ``accounts:password_change``. A signed-in user without admin access
    gets a page that says so (a 403), not a redirect back to the sign-in page,
    which would send them straight on to the admin again. With
    ``ADMIN_REQUIRE_2FA`` a staff member needs an authenticator app (then
    every sign-in asks for its code) or a session whose latest
    authentication was multi-factor (a passkey that verified the person, at
    sign-in or "confirm it's you"). One with a passkey is asked to confirm
    it's them with it; one without is sent to set up an app.
    """

    no_access_template = "accounts/admin_no_access.html"
    site_header = gettext_lazy("authsite administration")
    site_title = gettext_lazy("authsite admin")
    index_title = gettext_lazy("Site administration")
    index_template = "admin/authsite_index.html"

    def get_urls(self):
        # Before Django's own: its last pattern catches every other path.
        return [
            path(
                "security/",
                self.admin_view(self.security_overview),
                name="security_overview",
            ),
            path(
                "security/unlock/<int:pk>/",
                self.admin_view(self.security_unlock),
                name="security_unlock",
            ),
            *super().get_urls(),
        ]

    def security_overview(self, request):
        return security.security_overview(request, self)

    def security_unlock(self, request, pk):
        return security.security_unlock(request, self, pk)

    def each_context(self, request):
        context = super().each_context(request)
        context["may_view_security"] = security.may_view(request.user)
        return context

    def login(self, request, extra_context=None):
        refuse_unreadable_query(request)
        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get("next") or index
        if request.user.is_authenticated:
            if not self.has_permission(request):
                return self.no_access(request)
            if not url_has_allowed_host_and_scheme(
                next_url,
                allowed_hosts={request.get_host()},
                require_https=request.is_secure(),
            ):
                next_url = index
            return redirect(next_url)
        return redirect_to_login(next_url, reverse("accounts:login"))

    def no_access(self, request):
        """The page for a signed-in account that may not use the admin."""
        response = render(
            request,
            self.no_access_template,
            {"admin_url": reverse("admin:index", current_app=self.name)},
            status=403,
        )
        add_never_cache_headers(response)
        return response

    def password_change(self, request, extra_context=None):
        return redirect("accounts:password_change")

    def password_change_done(self, request, extra_context=None):
        return redirect("accounts:password_change")

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            refuse_unreadable_query(request)
            user = request.user
            if user.is_authenticated and not self.has_permission(request):
                return self.no_access(request)
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
