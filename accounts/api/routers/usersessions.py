"""Where the account is signed in, ending those sessions, and its activity.

App sessions are ordinary sessions (the token is the session key), so they
are listed and ended with the browser's, by the queryset's ``end()`` that
the sessions page and the admin use.
"""

from django.contrib.auth import logout
from django.utils.translation import gettext_lazy

from ...usersessions.models import Session
from .. import responses, schemas
from ..operations import Access, Endpoints

endpoints = Endpoints("Sessions")

UNKNOWN_SESSION = gettext_lazy("That is not one of your sessions.")
NOTHING_CHOSEN = gettext_lazy("Name the sessions to end, or set others to true.")
ACTIVITY_LIMIT = 20


def session_data(session, current_key) -> dict:
    return {
        "id": str(session.public_id),
        "user_agent": session.user_agent,
        "device": str(session.device),
        "ip": session.ip_address,
        "created_at": session.created_at.timestamp(),
        "last_seen_at": session.last_activity.timestamp(),
        "is_current": session.session_key == current_key,
    }


def sessions_response(request):
    current = request.session.session_key
    sessions = Session.objects.live().filter(user=request.user)
    ordered = sorted(
        sessions.order_by("-last_activity"),
        key=lambda session: session.session_key != current,
    )
    return responses.envelope(data=[session_data(s, current) for s in ordered])


@endpoints.get(
    "/auth/sessions",
    access=Access.SIGNED_IN,
    responses={200: schemas.SessionsResponse},
    descriptions={200: "Every live session of the account, this one first."},
    summary="List the sessions",
)
def sessions(request):
    """Where the account is signed in: browsers and apps alike."""
    return sessions_response(request)


@endpoints.delete(
    "/auth/sessions",
    access=Access.SIGNED_IN,
    responses={
        200: schemas.SessionsResponse,
        401: schemas.AuthenticationResponse,
    },
    descriptions={
        200: "Ended: the sessions that are left.",
        400: "An ID that is not one of the account's live sessions (nothing "
        "was ended), or nothing named.",
        401: "This session was among them: signed out (or not signed in).",
    },
    summary="End sessions",
)
def end_sessions(request, body: schemas.EndSessionsIn):
    """End the sessions named, or every other one (`others`).

    Their cookies and tokens stop working at once.
    """
    user = request.user
    if not body.sessions and not body.others:
        raise responses.InvalidInput(
            [responses.error("required", NOTHING_CHOSEN, "sessions")]
        )
    current = request.session.session_key
    mine = Session.objects.live().filter(user=user)
    named = mine.filter(public_id__in=set(body.sessions))
    if named.count() != len(set(body.sessions)):
        raise responses.InvalidInput(
            [responses.error("invalid", UNKNOWN_SESSION, "sessions")]
        )
    ending_this_one = named.filter(session_key=current).exists()
    ending = mine.exclude(session_key=current)
    if not body.others:
        ending = ending.filter(public_id__in=set(body.sessions))
    ending.end(by="user", request=request)
    if ending_this_one:
        logout(request)
        return responses.unauthenticated(request)
    return sessions_response(request)


@endpoints.get(
    "/account/activity",
    access=Access.SIGNED_IN,
    responses={200: schemas.ActivityResponse},
    descriptions={200: f"The latest {ACTIVITY_LIMIT} events, newest first."},
    summary="Recent activity",
)
def activity(request):
    """The account's audit trail: "was that me?"."""
    events = request.user.auth_events.all()[:ACTIVITY_LIMIT]
    return responses.envelope(
        data=[
            {
                "type": event.event_type,
                "description": str(event.get_event_type_display()),
                "ip": event.ip_address,
                "user_agent": event.user_agent,
                "device": str(event.device),
                "at": event.created_at.timestamp(),
            }
            for event in events
        ]
    )
