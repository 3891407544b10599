"""The admin's pages for the project's models, and its hardening of others'.

Every ModelAdmin registered here (the project's, and django-otp's and
Django's groups re-registered) uses ``AdminInputMixin``: values that are not
ids, filters and searches a list cannot use are a 400, never a 500.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import BadRequest, ValidationError
from django.db import DataError
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp import admin as otp_totp_admin  # noqa: F401
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db import admin as tasks_admin

from . import third_party_names
from .lifecycle import services as lifecycle
from .models import (
    AuthEvent,
    LockoutCounter,
    OutgoingEmail,
    Passkey,
    RecoveryCodeDevice,
    Session,
    User,
)
from .oidc import services as oidc_services
from .outbox import delivery
from .passkeys import services as passkeys
from .twofactor import services as twofactor
from .users.forms import UserAdminChangeForm, UserAdminCreationForm

third_party_names.translate()

# Fields only a superuser may change: whoever may set them may make
# themselves a superuser.
PRIVILEGE_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


class SessionInline(admin.TabularInline):
    """The user's live sessions, read-only: end them with the list action."""

    model = Session
    fk_name = "user"
    fields = ("device", "ip_address", "created_at", "last_activity", "expire_date")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("Live sessions")

    def get_queryset(self, request):
        return super().get_queryset(request).live().order_by("-last_activity")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("device"))
    def device(self, session):
        return session.device


class PasskeyInline(admin.TabularInline):
    """The user's passkeys: name, when added and last used, whether synced.

    Read-only (the public key is never shown as editable data); ticking
    "Delete" removes one through the passkey service, so the owner is
    mailed and the audit trail records it as done by an administrator.
    """

    model = Passkey
    fk_name = "user"
    fields = ("name", "created_at", "last_used_at", "backed_up", "transports")
    readonly_fields = fields
    extra = 0
    verbose_name_plural = _("Passkeys")

    def has_add_permission(self, request, obj=None):
        return False


class AdminInputMixin:
    """Refuse with a 400 what a list or an action cannot use, never a 500.

    Django filters by posted action ids as they are, and a value that is
    not an id fails that query with a 500. A list's filter values reach the
    database with no check of their type: a date part out of range, an
    address that is not one, fail while the list is built (Django turns
    only some of these into a redirect). NUL characters and overlong values
    are refused earlier, for every admin page, by the site
    (``accounts.admin_site.refuse_unreadable_query``).
    """

    def response_action(self, request, queryset):
        pk = self.model._meta.pk
        try:
            for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                pk.to_python(value)
        except ValidationError:
            raise BadRequest("An action on a value that is not an id.") from None
        return super().response_action(request, queryset)

    def get_changelist_instance(self, request):
        # Building the list runs its count queries, so a value the database
        # driver refuses fails here too.
        try:
            return super().get_changelist_instance(request)
        except (
            IncorrectLookupParameters,
            ValidationError,
            ValueError,
            OverflowError,
            DataError,
        ):
            raise BadRequest("A list filter or search it cannot use.") from None


def is_protected(user) -> bool:
    """Whether only a superuser may edit, or act on, the account ``user``."""
    return user.is_staff or user.is_superuser


@admin.register(User)
class UserAdmin(AdminInputMixin, DjangoUserAdmin):
    """Users, with what only a superuser may do kept to superusers.

    A staff member who is not a superuser sees ``PRIVILEGE_FIELDS``
    read-only and cannot edit, delete, set the password of, or run the
    support actions on another staff account or a superuser: "Can change
    user" would otherwise be as good as being a superuser. The support
    actions have permissions of their own (``accounts.end_sessions``,
    ``accounts.reset_two_factor``). Nobody sets their own password here:
    that is the site's password-change page, which asks for the old one.
    """

    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    # The user's "site" page is the signed-in overview: the administrator's
    # own, not this user's.
    view_on_site = False
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "email",
                    "email_verified",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    inlines = [SessionInline, PasskeyInline]
    actions = ["end_all_sessions", "reset_two_factor"]
    list_display = (
        "username",
        "email",
        "email_verified",
        "is_active",
        "is_staff",
        "two_factor",
        "date_joined",
    )
    list_filter = ("is_staff", "is_active", "is_superuser", "email_verified", "groups")
    search_fields = ("username", "email", "first_name", "last_name", "=public_id")
    ordering = ("username",)
    # The public ID is what other apps know the user by (OpenID Connect sub).
    readonly_fields = ("last_login", "date_joined", "public_id")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "username",
                    "email",
                    "email_verified",
                    "password",
                    "public_id",
                )
            },
        ),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    def get_inlines(self, request, obj):
        # A user being added has no sessions or passkeys yet.
        return self.inlines if obj is not None else []

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and not request.user.is_superuser:
            fields = (*fields, *PRIVILEGE_FIELDS)
        return fields

    def may_manage(self, request, obj) -> bool:
        """Whether the admin may edit or act on ``obj`` (any user, if None)."""
        return (
            obj is None
            or request.user.is_superuser
            or obj.pk == request.user.pk
            or not is_protected(obj)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_manage(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_manage(
            request, obj
        )

    def has_end_sessions_permission(self, request):
        return request.user.has_perm("accounts.end_sessions")

    def has_reset_two_factor_permission(self, request):
        return request.user.has_perm("accounts.reset_two_factor")

    def refuse_protected(self, request, queryset) -> bool:
        """Say so, and return True, if ``queryset`` holds accounts the admin
        may not act on; the action then does nothing at all."""
        if request.user.is_superuser:
            return False
        if not queryset.filter(Q(is_staff=True) | Q(is_superuser=True)).exists():
            return False
        self.message_user(
            request,
            gettext(
                "Only a superuser may do this to staff accounts. Nothing was changed."
            ),
            messages.ERROR,
        )
        return True

    def user_change_password(self, request, id, form_url=""):
        """Set another account's password: its sessions end, its owner is told.

        Django's page only saves the password; everything else about it
        (permission, the form and its errors) is Django's.
        """
        user = self.get_object(request, unquote(id))
        if user is not None and user.pk == request.user.pk:
            return redirect("accounts:password_change")
        if (
            request.method == "POST"
            and user is not None
            and self.has_change_permission(request, user)
        ):
            form = self.change_password_form(user, request.POST)
            if form.is_valid() and (
                form.cleaned_data["set_usable_password"]
                or "unset-password" in request.POST
            ):
                lifecycle.password_set_by_admin(request=request, form=form)
                self.log_change(
                    request, user, self.construct_change_message(request, form, None)
                )
                if user.has_usable_password():
                    message = gettext(
                        "The password was changed, and every session of the "
                        "account was signed out."
                    )
                else:
                    message = gettext(
                        "Password sign-in was turned off, and every session of "
                        "the account was signed out."
                    )
                self.message_user(request, message, messages.SUCCESS)
                return redirect(
                    reverse(
                        f"{self.admin_site.name}:accounts_user_change",
                        args=[user.pk],
                    )
                )
        return super().user_change_password(request, id, form_url)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Passkey:
            return super().save_formset(request, form, formset, change)
        # Nothing in the inline is editable: only removals are saved, each
        # through the service (email to the owner, audit event).
        formset.save(commit=False)
        for passkey in formset.deleted_objects:
            passkeys.remove(passkey, request=request, by="admin")
        return None

    @admin.action(description=_("End all sessions"), permissions=["end_sessions"])
    def end_all_sessions(self, request, queryset):
        if self.refuse_protected(request, queryset):
            return
        ended = Session.objects.filter(user__in=queryset).end(
            by="admin", request=request
        )
        # Apps signed in with these accounts sign in again too.
        for user in queryset:
            oidc_services.revoke_app_access(
                user, by="system", reason="sessions_ended_by_admin", request=request
            )
        self.message_user(
            request,
            ngettext(
                "%(count)d session was ended.",
                "%(count)d sessions were ended.",
                ended,
            )
            % {"count": ended},
        )

    def get_queryset(self, request):
        confirmed_app = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_2fa=Exists(confirmed_app))

    @admin.display(boolean=True, description=_("2FA"), ordering="has_2fa")
    def two_factor(self, user) -> bool:
        return user.has_2fa

    @admin.action(
        description=_("Reset two-factor authentication of selected users"),
        permissions=["reset_two_factor"],
    )
    def reset_two_factor(self, request, queryset):
        if self.refuse_protected(request, queryset):
            return
        count = sum(
            twofactor.disable(user, request=request, by="admin") for user in queryset
        )
        self.message_user(
            request,
            ngettext(
                "Two-factor authentication was reset for %(count)d user.",
                "Two-factor authentication was reset for %(count)d users.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(AuthEvent)
class AuthEventAdmin(AdminInputMixin, admin.ModelAdmin):
    """The audit trail, read-only: events are written by the site alone."""

    list_display = ("created_at", "event_type", "user", "ip_address", "user_agent")
    list_filter = ("event_type", ("created_at", admin.DateFieldListFilter))
    search_fields = ("user__username", "user__email", "ip_address")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    readonly_fields = (
        "created_at",
        "event_type",
        "user",
        "ip_address",
        "user_agent",
        "detail",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LockoutCounter)
class LockoutCounterAdmin(AdminInputMixin, admin.ModelAdmin):
    """The counted failures and the locks: deleting a row unlocks its key.

    Read-only otherwise: counts are written by the lockout alone. Nothing
    typed (no password, code or form data) is in them.
    """

    list_display = (
        "scope",
        "key",
        "failures",
        "is_locked",
        "locked_until",
        "lockouts",
        "refused",
        "last_failure_at",
    )
    list_filter = ("scope",)
    search_fields = ("key",)
    fields = list_display[:3] + list_display[4:] + ("locked_at",)
    readonly_fields = fields
    actions = ["unlock"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Unlock (forget the counted failures)"))
    def unlock(self, request, queryset):
        count = queryset.delete()[0]
        self.message_user(
            request,
            ngettext(
                "%(count)d count was removed.",
                "%(count)d counts were removed.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(AdminInputMixin, admin.ModelAdmin):
    """Email the mail server has not taken yet: waiting, being sent, or given up.

    Sent email leaves the outbox, so what is listed here still needs
    attention once it is old. The body is never shown: it may hold a
    working password-reset link.
    """

    list_display = (
        "created_at",
        "name",
        "to",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
    )
    list_filter = ("status", "name")
    search_fields = ("to",)
    readonly_fields = (
        "created_at",
        "name",
        "to",
        "subject",
        "language",
        "status",
        "attempts",
        "last_attempt_at",
        "next_attempt_at",
        "last_error",
    )
    fields = readonly_fields
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_send_permission(self, request):
        return request.user.has_perm("accounts.change_outgoingemail")

    @admin.action(description=_("Send again now"), permissions=["send"])
    def send_again(self, request, queryset):
        count = delivery.send_again(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d email will be sent again.",
                "%(count)d emails will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


# The task store is plumbing (each row names only an email id) and its admin
# is untranslated; the outbox above is where email is seen.
admin.site.unregister(tasks_admin.DBTaskResult)
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AdminInputMixin, DjangoGroupAdmin):
    """Django's group admin; only a superuser changes a group's permissions.

    A member of a group who could add permissions to it could make
    themselves a superuser in all but name.
    """

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if not request.user.is_superuser:
            fields = (*fields, "permissions")
        return fields


class DeviceAdmin(AdminInputMixin, admin.ModelAdmin):
    """Second factors, listed read-only: no secret is shown after set-up.

    django-otp's own admin shows an authenticator app's key (and its
    ``otpauth://`` URI and QR code) to anyone who may view devices, which is
    the second factor itself.
    """

    list_select_related = ("user",)
    search_fields = ("user__username", "user__email", "name")
    list_filter = ("confirmed",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(DeviceAdmin):
    """Authenticator apps; removing one turns two-factor off for its user."""

    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    fields = list_display
    readonly_fields = fields
    list_filter = ("confirmed", "created_at", "last_used_at")

    def get_deleted_objects(self, objs, request):
        # The confirmation page (not the deletion itself) says what else goes.
        if not request.POST.get("post") and any(device.confirmed for device in objs):
            self.message_user(
                request,
                gettext(
                    "Removing a confirmed authenticator app turns two-factor "
                    "authentication off for its user: their recovery codes are "
                    "deleted too, and they are told by email."
                ),
                messages.WARNING,
            )
        return super().get_deleted_objects(objs, request)

    def delete_model(self, request, obj):
        twofactor.remove_device(obj, request=request, by="admin")

    def delete_queryset(self, request, queryset):
        for device in queryset.select_related("user"):
            twofactor.remove_device(device, request=request, by="admin")


@admin.register(RecoveryCodeDevice)
class RecoveryCodeDeviceAdmin(DeviceAdmin):
    """Recovery code sets: how many are left, never the codes (only digests
    are stored). They go with the app, or with the user action."""

    list_display = ("user", "name", "confirmed", "unused_codes")
    fields = list_display
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("unused codes"))
    def unused_codes(self, device) -> int:
        return device.remaining()
