"""oauthlib's OpenID Connect server, cut down to what the site serves.

Only the authorization code flow (``response_type=code``) and its token
grants (``authorization_code``, ``refresh_token``) are served: the implicit,
hybrid, password, client-credentials and device grants are not. PKCE is
S256 only (``plain`` and a missing method are refused before any consent is
asked), and each code is redeemed by ``OAuth2Validator.redeem_code`` once
every other check of its exchange has passed.
"""

from oauthlib import openid
from oauthlib.oauth2.rfc6749.grant_types.authorization_code import (
    code_challenge_method_s256,
)


class Server(openid.Server):
    def __init__(self, request_validator, *args, **kwargs):
        super().__init__(request_validator, *args, **kwargs)
        # The OpenID Connect grant wraps a code grant of its own.
        for grant in (self.auth_grant, self.openid_connect_auth.proxy_target):
            grant._code_challenge_methods = {"S256": code_challenge_method_s256}
            grant.custom_validators.post_auth.append(
                request_validator.check_authentication_request
            )
            grant.custom_validators.post_token.append(request_validator.redeem_code)
        self._response_types = {"code": self.auth_grant_choice}
        self._grant_types = {
            "authorization_code": self.token_grant_choice,
            "refresh_token": self.refresh_grant,
        }
