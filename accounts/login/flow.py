"""The sign-in pipeline: every way in goes through this module.

A sign-in is a ``Login``, the way django-allauth's login flow models one:
the user, the backend that vouched for them, the methods used so far (OpenID
Connect ``amr`` values: ``pwd``, ``otp``, ...), "remember me" and where to
go next. Its course:

1. A first factor. ``authenticate_password()`` is the one password check:
   the sign-in form, reauthentication, password change and account deletion
   all call it, so the lockout, the password-check cap and the audit
   trail apply to each of them alike. It returns the user or None,
   and raises ``LockedOut`` while the lockout refuses the attempt.
2. ``start_login()``. While a ``Stage`` is required (the second factor,
   unless the browser is trusted), the login is kept in the still anonymous
   session as *pending*, for ``AUTHSITE_TWO_FACTOR_LOGIN_TIMEOUT`` seconds and
   ``AUTHSITE_TWO_FACTOR_MAX_ATTEMPTS`` checks (counted in the database,
   ``take_stage_check()``), and the person is sent to the stage's page.
   ``pending_login()`` reads it there; ``stage_failed()`` counts a failure
   towards the lockout; ``resume_login()`` continues once the stage is
   passed.
3. ``complete_login()``, the only caller of ``django.contrib.auth.login``
   (a test enforces it): decides whether this is the account's first
   sign-in and whether the browser is known *before* ``login()`` updates
   ``last_login``, then logs in, clears the account's lockout counts, sets
   the session's lifetime, marks the moment of authentication
   (reauthentication), mails the new-browser
   alert, and hands back the cookies the response must carry (the known
   browser, a trusted browser). ``signals.signed_in`` lets the audit trail
   record it.

Views, the admin's sign-in and sign-up only call these functions and turn
an ``Outcome`` into their response; none of them logs anyone in itself.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from .. import signals
from ..conf import app_settings
from ..security import lockout

# ``flow.LockedOut`` is the interface the pages and the API answer.
from ..security.lockout import LockedOut
from ..twofactor import trusted_browsers
from . import known_browsers, reauthentication
from .attempts import Attempt

if TYPE_CHECKING:
    from django.http import HttpResponse

    from ..users.models import User

PENDING_SESSION_KEY = "accounts.pending_login"
# How and when the signed-in user last proved who they are (OpenID Connect
# ``amr`` and ``auth_time``).
AUTHENTICATION_SESSION_KEY = "accounts.authentication"
# The backend every way in names, so sessions stay valid across them.
BACKEND = "accounts.backends.UsernameOrEmailBackend"
# How the user proved who they are, as OpenID Connect ``amr`` values.
BY_PWD = "pwd"  # noqa: S105  (an amr value, not a password)
BY_OTP = "otp"


def authenticate_password(request, *, identifier: str, password: str):
    """Check ``password`` for the account ``identifier`` names; return the user.

    Through Django's ``authenticate()`` and the project's backend: the
    lockout counts the attempt before any hashing and refuses a locked-out
    one (``LockedOut``, raised through ``authenticate()``); a wrong password
    stays counted and is reported as a failed sign-in (audit trail). Return
    None for a wrong password or unknown name; raise ``LockedOut`` when the
    lockout refused the attempt or this failure started a lock.
    """
    attempt = Attempt(request, identifier)
    user = auth.authenticate(
        request, username=identifier, password=password, attempt=attempt
    )
    if user is None and attempt.locked_for is not None:
        raise LockedOut(retry_after=attempt.locked_for)
    return user


def stage_failed(request, user, *, stage: str) -> None:
    """Count a failed check of ``stage`` (a wrong code) like a wrong password,
    and report it as a failed sign-in.

    Raise ``LockedOut`` if this failure started a lock.
    """
    identifier = user.get_username()
    attempt = Attempt(request, identifier)
    locked_for = lockout.count_failure(attempt)
    user_login_failed.send(
        sender=__name__,
        credentials={"username": identifier, "step": stage, "attempt": attempt},
        request=request,
    )
    if locked_for is not None:
        raise LockedOut(retry_after=locked_for)


@dataclass
class Login:
    """A sign-in in progress, or just completed."""

    user: User
    methods: list[str] = field(default_factory=lambda: [BY_PWD])
    remember: bool = False
    redirect_url: str = ""
    trust_browser: bool = False

    def to_session(self) -> dict:
        return {
            "user_id": self.user.pk,
            "methods": self.methods,
            "remember": self.remember,
            "next": self.redirect_url,
            "started": timezone.now().timestamp(),
            # Names the server-side count of this login's code checks.
            "id": secrets.token_urlsafe(16),
        }

    @classmethod
    def from_session(cls, state: dict) -> Login | None:
        users = get_user_model()._default_manager.filter(is_active=True)
        user = users.filter(pk=state["user_id"]).first()
        if user is None:
            return None
        return cls(
            user=user,
            methods=list(state["methods"]),
            remember=state["remember"],
            redirect_url=state["next"],
        )


class Stage:
    """A step a login must pass after the first factor, on its own page."""

    key: str
    url_name: str

    def is_required(self, request, login: Login) -> bool:
        raise NotImplementedError


class TwoFactorStage(Stage):
    """A code from the authenticator app or a recovery code."""

    key = "two_factor"
    url_name = "accounts:login_code"

    def is_required(self, request, login):
        return (
            BY_OTP not in login.methods
            and login.user.has_two_factor()
            and not trusted_browsers.is_trusted(request, login.user)
        )


STAGES: tuple[Stage, ...] = (TwoFactorStage(),)


@dataclass
class Outcome:
    """Where a login stands, and what its response must carry."""

    login: Login
    stage: Stage | None = None
    cookies: list[dict] = field(default_factory=list)

    @property
    def signed_in(self) -> bool:
        return self.stage is None

    def apply(self, response: HttpResponse) -> HttpResponse:
        """Set the cookies the sign-in earned on ``response``."""
        for cookie in self.cookies:
            response.set_cookie(**cookie)
        return response

    def redirect(self) -> HttpResponseRedirect:
        """Go on to the pending stage's page, or where the login was headed."""
        if self.stage is not None:
            return HttpResponseRedirect(reverse(self.stage.url_name))
        return self.apply(HttpResponseRedirect(self.login.redirect_url))


def _next_stage(request, login: Login) -> Stage | None:
    return next((s for s in STAGES if s.is_required(request, login)), None)


def start_login(request, login: Login) -> Outcome:
    """Run ``login`` through its stages: complete it, or hold it at the first one."""
    if not login.redirect_url:
        login.redirect_url = resolve_url(settings.LOGIN_REDIRECT_URL)
    stage = _next_stage(request, login)
    if stage is None:
        return complete_login(request, login)
    request.session[PENDING_SESSION_KEY] = {**login.to_session(), "stage": stage.key}
    return Outcome(login=login, stage=stage)


def pending_login(request, stage: str) -> Login | None:
    """This browser's login held at ``stage``, or None (none, expired, gone)."""
    state = request.session.get(PENDING_SESSION_KEY)
    if state is None or state.get("stage") != stage:
        return None
    age = timezone.now().timestamp() - state["started"]
    login = (
        Login.from_session(state)
        if age <= app_settings.TWO_FACTOR_LOGIN_TIMEOUT
        else None
    )
    if login is None:
        abandon_login(request)
    return login


def _pending_id(request) -> str:
    state = request.session[PENDING_SESSION_KEY]
    if "id" not in state:  # a login held before the count moved server-side
        state["id"] = secrets.token_urlsafe(16)
        request.session[PENDING_SESSION_KEY] = state
    return state["id"]


def take_stage_check(request) -> bool:
    """Count one more check at the pending stage, before it is made.

    False (nothing counted) once ``TWO_FACTOR_MAX_ATTEMPTS`` checks were
    made. The count is kept in the database, one atomic update per check,
    not in the session: requests sent at once with the same session cookie
    would each read and save their own copy of it.
    """
    return lockout.take_check(
        lockout.Scope.SIGN_IN,
        _pending_id(request),
        app_settings.TWO_FACTOR_MAX_ATTEMPTS,
    )


def count_stage_failure(request) -> bool:
    """After a failed check: False, and the login is given up, at the limit."""
    checks = lockout.checks_taken(lockout.Scope.SIGN_IN, _pending_id(request))
    if checks >= app_settings.TWO_FACTOR_MAX_ATTEMPTS:
        abandon_login(request)
        return False
    return True


def abandon_login(request) -> None:
    request.session.pop(PENDING_SESSION_KEY, None)


def resume_login(request, login: Login, *, method: str) -> Outcome:
    """Continue the pending ``login`` after its stage was passed with ``method``."""
    abandon_login(request)
    login.methods.append(method)
    return start_login(request, login)


def complete_login(request, login: Login) -> Outcome:
    """Sign ``login.user`` in: the one place that calls Django's ``login()``."""
    user = login.user
    # Both decided before login() updates last_login and the session.
    first_sign_in = user.last_login is None
    known_browser = known_browsers.known_browser_id(request, user) is not None
    auth.login(request, user, backend=BACKEND)
    lockout.reset_account(user)
    request.session.set_expiry(
        app_settings.SESSION_REMEMBER_AGE if login.remember else 0
    )
    _record_authentication(request, login.methods)
    signals.signed_in.send(
        sender=user.__class__,
        request=request,
        user=user,
        methods=login.methods,
        known_browser=known_browser,
    )
    if not known_browser and not first_sign_in and app_settings.NEW_DEVICE_EMAIL:
        known_browsers.send_new_browser_email(request, user)
    cookies = [known_browsers.cookie(request, user)]
    if login.trust_browser:
        cookies.append(trusted_browsers.cookie(user))
    return Outcome(login=login, cookies=cookies)


def reauthenticate(request, *, methods: list[str]) -> None:
    """Record that the signed-in user just proved who they are again."""
    _record_authentication(request, methods)


def _record_authentication(request, methods: list[str]) -> None:
    reauthentication.mark_authenticated(request)
    request.session[AUTHENTICATION_SESSION_KEY] = {
        "methods": list(methods),
        "at": int(timezone.now().timestamp()),
    }


@dataclass(frozen=True)
class Authentication:
    """How the signed-in user last proved who they are, and when."""

    methods: tuple[str, ...]
    at: int  # Unix time

    @property
    def multi_factor(self) -> bool:
        return len(set(self.methods)) > 1


def authentication(request) -> Authentication | None:
    """The signed-in session's latest authentication, or None."""
    state = request.session.get(AUTHENTICATION_SESSION_KEY)
    if not state:
        return None
    return Authentication(methods=tuple(state["methods"]), at=state["at"])
