from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("dashboard/activity/", views.ActivityView.as_view(), name="activity"),
    path(
        "accounts/not-me/<str:token>/",
        views.EndSessionView.as_view(),
        name="end_session",
    ),
    # TEMPORARY (issue 8 branch only): stands in for issue 3's password reset
    # view so the lockout page and the "this wasn't me" link have a target.
    # Replace with issue 3's entry when merging.
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            success_url=reverse_lazy("accounts:login")
        ),
        name="password_reset",
    ),
    path("dashboard/sessions/", views.SessionListView.as_view(), name="sessions"),
    path(
        "dashboard/sessions/<uuid:public_id>/end/",
        views.SessionEndView.as_view(),
        name="session_end",
    ),
    path(
        "dashboard/sessions/end-others/",
        views.SessionEndOthersView.as_view(),
        name="session_end_others",
    ),
]
