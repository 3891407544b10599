from django.contrib import admin
from django.urls import include, path

from accounts.security.health import healthz

urlpatterns = [
    path("", include("accounts.urls")),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler500 = "accounts.security.errors.server_error"
