"""Registering apps in the admin (django-oauth-toolkit's, named by the setting
``OAUTH2_PROVIDER["APPLICATION_ADMIN_CLASS"]``).

Like every admin page, only superusers and staff given the application
permissions (``accounts.add_application``, ...) see it.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from oauth2_provider import admin as dot_admin
from oauth2_provider.settings import oauth2_settings

from ..admin import AdminInputMixin


class ApplicationAdmin(AdminInputMixin, dot_admin.ApplicationAdmin):
    list_display = (
        "name",
        "client_id",
        "client_type",
        "skip_authorization",
        "may_introspect",
        "created",
    )
    list_filter = ("client_type", "skip_authorization", "may_introspect")
    search_fields = ("name", "client_id")
    readonly_fields = ("created", "updated")
    fieldsets = (
        (None, {"fields": ("name", "client_id", "client_type", "client_secret")}),
        (
            _("Signing in"),
            {
                "fields": (
                    "authorization_grant_type",
                    "redirect_uris",
                    "post_logout_redirect_uris",
                    "allowed_origins",
                    "algorithm",
                )
            },
        ),
        (_("Trust"), {"fields": ("skip_authorization", "may_introspect")}),
        (_("Important dates"), {"fields": ("created", "updated")}),
    )

    def get_changeform_initial_data(self, request):
        # Every app here signs people in with the authorization code flow.
        return {
            "authorization_grant_type": self.model.GRANT_AUTHORIZATION_CODE,
            **super().get_changeform_initial_data(request),
        }

    def save_model(self, request, obj, form, change):
        # The secret is always stored hashed (with the client-secret hasher).
        obj.hash_client_secret = True
        super().save_model(request, obj, form, change)
        if not change:
            self.message_user(
                request,
                _(
                    "Registered %(name)s: client ID %(client_id)s, issuer "
                    "%(issuer)s. The client secret is stored hashed and cannot "
                    "be shown again."
                )
                % {
                    "name": obj,
                    "client_id": obj.client_id,
                    "issuer": oauth2_settings.OIDC_ISS_ENDPOINT,
                },
                messages.SUCCESS,
            )


class AccessTokenAdmin(AdminInputMixin, dot_admin.AccessTokenAdmin):
    """django-oauth-toolkit's (tokens masked), refusing input it cannot use.

    Its action and column names are plain strings there: translated here.
    """

    @admin.action(description=_("Revoke selected access tokens"))
    def revoke_tokens(self, request, queryset):
        return super().revoke_tokens(request, queryset)

    @admin.display(description=_("token"))
    def masked_token(self, obj):
        return super().masked_token(obj)


class GrantAdmin(AdminInputMixin, dot_admin.GrantAdmin):
    """django-oauth-toolkit's (codes masked), refusing input it cannot use."""

    @admin.display(description=_("code"))
    def masked_code(self, obj):
        return super().masked_code(obj)


class IDTokenAdmin(AdminInputMixin, dot_admin.IDTokenAdmin):
    """django-oauth-toolkit's, refusing input it cannot use."""


class RefreshTokenAdmin(AdminInputMixin, dot_admin.RefreshTokenAdmin):
    """django-oauth-toolkit's (tokens masked), refusing input it cannot use."""

    @admin.action(description=_("Revoke selected refresh tokens"))
    def revoke_tokens(self, request, queryset):
        return super().revoke_tokens(request, queryset)

    @admin.display(description=_("token"))
    def masked_token(self, obj):
        return super().masked_token(obj)
