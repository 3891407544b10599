"""What happens to apps' access: grants, code use, revocation.

The validator, the views and the account services call these; receivers
only record the signals sent here (``accounts.audit.receivers``).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from .. import signals
from .models import Application, AppSignIn, ConnectedApp

if TYPE_CHECKING:
    from ..login.flow import Authentication
    from ..users.models import User

AccessToken = get_access_token_model()
Grant = get_grant_model()
IDToken = get_id_token_model()
RefreshToken = get_refresh_token_model()


def code_digest(code: str) -> str:
    """How an authorization code is named outside django-oauth-toolkit's table."""
    return hashlib.sha256(code.encode()).hexdigest()


def consent_covers(user, application, scopes) -> bool:
    """Whether ``user`` may be signed in to ``application`` without asking.

    A first-party app never asks; another asks once, and again only for a
    scope the user has not granted it yet.
    """
    if application.skip_authorization:
        return True
    connected = ConnectedApp.objects.filter(user=user, application=application).first()
    return connected is not None and set(scopes) <= connected.scopes


def record_authorization(
    *,
    user: User,
    application: Application,
    scopes,
    code: str,
    authentication: Authentication | None,
    request=None,
) -> AppSignIn:
    """The app was just given ``code`` for ``user``: remember how they signed in.

    The user's connection to the app is made or widened to these scopes.
    """
    now = timezone.now()
    authenticated_at = (
        datetime.fromtimestamp(authentication.at, tz=UTC) if authentication else now
    )
    with transaction.atomic():
        sign_in = AppSignIn.objects.create(
            user=user,
            application=application,
            code_digest=code_digest(code),
            methods=list(authentication.methods) if authentication else [],
            authenticated_at=authenticated_at,
        )
        connected, created = ConnectedApp.objects.get_or_create(
            user=user, application=application, defaults={"scope": " ".join(scopes)}
        )
        if not created:
            connected.scope = " ".join(sorted(connected.scopes | set(scopes)))
            connected.last_used_at = now
            connected.save(update_fields=["scope", "last_used_at"])
    signals.app_authorized.send(
        sender=user.__class__,
        user=user,
        application=application,
        scopes=list(scopes),
        request=request,
    )
    return sign_in


def consent_denied(*, user, application, request=None) -> None:
    signals.app_denied.send(
        sender=user.__class__, user=user, application=application, request=request
    )


def redeem_code(code: str, application) -> bool:
    """Mark ``code`` used; False if it was used before (by this request's rival).

    One UPDATE, so of two requests racing with the same code only one wins.
    """
    return (
        AppSignIn.objects.filter(
            code_digest=code_digest(code),
            application=application,
            redeemed_at__isnull=True,
        ).update(redeemed_at=timezone.now())
        == 1
    )


def code_used_again(code: str, application, *, request=None) -> bool:
    """A redeemed ``code`` came back: revoke what it was exchanged for.

    RFC 6749 4.1.2: a code used twice may have been stolen, so the tokens
    issued for it (its refresh-token family and their access tokens) are
    revoked. Returns whether ``code`` was a redeemed one.
    """
    sign_ins = AppSignIn.objects.filter(
        code_digest=code_digest(code),
        application=application,
        redeemed_at__isnull=False,
    )
    # Waits for the winner's transaction holding the row (it stores the
    # family), so the family read below is the one it issued.
    if not sign_ins.update(reused_at=timezone.now()):
        return False
    sign_in = sign_ins.select_related("user", "application").get()
    if sign_in.token_family and _revoke(
        RefreshToken.objects.filter(token_family=sign_in.token_family),
        AccessToken.objects.filter(refresh_token__token_family=sign_in.token_family),
    ):
        signals.app_access_ended.send(
            sender=sign_in.user.__class__,
            user=sign_in.user,
            application=sign_in.application,
            by="system",
            reason="code_reused",
            request=request,
        )
    return True


def tokens_issued_for_code(code: str, application, *, token_family) -> bool:
    """Tie the tokens just issued for ``code`` to its sign-in.

    Runs in the transaction that saves them, with the sign-in locked: False
    (and the caller refuses the tokens) if the code was used again since it
    was redeemed, whose revocation would otherwise have come too early.
    """
    sign_in = (
        AppSignIn.objects.select_for_update()
        .filter(code_digest=code_digest(code), application=application)
        .first()
    )
    if sign_in is None or sign_in.reused_at is not None:
        return False
    sign_in.token_family = token_family
    sign_in.save(update_fields=["token_family"])
    app_used(sign_in.user_id, application)
    return True


def app_used(user_id, application) -> None:
    """The app just got tokens for the user: "last used" on the apps page."""
    ConnectedApp.objects.filter(user_id=user_id, application=application).update(
        last_used_at=timezone.now()
    )


def sign_in_for_code(code: str) -> AppSignIn | None:
    return AppSignIn.objects.filter(code_digest=code_digest(code)).first()


def sign_in_for_family(token_family) -> AppSignIn | None:
    if token_family is None:
        return None
    return AppSignIn.objects.filter(token_family=token_family).first()


def forget_finished_sign_ins(*, older_than=timedelta(days=1)) -> int:
    """Delete the sign-ins whose codes are long expired and tokens all gone.

    Their ``auth_time`` and ``amr`` are needed only while a refresh token of
    the family lives, and their codes' reuse only while a code could be
    exchanged at all.
    """
    live_families = RefreshToken.objects.filter(
        revoked__isnull=True, token_family__isnull=False
    ).values("token_family")
    finished = AppSignIn.objects.filter(
        created_at__lt=timezone.now() - older_than
    ).exclude(token_family__in=live_families)
    count, _ = finished.delete()
    return count


def exchange_refused(*, code: str, client_id: str, request=None) -> None:
    """The token endpoint refused ``code`` (``invalid_grant``): tell its owner.

    Only for a code this site issued to that client; why it was refused is
    kept in the event (used again, expired, or a wrong PKCE verifier or
    redirect URI).
    """
    sign_in = (
        AppSignIn.objects.select_related("user", "application")
        .filter(code_digest=code_digest(code), application__client_id=client_id)
        .first()
    )
    if sign_in is None:
        return
    grant = Grant.objects.filter(code=code, application=sign_in.application).first()
    if sign_in.reused_at is not None or (grant is None and sign_in.redeemed_at):
        reason = "reused"
    elif grant is not None and grant.is_expired():
        reason = "expired"
    else:
        reason = "invalid_grant"
    signals.app_refused.send(
        sender=sign_in.user.__class__,
        user=sign_in.user,
        application=sign_in.application,
        reason=reason,
        request=request,
    )


def _revoke(refresh_tokens, access_tokens, grants=None, id_tokens=None) -> set[int]:
    """Revoke these at once; return the ids of the apps that had any."""
    now = timezone.now()
    apps = set()
    with transaction.atomic():
        for queryset in (refresh_tokens.filter(revoked__isnull=True), access_tokens):
            apps |= set(queryset.values_list("application_id", flat=True))
        if grants is not None:
            apps |= set(grants.values_list("application_id", flat=True))
            grants.delete()
        refresh_tokens.filter(revoked__isnull=True).update(revoked=now, updated=now)
        access_tokens.delete()
        if id_tokens is not None:
            id_tokens.delete()
    apps.discard(None)
    return apps


def revoke_app_access(
    user: User, application=None, *, by: str, reason: str, request=None
) -> int:
    """Revoke every token and pending code of ``user`` (for one app, or all).

    Used when the password changes or is reset, when the user signs out
    everywhere, when the account is deactivated, and by the app's own
    logout. Sends ``app_access_ended`` once per app that lost something;
    returns how many.
    """
    scope = {"user": user}
    if application is not None:
        scope["application"] = application
    app_ids = _revoke(
        RefreshToken.objects.filter(**scope),
        AccessToken.objects.filter(**scope),
        Grant.objects.filter(**scope),
        IDToken.objects.filter(**scope),
    )
    for app in Application.objects.filter(pk__in=app_ids):
        signals.app_access_ended.send(
            sender=user.__class__,
            user=user,
            application=app,
            by=by,
            reason=reason,
            request=request,
        )
    return len(app_ids)


def remove_connected_app(*, request, connected_app: ConnectedApp) -> None:
    """The user cut an app off: its tokens die now and consent is forgotten."""
    user, application = connected_app.user, connected_app.application
    with transaction.atomic():
        scope = {"user": user, "application": application}
        _revoke(
            RefreshToken.objects.filter(**scope),
            AccessToken.objects.filter(**scope),
            Grant.objects.filter(**scope),
            IDToken.objects.filter(**scope),
        )
        connected_app.delete()
    signals.app_access_ended.send(
        sender=user.__class__,
        user=user,
        application=application,
        by="user",
        reason="removed",
        request=request,
    )


def app_revoked_token(*, user, application, request=None) -> None:
    """The app revoked one of its tokens itself (RFC 7009)."""
    signals.app_access_ended.send(
        sender=user.__class__,
        user=user,
        application=application,
        by="app",
        reason="revoked",
        request=request,
    )
