"""Cross-origin calls: the app client's paths, for the configured origins only.

django-cors-headers asks its ``check_request_enabled`` signal whether a
request may be answered across origins; this receiver says yes only for the
app client (``/api/app/``, no cookies) and an ``Origin`` listed in
``API_CORS_ALLOWED_ORIGINS``, read at request time like every app setting.
The browser client stays same-origin, protected by its CSRF token.
"""

from corsheaders.signals import check_request_enabled

from ..conf import app_settings
from .clients import uses_session_token


def allow_listed_origins(sender, request, **kwargs) -> bool:
    origin = request.headers.get("Origin")
    return (
        origin is not None
        and uses_session_token(request)
        and origin in app_settings.API_CORS_ALLOWED_ORIGINS
    )


def connect() -> None:
    check_request_enabled.connect(
        allow_listed_origins, dispatch_uid="accounts.api.cors"
    )
