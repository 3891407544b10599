"""How fresh and how strong the browser's sign-in must be for an app.

An app may ask (OpenID Connect Core 3.1.2.1) for a sign-in made just now
(``prompt=login``), one no older than ``max_age`` seconds, or one with two
factors (``acr_values``). The session's latest authentication, recorded by
the sign-in flow (``accounts.login.flow.authentication``), answers; when it
falls short, the person confirms it's them again through the flow's
reauthentication (password, and a code when two-factor is on).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from oauthlib.oauth2.rfc6749 import errors

from ..login import flow

# Authentication context classes (``acr``), from the REFEDS assurance
# profiles: two factors, or one.
MFA = "https://refeds.org/profile/mfa"
SFA = "https://refeds.org/profile/sfa"
ACR_VALUES_SUPPORTED = [MFA, SFA]


@dataclass(frozen=True)
class Requirements:
    """What an authorization request asks of the sign-in."""

    login: bool = False  # prompt=login
    max_age: int | None = None
    multi_factor: bool = False  # acr_values names MFA

    @classmethod
    def of(cls, *, prompt, max_age, acr_values, request=None) -> Requirements:
        """Read them from the request's parameters (``prompt`` as a set)."""
        if max_age in (None, ""):
            age = None
        else:
            try:
                age = int(max_age)
            except (TypeError, ValueError):
                age = -1
            if age < 0:
                raise errors.InvalidRequestError(
                    description="max_age must be a whole number of seconds.",
                    request=request,
                )
        return cls(
            login="login" in (prompt or ()),
            max_age=age,
            multi_factor=MFA in (acr_values or "").split(),
        )


def satisfied(request, requirements: Requirements) -> bool:
    """Whether the browser's current sign-in meets ``requirements``."""
    user = request.user
    if not user.is_authenticated:
        return False
    authentication = flow.authentication(request)
    if authentication is None or requirements.login:
        return False
    age = timezone.now().timestamp() - authentication.at
    if requirements.max_age is not None and age > requirements.max_age:
        return False
    # Only an account with a second factor can step up; one without signs
    # in with what it has, and the ID token's acr says so.
    return not (
        requirements.multi_factor
        and not authentication.multi_factor
        and user.has_two_factor()
    )


def amr(methods) -> list[str]:
    """The ``amr`` claim: the methods used, plus ``mfa`` for two or more."""
    values = list(dict.fromkeys(methods))
    if len(values) > 1:
        values.append("mfa")
    return values


def acr(methods) -> str:
    return MFA if len(set(methods)) > 1 else SFA
