from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_delete, post_save
from django.utils.autoreload import file_changed
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks, fragments  # noqa: F401  (checks register)
        from .api import cors
        from .audit import receivers
        from .users import checkup

        receivers.connect()
        cors.connect()
        for name, signal, models in (
            ("save", post_save, checkup.SAVED_MODELS),
            ("delete", post_delete, checkup.DELETED_MODELS),
        ):
            for model in models:
                signal.connect(
                    checkup.forget,
                    sender=model,
                    dispatch_uid=f"accounts.checkup.{name}.{model.__name__}",
                )
        file_changed.connect(fragments.forget, dispatch_uid="accounts.fragments")


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the site class that sends sign-in through our login."""

    default = False  # AccountsConfig stays the app's config
    default_site = "accounts.admin_site.AdminSite"
