"""Django's own sign-in views (``LoginView`` at ``/accounts/login/``) and a
dashboard behind ``login_required``."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import include, path


@login_required
def dashboard(request):
    return render(request, "dashboard.html")


urlpatterns = [
    path("accounts/", include("django.contrib.auth.urls")),
    path("dashboard/", dashboard),
]
