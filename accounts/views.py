from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from .forms import LoginForm


def home(request):
    """Send visitors to their dashboard, or to the login page."""
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    return redirect("accounts:login")


class LoginView(auth_views.LoginView):
    """Sign in with a username or email address and a password."""

    form_class = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """End the session (POST only, as Django's) and say so on the login page."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You have been signed out."))
        return response


class DashboardView(LoginRequiredMixin, TemplateView):
    """The signed-in user's home: who they are and when they last signed in."""

    template_name = "accounts/dashboard.html"
