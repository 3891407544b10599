"""The JSON API for single-page and mobile apps (django-ninja).

Two clients share one API, as in django-allauth's headless contract:
``/api/browser/v1/`` for apps in a browser on this site (the session cookie
and a CSRF token) and ``/api/app/v1/`` for every other app (a session token
in the ``X-Session-Token`` header, no cookies). ``clients`` says which one a
request is; ``operations`` registers each endpoint once for both;
``responses`` builds the ``status``/``data``/``meta``/``errors`` envelope;
``routers/`` holds the endpoints by concern; ``api`` assembles them and the
OpenAPI document. Every sign-in goes through ``accounts.login.flow``.
"""
