from django.contrib import admin
from django.urls import include, path

from accounts.security.health import healthz

urlpatterns = [
    path("", include("accounts.urls")),
    path("healthz", healthz, name="healthz"),
    # OpenID Connect provider: the issuer is SITE_URL + "/o".
    path("o/", include("accounts.oidc.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
