"""Download my data: everything the site holds about one account, as JSON.

``account_data(request)`` gathers it; README.md ("Download my data")
documents every field. Nothing secret is ever included: no password hash,
no session key, no authenticator key, no recovery code (not even its
digest), no passkey public key or credential id, no app token or code.
"""

from __future__ import annotations

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from ..audit.models import AuthEvent
from ..conf import app_settings
from ..login import known_browsers
from ..oidc.models import AppSignIn, ConnectedApp
from ..outbox.models import OutgoingEmail
from ..security import lockout
from ..twofactor.models import RecoveryCodeDevice
from ..usersessions.models import Session

FORMAT_VERSION = 1
# Bounds on what one download reads: the audit trail is pruned (see
# prune_auth_events), so this is far above what an account has.
MAX_EVENTS = 10_000


def _time(value):
    return value.isoformat() if value is not None else None


def _profile(user) -> dict:
    return {
        "username": user.username,
        "email": user.email,
        "email_verified": user.email_verified,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "public_id": str(user.public_id),
        "date_joined": _time(user.date_joined),
        "last_login": _time(user.last_login),
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "has_usable_password": user.has_usable_password(),
    }


def _sessions(request) -> list[dict]:
    current = request.session.session_key
    return [
        {
            "id": str(session.public_id),
            "device": session.device,
            "user_agent": session.user_agent,
            "ip_address": session.ip_address,
            "signed_in_at": _time(session.created_at),
            "last_active_at": _time(session.last_activity),
            "expires_at": _time(session.expire_date),
            "current": session.session_key == current,
        }
        for session in Session.objects.filter(user=request.user)
        .live()
        .order_by("-last_activity")
    ]


def _events(user) -> list[dict]:
    return [
        {
            "type": event.event_type,
            "description": str(event.get_event_type_display()),
            "time": _time(event.created_at),
            "ip_address": event.ip_address,
            "user_agent": event.user_agent,
            "device": event.device,
            "detail": event.detail,
        }
        for event in user.auth_events.all()[:MAX_EVENTS]
    ]


def _email_history(events: list[dict]) -> list[dict]:
    wanted = {AuthEvent.Type.EMAIL_CHANGED, AuthEvent.Type.EMAIL_VERIFIED}
    return [
        {"type": event["type"], "time": event["time"], **event["detail"]}
        for event in events
        if event["type"] in wanted
    ]


def _two_factor(user) -> dict:
    apps = TOTPDevice.objects.filter(user=user).order_by("created_at")
    code_sets = RecoveryCodeDevice.objects.filter(user=user).prefetch_related("codes")
    return {
        "authenticator_apps": [
            {
                "name": app.name,
                "confirmed": app.confirmed,
                "added_at": _time(app.created_at),
                "last_used_at": _time(app.last_used_at),
            }
            for app in apps
        ],
        "recovery_codes": [
            {
                "total": len(codes := list(code_set.codes.all())),
                "unused": sum(code.used_at is None for code in codes),
                "used_at": sorted(
                    _time(code.used_at) for code in codes if code.used_at
                ),
            }
            for code_set in code_sets
        ],
    }


def _passkeys(user) -> list[dict]:
    return [
        {
            "name": passkey.name,
            "added_at": _time(passkey.created_at),
            "last_used_at": _time(passkey.last_used_at),
            "synced": passkey.backed_up,
            "can_be_synced": passkey.backup_eligible,
            "user_verified_at_registration": passkey.user_verified,
            "authenticator_model": passkey.aaguid,
            "transports": passkey.transports,
        }
        for passkey in user.passkeys.all()
    ]


def _apps(user) -> dict:
    access_tokens = get_access_token_model().objects.filter(user=user)
    refresh_tokens = get_refresh_token_model().objects.filter(user=user)
    return {
        "connected_apps": [
            {
                "app": connected.application.name,
                "client_id": connected.application.client_id,
                "scopes": sorted(connected.scopes),
                "first_used_at": _time(connected.created_at),
                "last_used_at": _time(connected.last_used_at),
            }
            for connected in ConnectedApp.objects.filter(user=user).select_related(
                "application"
            )
        ],
        "app_sign_ins": [
            {
                "app": sign_in.application.name,
                "methods": sign_in.methods,
                "authenticated_at": _time(sign_in.authenticated_at),
                "code_redeemed_at": _time(sign_in.redeemed_at),
            }
            for sign_in in AppSignIn.objects.filter(user=user)
            .select_related("application")
            .order_by("-created_at")
        ],
        "access_tokens": [
            {
                "app": token.application.name if token.application else None,
                "scope": token.scope,
                "created_at": _time(token.created),
                "expires_at": _time(token.expires),
            }
            for token in access_tokens.select_related("application")
        ],
        "refresh_tokens": [
            {
                "app": token.application.name if token.application else None,
                "created_at": _time(token.created),
                "revoked_at": _time(token.revoked),
            }
            for token in refresh_tokens.select_related("application")
        ],
    }


def _sign_in_failure_counts(user) -> list[dict]:
    return [
        {
            "counted_per": counter.scope,
            "failures": counter.failures,
            "last_failure_at": _time(counter.last_failure_at),
            "locked_until": _time(counter.locked_until),
        }
        for counter in lockout.account_counters(user.username)
    ]


def _pending_emails(user) -> list[dict]:
    # The body is left out: it may hold a working link. Only mail queued
    # since the address became the user's: a message given up on stays in
    # the outbox, and an address can change hands.
    since = max(
        user.date_joined,
        user.auth_events.filter(event_type=AuthEvent.Type.EMAIL_CHANGED)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
        or user.date_joined,
    )
    return [
        {
            "kind": email.name,
            "to": email.to,
            "subject": email.subject,
            "status": email.status,
            "queued_at": _time(email.created_at),
        }
        for email in OutgoingEmail.objects.filter(
            to__iexact=user.email, created_at__gte=since
        )
    ]


def account_data(request) -> dict:
    """Everything the site holds about ``request.user``, JSON-ready."""
    user = request.user
    events = _events(user)
    return {
        "format_version": FORMAT_VERSION,
        "exported_at": _time(timezone.now()),
        "site": app_settings.SITE_URL,
        "profile": _profile(user),
        "email_history": _email_history(events),
        "sessions": _sessions(request),
        "this_browser_is_known": known_browsers.known_browser_id(request, user)
        is not None,
        "two_factor": _two_factor(user),
        "passkeys": _passkeys(user),
        "apps": _apps(user),
        "sign_in_failure_counts": _sign_in_failure_counts(user),
        "pending_emails": _pending_emails(user),
        "events": events,
    }
