from django.contrib import admin
from django.urls import include, path

from accounts.api import examples
from accounts.api.api import api
from accounts.security.health import healthz

urlpatterns = [
    path("", include("accounts.urls")),
    path("healthz", healthz, name="healthz"),
    path("api/", api.urls),
    # Development only: the view answers 404 unless DEBUG is on.
    path("examples/spa/", examples.spa, name="spa_example"),
    path("examples/spa/<path:path>", examples.spa),
    # OpenID Connect provider: the issuer is SITE_URL + "/o".
    path("o/", include("accounts.oidc.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler500 = "accounts.security.errors.server_error"
