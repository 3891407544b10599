from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/login/code/", views.TwoFactorLoginView.as_view(), name="login_code"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/reauthenticate/",
        views.ReauthenticateView.as_view(),
        name="reauthenticate",
    ),
    path("accounts/two-factor/", views.TwoFactorView.as_view(), name="two_factor"),
    path(
        "accounts/two-factor/setup/",
        views.TwoFactorSetupView.as_view(),
        name="two_factor_setup",
    ),
    path(
        "accounts/two-factor/recovery-codes/",
        views.RecoveryCodesView.as_view(),
        name="two_factor_recovery_codes",
    ),
    path(
        "accounts/two-factor/disable/",
        views.TwoFactorDisableView.as_view(),
        name="two_factor_disable",
    ),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
]
