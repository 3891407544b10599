from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
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
