"""authsite as an OpenID Connect provider, on django-oauth-toolkit.

Other apps of the company sign their users in here: ``/o/authorize/``
signs people in through the one sign-in pipeline (``accounts.login.flow``),
asks their consent, and hands the app a code it exchanges at ``/o/token/``
for an ID token, an access token and a refresh token. See the README's
"Single sign-on for other apps" section.

- ``keys.py``: the RS256 signing keys, read from the environment (no Django);
- ``models.py``: the registered ``Application``, each user's ``ConnectedApp``
  and each ``AppSignIn`` (how and when the user authenticated for one code);
- ``validators.py``: the ``OAuth2Validator`` subclass (claims, prompt,
  single-use codes, who may introspect);
- ``server.py``: oauthlib's OpenID Connect server cut down to what is served;
- ``services.py``: every write with side effects (grants, revocation);
- ``views.py``, ``urls.py``: the endpoints under ``/o/`` and the connected
  apps page;
- ``admin.py``, ``management/commands/register_app.py``: registration.
"""
