"""The sign-in pipeline: every way in goes through this module.

A sign-in is a ``Login``, the way django-allauth's login flow models one:
the user, the backend that vouched for them, the methods used so far (OpenID
Connect ``amr`` values: ``pwd``, ``otp``, ...), "remember me" and where to
go next. Its course:

1. A first factor. ``authenticate_password()`` is the one password check:
   the sign-in form, reauthentication, password change and account deletion
   all call it, so django-axes' lockout, the password-check cap and the
   audit trail apply to each of them alike. It returns the user or None,
   and raises ``LockedOut`` while the lockout refuses the attempt.
2. ``start_login()``. While a ``Stage`` is required (the second factor,
   unless the browser is trusted), the login is kept in the still anonymous
   session as *pending*, for ``AUTHSITE_TWO_FACTOR_LOGIN_TIMEOUT`` seconds and
   ``AUTHSITE_TWO_FACTOR_MAX_ATTEMPTS`` failures, and the person is sent to
   the stage's page. ``pending_login()`` reads it there; ``stage_failed()``
   counts a failure; ``resume_login()`` continues once the stage is passed.
3. ``complete_login()``, the only caller of ``django.contrib.auth.login``
   (a test enforces it): decides whether this is the account's first
   sign-in and whether the browser is known *before* ``login()`` updates
   ``last_login``, then logs in, sets the session's lifetime, marks the
   moment of authentication (reauthentication), mails the new-browser
   alert, and hands back the cookies the response must carry (the known
   browser, a trusted browser). ``signals.signed_in`` lets the audit trail
   record it.

Views, the admin's sign-in and sign-up only call these functions and turn
an ``Outcome`` into their response; none of them logs anyone in itself.
"""

from __future__ import annotations

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


class LockedOut(Exception):
    """The attempt is refused (or this failure locked it) for the cool-off.

    ``accounts.security.middleware.LockedOutMiddleware`` answers it with the
    429 lockout page; an API answers it in its own format. The same whoever
    was named, so it tells nothing about the account.
    """

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def authenticate_password(request, *, identifier: str, password: str):
    """Check ``password`` for the account ``identifier`` names; return the user.

    Through Django's ``authenticate()``: django-axes refuses a locked-out
    attempt before any hashing, and a wrong password is reported as a
    failed sign-in (lockout count and audit trail). Return None for a wrong
    password or unknown name; raise ``LockedOut`` when the lockout refused
    the attempt or this failure started a lock.
    """
    user = auth.authenticate(
        request,
        username=identifier,
        password=password,
        attempt=Attempt(request, identifier),
    )
    # django-axes marks the request when it refused the attempt or when
    # this failure reached the limit.
    if user is None and getattr(request, "axes_locked_out", False):
        raise LockedOut(retry_after=lockout.cool_off_seconds(request))
    return user


def stage_failed(request, user, *, stage: str) -> None:
    """Report a failed check of ``stage`` (a wrong code) like a wrong password."""
    identifier = user.get_username()
    user_login_failed.send(
        sender=__name__,
        credentials={
            "username": identifier,
            "step": stage,
            "attempt": Attempt(request, identifier),
        },
        request=request,
    )


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
            "failures": 0,
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


def pending_stage(request) -> Stage | None:
    """The stage this browser's pending login waits at, or None (none, expired).

    Reads only the session, so an API can list the pending flow at no cost.
    """
    state = request.session.get(PENDING_SESSION_KEY)
    if state is None:
        return None
    age = timezone.now().timestamp() - state["started"]
    if age > app_settings.TWO_FACTOR_LOGIN_TIMEOUT:
        return None
    return next((stage for stage in STAGES if stage.key == state.get("stage")), None)


def count_stage_failure(request) -> bool:
    """Count a failure at the pending stage; False once the login is given up."""
    state = request.session[PENDING_SESSION_KEY]
    state["failures"] += 1
    if state["failures"] >= app_settings.TWO_FACTOR_MAX_ATTEMPTS:
        abandon_login(request)
        return False
    request.session[PENDING_SESSION_KEY] = state
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
