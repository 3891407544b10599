from django.contrib.auth import views as auth_views
from django.urls import path

from .audit import views as audit
from .lifecycle import views as lifecycle
from .login import views as login
from .oidc import views as oidc
from .passkeys import views as passkeys
from .twofactor import views as twofactor
from .users import views as users
from .usersessions import views as usersessions

app_name = "accounts"

urlpatterns = [
    path("", login.home, name="home"),
    path("accounts/login/", login.LoginView.as_view(), name="login"),
    path("accounts/login/code/", login.TwoFactorLoginView.as_view(), name="login_code"),
    path("accounts/logout/", login.LogoutView.as_view(), name="logout"),
    path(
        "accounts/reauthenticate/",
        login.ReauthenticateView.as_view(),
        name="reauthenticate",
    ),
    path(
        "accounts/login/code/passkey/options/",
        passkeys.TwoFactorOptionsView.as_view(),
        name="passkey_two_factor_options",
    ),
    path(
        "accounts/login/code/passkey/",
        passkeys.TwoFactorVerifyView.as_view(),
        name="passkey_two_factor",
    ),
    path(
        "accounts/reauthenticate/passkey/options/",
        passkeys.ReauthenticationOptionsView.as_view(),
        name="passkey_reauthenticate_options",
    ),
    path(
        "accounts/reauthenticate/passkey/",
        passkeys.ReauthenticationVerifyView.as_view(),
        name="passkey_reauthenticate",
    ),
    # Passkeys (issue 14)
    path("accounts/passkeys/", passkeys.PasskeyListView.as_view(), name="passkeys"),
    path(
        "accounts/passkeys/add/", passkeys.PasskeyAddView.as_view(), name="passkey_add"
    ),
    path(
        "accounts/passkeys/add/options/",
        passkeys.RegistrationOptionsView.as_view(),
        name="passkey_add_options",
    ),
    path(
        "accounts/passkeys/add/verify/",
        passkeys.RegistrationVerifyView.as_view(),
        name="passkey_add_verify",
    ),
    path(
        "accounts/passkeys/<int:pk>/rename/",
        passkeys.PasskeyRenameView.as_view(),
        name="passkey_rename",
    ),
    path(
        "accounts/passkeys/<int:pk>/remove/",
        passkeys.PasskeyRemoveView.as_view(),
        name="passkey_remove",
    ),
    path(
        "accounts/passkeys/login/options/",
        passkeys.LoginOptionsView.as_view(),
        name="passkey_login_options",
    ),
    path(
        "accounts/passkeys/login/",
        passkeys.LoginVerifyView.as_view(),
        name="passkey_login",
    ),
    path("accounts/two-factor/", twofactor.TwoFactorView.as_view(), name="two_factor"),
    path(
        "accounts/two-factor/setup/",
        twofactor.TwoFactorSetupView.as_view(),
        name="two_factor_setup",
    ),
    path(
        "accounts/two-factor/recovery-codes/",
        twofactor.RecoveryCodesView.as_view(),
        name="two_factor_recovery_codes",
    ),
    path(
        "accounts/two-factor/disable/",
        twofactor.TwoFactorDisableView.as_view(),
        name="two_factor_disable",
    ),
    path("dashboard/", users.DashboardView.as_view(), name="dashboard"),
    path(
        "accounts/time-zone/",
        users.TimeZoneProposeView.as_view(),
        name="time_zone_propose",
    ),
    path("accounts/export/", users.DataExportView.as_view(), name="data_export"),
    path("dashboard/activity/", audit.ActivityView.as_view(), name="activity"),
    path("dashboard/apps/", oidc.ConnectedAppsView.as_view(), name="connected_apps"),
    path(
        "dashboard/apps/<int:pk>/remove/",
        oidc.RemoveConnectedAppView.as_view(),
        name="connected_app_remove",
    ),
    path(
        "accounts/not-me/<str:token>/",
        usersessions.EndSessionView.as_view(),
        name="end_session",
    ),
    # Account lifecycle (issue 3)
    path("accounts/signup/", lifecycle.SignupView.as_view(), name="signup"),
    path(
        "accounts/signup/done/", lifecycle.SignupDoneView.as_view(), name="signup_done"
    ),
    path(
        "accounts/signup/passkey/",
        passkeys.PasskeySignupView.as_view(),
        name="signup_passkey",
    ),
    path(
        "accounts/signup/passkey/options/",
        passkeys.SignupOptionsView.as_view(),
        name="signup_passkey_options",
    ),
    path(
        "accounts/signup/passkey/verify/",
        passkeys.SignupVerifyView.as_view(),
        name="signup_passkey_verify",
    ),
    path(
        "accounts/verify-email/resend/",
        lifecycle.ResendVerificationView.as_view(),
        name="resend_verification",
    ),
    path(
        "accounts/verify-email/<str:token>/",
        lifecycle.VerifyEmailView.as_view(),
        name="verify_email",
    ),
    path(
        "accounts/password/change/",
        lifecycle.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/reset/",
        lifecycle.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "dashboard/sessions/", usersessions.SessionListView.as_view(), name="sessions"
    ),
    path(
        "dashboard/sessions/<uuid:public_id>/end/",
        usersessions.SessionEndView.as_view(),
        name="session_end",
    ),
    path(
        "dashboard/sessions/end-others/",
        usersessions.SessionEndOthersView.as_view(),
        name="session_end_others",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        lifecycle.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/profile/", lifecycle.ProfileView.as_view(), name="profile"),
    path(
        "accounts/email/confirm/<str:token>/",
        lifecycle.EmailChangeConfirmView.as_view(),
        name="email_change_confirm",
    ),
    path(
        "accounts/delete/", lifecycle.AccountDeleteView.as_view(), name="account_delete"
    ),
]
