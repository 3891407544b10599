"""The OpenID Connect endpoints, mounted at ``/o/`` (the issuer's path).

Only what is served: django-oauth-toolkit's own ``urls`` would also mount
application management, where any signed-in user could register an app.
The namespace is django-oauth-toolkit's, whose views reverse their names in it.
"""

from django.urls import path
from oauth2_provider import views as dot

from . import views

app_name = "oauth2_provider"

urlpatterns = [
    path("authorize/", views.AuthorizeView.as_view(), name="authorize"),
    path("token/", views.TokenView.as_view(), name="token"),
    path("revoke/", views.RevokeView.as_view(), name="revoke-token"),
    path("introspect/", views.IntrospectView.as_view(), name="introspect"),
    path("userinfo/", views.UserInfoView.as_view(), name="user-info"),
    path("logout/", views.LogoutView.as_view(), name="rp-initiated-logout"),
    path(
        ".well-known/openid-configuration",
        views.DiscoveryView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(".well-known/jwks.json", dot.JwksInfoView.as_view(), name="jwks-info"),
]
