"""django-csp's middleware, with the policy's header built once per process.

django-csp builds the ``Content-Security-Policy`` header from the settings on
every response. Most responses add nothing to the policy (no nonce, no
``csp_update``/``csp_replace``/``csp`` decorator): their header is the same
string each time, so it is built once and kept until the setting changes.
Any response that changes the policy, or a request that asked for a nonce,
is handled by django-csp itself, unchanged.
"""

import http.client

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings

_POLICY_CHANGES = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
_DEBUG_CODES = (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND)
_UNSET = object()


class _Header:
    """One header's value and excluded prefixes, kept while the setting is the same."""

    def __init__(self, name, setting, report_only):
        self.name = name
        self.setting = setting
        self.report_only = report_only
        self.policy = _UNSET
        self.value = ""
        self.prefixes = ()

    def current(self):
        policy = getattr(settings, self.setting, None)
        if policy is not self.policy:
            self.value = build_policy(report_only=self.report_only)
            self.prefixes = tuple((policy or {}).get("EXCLUDE_URL_PREFIXES") or ())
            self.policy = policy
        return self


class CSPMiddleware(BaseCSPMiddleware):
    def __init__(self, get_response):
        super().__init__(get_response)
        self.headers = (
            (_Header(HEADER, "CONTENT_SECURITY_POLICY", False), "_csp_exempt"),
            (
                _Header(
                    HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True
                ),
                "_csp_exempt_ro",
            ),
        )

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _POLICY_CHANGES
        ):
            return super().process_response(request, response)
        if response.status_code in _DEBUG_CODES and settings.DEBUG:
            return response
        for header, exempt in self.headers:
            header = header.current()
            if (
                header.value
                and header.name not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(header.prefixes)
            ):
                response[header.name] = header.value
        # As django-csp does: a nonce asked for after the header is written
        # would not be in it, so asking now is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
