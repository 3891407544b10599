from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers, signals

        signals.password_changed.connect(
            receivers.end_other_sessions_on_password_change,
            dispatch_uid="accounts.sessions.password_changed",
        )
        signals.password_reset_completed.connect(
            receivers.end_all_sessions_on_password_reset,
            dispatch_uid="accounts.sessions.password_reset_completed",
        )
