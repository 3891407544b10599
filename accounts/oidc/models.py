"""The apps that sign their users in here, and what each user let them do.

django-oauth-toolkit keeps the codes and tokens (``Grant``, ``AccessToken``,
``RefreshToken``, ``IDToken``); its ``Application`` is swapped for the one
below (``OAUTH2_PROVIDER_APPLICATION_MODEL``) to add what the site needs.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AbstractApplication, ApplicationManager
from oauth2_provider.scopes import get_scopes_backend


class Application(AbstractApplication):
    """An app of the company that signs its users in here (a relying party).

    django-oauth-toolkit's application, with ID tokens signed RS256, its
    ``skip_authorization`` named for what it means here (a first-party app,
    whose users are not asked to consent), and whether the
    app may ask the introspection endpoint about access tokens (a resource
    server).
    """

    skip_authorization = models.BooleanField(
        _("first-party"),
        default=False,
        help_text=_(
            "An app of the company itself: people are not asked to consent "
            "before it signs them in."
        ),
    )
    # RS256 with the site's key only: HS256 would sign with the client
    # secret, which is stored hashed here.
    algorithm = models.CharField(
        _("algorithm"),
        max_length=5,
        choices=[(AbstractApplication.RS256_ALGORITHM, _("RSA with SHA-2 256"))],
        default=AbstractApplication.RS256_ALGORITHM,
        help_text=_("How its ID tokens are signed."),
    )
    may_introspect = models.BooleanField(
        _("may introspect tokens"),
        default=False,
        help_text=_(
            "A resource server: with its client ID and secret it may ask "
            "/o/introspect/ whether an access token is active and whose it is."
        ),
    )

    objects = ApplicationManager()

    class Meta(AbstractApplication.Meta):
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def natural_key(self):
        return (self.client_id,)


def describe_scopes(scope: str) -> list[str]:
    """What each scope in ``scope`` lets an app do, in words."""
    descriptions = get_scopes_backend().get_all_scopes()
    return [str(descriptions[name]) for name in scope.split() if name in descriptions]


class ConnectedApp(models.Model):
    """An app the user let sign them in, with the scopes they granted.

    Made at the first authorization (consent, or a first-party app's first
    sign-in) and kept while the user's access lasts: a later sign-in that
    asks for no more than these scopes needs no consent again. "Remove
    access" on ``/dashboard/apps/`` deletes it and every token of the app.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="connected_apps",
        verbose_name=_("user"),
    )
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="connections",
        verbose_name=_("application"),
    )
    scope = models.TextField(_("scopes"), blank=True)
    created_at = models.DateTimeField(_("first used"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), default=timezone.now)

    class Meta:
        verbose_name = _("connected app")
        verbose_name_plural = _("connected apps")
        ordering = ["-last_used_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "application"], name="accounts_connectedapp_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.user}"

    @property
    def scopes(self) -> set[str]:
        return set(self.scope.split())

    @property
    def scope_descriptions(self) -> list[str]:
        return describe_scopes(self.scope)


class AppSignIn(models.Model):
    """One authentication handed to an app, from its code to its last token.

    Made with the authorization code: who, for which app, how they proved
    who they are (``methods``, OpenID Connect ``amr`` values) and when, so
    that the ID tokens of the code and of every refresh after it carry the
    same ``auth_time`` and ``amr``. The code itself is stored by
    django-oauth-toolkit and deleted when used; this row keeps its digest
    and when it was redeemed, so a second use is recognised (and revokes
    what the first one was given: the refresh-token family).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="app_sign_ins",
        verbose_name=_("user"),
    )
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="sign_ins",
        verbose_name=_("application"),
    )
    code_digest = models.CharField(_("code digest"), max_length=64, unique=True)
    methods = models.JSONField(_("methods"), default=list)
    authenticated_at = models.DateTimeField(_("authenticated at"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    redeemed_at = models.DateTimeField(_("code redeemed"), null=True, blank=True)
    reused_at = models.DateTimeField(_("code used again"), null=True, blank=True)
    token_family = models.UUIDField(
        _("refresh-token family"), null=True, blank=True, db_index=True
    )

    class Meta:
        verbose_name = _("app sign-in")
        verbose_name_plural = _("app sign-ins")

    def __str__(self) -> str:
        return f"{self.application} · {self.user} · {self.created_at:%Y-%m-%d %H:%M}"
