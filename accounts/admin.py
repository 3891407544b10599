from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import BadRequest, ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db import admin as tasks_admin

from .models import AuthEvent, OutgoingEmail, Session, User
from .outbox import delivery
from .twofactor import services as twofactor
from .users.forms import UserAdminChangeForm, UserAdminCreationForm


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


class SelectedIdsMixin:
    """Refuse an action posted with values that are not ids, with a 400.

    Django filters by the posted ids as they are, and a value that is not
    an id fails that query with a 500.
    """

    def response_action(self, request, queryset):
        pk = self.model._meta.pk
        try:
            for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                pk.to_python(value)
        except ValidationError:
            raise BadRequest("An action on a value that is not an id.") from None
        return super().response_action(request, queryset)


@admin.register(User)
class UserAdmin(SelectedIdsMixin, DjangoUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
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
    inlines = [SessionInline]
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
    search_fields = ("username", "email", "first_name", "last_name")
    ordering = ("username",)
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "email", "email_verified", "password")}),
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
        # A user being added has no sessions yet.
        return self.inlines if obj is not None else []

    @admin.action(description=_("End all sessions"), permissions=["change"])
    def end_all_sessions(self, request, queryset):
        ended = Session.objects.filter(user__in=queryset).end(
            by="admin", request=request
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
        permissions=["change"],
    )
    def reset_two_factor(self, request, queryset):
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
class AuthEventAdmin(admin.ModelAdmin):
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


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(SelectedIdsMixin, admin.ModelAdmin):
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
class GroupAdmin(SelectedIdsMixin, DjangoGroupAdmin):
    """Django's group admin, refusing actions on values that are not ids."""
