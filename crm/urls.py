from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from crm.views import set_language

admin.site.site_header = admin.site.site_title = "Cluster CRM"
# No public pages yet: the admin is the whole site, so it shows no "view site" link.
admin.site.site_url = None

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
