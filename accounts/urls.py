"""Logging in (with its second step), out, resetting a password, two-factor authentication; the back office's
login goes through the site's."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from .views import (
    AdminLoginView,
    BackupCodesView,
    LoginCodeView,
    LoginView,
    PasswordResetConfirmView,
    RemoveAppView,
    TwoFactorView,
)

# How long a password reset link works, as the email and the page say it.
RESET_HOURS = settings.PASSWORD_RESET_TIMEOUT // 3600

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("login/code/", LoginCodeView.as_view(), name="login_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(extra_email_context={"reset_hours": RESET_HOURS}),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(extra_context={"reset_hours": RESET_HOURS}),
        name="password_reset_done",
    ),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("password-reset/<uidb64>/<token>/", PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("account/two-factor/", TwoFactorView.as_view(), name="two_factor"),
    path("account/two-factor/backup-codes/", BackupCodesView.as_view(), name="two_factor_backup_codes"),
    path("account/two-factor/remove/", RemoveAppView.as_view(), name="two_factor_remove"),
    # The back office's login has the site's two steps; its "forgotten your password?" link leads to the site's.
    path("admin/login/", AdminLoginView.as_view(), name="admin_login"),
    path("admin/password_reset/", RedirectView.as_view(pattern_name="password_reset"), name="admin_password_reset"),
]
