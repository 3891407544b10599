"""The app's models, defined by concern and collected here for Django.

Django finds an app's models in its ``models`` module; each lives in the
package of its concern, under the one app label ``accounts``.
"""

from .audit.models import AuthEvent
from .oidc.models import Application, AppSignIn, ConnectedApp
from .outbox.models import OutgoingEmail
from .passkeys.models import Passkey, PasskeyChallenge
from .security.models import LockoutCounter
from .twofactor.models import RecoveryCode, RecoveryCodeDevice
from .users.models import User
from .usersessions.models import Session, SessionQuerySet

__all__ = [
    "AppSignIn",
    "Application",
    "AuthEvent",
    "ConnectedApp",
    "LockoutCounter",
    "OutgoingEmail",
    "Passkey",
    "PasskeyChallenge",
    "RecoveryCode",
    "RecoveryCodeDevice",
    "Session",
    "SessionQuerySet",
    "User",
]
