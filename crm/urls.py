from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from contacts.views import DuplicatesView, MergeView
from crm.views import (
    AdminLoginView,
    BackupCodesView,
    DashboardView,
    LoginCodeView,
    LoginView,
    PasswordResetConfirmView,
    RemoveAppView,
    TwoFactorView,
    set_language,
)

handler404 = "crm.views.page_not_found"
# How long a password reset link works, as the email and the page say it.
RESET_HOURS = settings.PASSWORD_RESET_TIMEOUT // 3600

admin.site.site_header = admin.site.site_title = "Cluster CRM"
admin.site.site_url = "/"

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", include("crm.api_urls")),
]
urlpatterns += i18n_patterns(
    path("", DashboardView.as_view(), name="dashboard"),
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
    path("contacts/", include("contacts.urls")),
    path("duplicates/", DuplicatesView.as_view(), name="duplicates"),
    path("duplicates/merge/", MergeView.as_view(), name="merge"),
    path("organisations/", include("clusters.urls")),
    path("", include("agreements.urls")),
    # The back office's login has the site's two steps; its "forgotten your password?" link leads to the site's.
    path("admin/login/", AdminLoginView.as_view(), name="admin_login"),
    path("admin/password_reset/", RedirectView.as_view(pattern_name="password_reset"), name="admin_password_reset"),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
