from django.contrib.auth import views as auth_views
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
    path("dashboard/activity/", views.ActivityView.as_view(), name="activity"),
    path(
        "accounts/not-me/<str:token>/",
        views.EndSessionView.as_view(),
        name="end_session",
    ),
    # Account lifecycle (issue 3)
    path("accounts/signup/", views.SignupView.as_view(), name="signup"),
    path("accounts/signup/done/", views.SignupDoneView.as_view(), name="signup_done"),
    path(
        "accounts/verify-email/resend/",
        views.ResendVerificationView.as_view(),
        name="resend_verification",
    ),
    path(
        "accounts/verify-email/<str:token>/",
        views.VerifyEmailView.as_view(),
        name="verify_email",
    ),
    path(
        "accounts/password/change/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/reset/",
        views.PasswordResetView.as_view(),
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
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/profile/", views.ProfileView.as_view(), name="profile"),
    path(
        "accounts/email/confirm/<str:token>/",
        views.EmailChangeConfirmView.as_view(),
        name="email_change_confirm",
    ),
    path("accounts/delete/", views.AccountDeleteView.as_view(), name="account_delete"),
]
