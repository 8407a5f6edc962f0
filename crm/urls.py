from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from contacts.views import DuplicatesView, MergeView
from crm.forms import AdminLoginForm, LoginForm
from crm.views import DashboardView, set_language

handler404 = "crm.views.page_not_found"

admin.site.site_header = admin.site.site_title = "Cluster CRM"
admin.site.site_url = "/"
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", include("crm.api_urls")),
]
urlpatterns += i18n_patterns(
    path("", DashboardView.as_view(), name="dashboard"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("contacts/", include("contacts.urls")),
    path("duplicates/", DuplicatesView.as_view(), name="duplicates"),
    path("duplicates/merge/", MergeView.as_view(), name="merge"),
    path("organisations/", include("clusters.urls")),
    path("", include("agreements.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
