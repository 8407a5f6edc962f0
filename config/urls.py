"""Where each address goes: the API, the language switch, then the pages of each app in French (no prefix) and
English (/en/), the back office last."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from core.views import MovedView, set_language
from dashboard.global_search import GlobalSearchView
from dashboard.views import DashboardView

handler404 = "core.views.page_not_found"

admin.site.site_header = admin.site.site_title = "Cluster CRM"
admin.site.site_url = "/"

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    # Browsers ask for /favicon.ico whatever the pages link to; the static files' name is read when asked (lazily),
    # once the storage's manifest is loaded; not permanent, since the hashed name changes with the file.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("crm/favicon.svg"), permanent=False)),
    path("api/", include("config.api_urls")),
]
urlpatterns += i18n_patterns(
    path("", DashboardView.as_view(), name="dashboard"),
    path("search/", GlobalSearchView.as_view(), name="global_search"),
    path("", include("accounts.urls")),
    # Before contacts: /contacts/<slug>/ is a person, and "events" a slug no person may have.
    path("contacts/events/", include("events.urls")),
    path("contacts/", include("contacts.urls")),
    path("duplicates/", include("duplicates.urls")),
    path("interactions/", include("interactions.urls")),
    path("jobs/", include("jobs.urls")),
    path("organisations/", include("clusters.urls")),
    path("", include("agreements.urls")),
    # Events were part of contacts: their old back-office addresses lead to the new ones.
    re_path(
        r"^admin/contacts/(event|eventedition|invitation)/",
        MovedView.as_view(old="/admin/contacts/", new="/admin/events/"),
    ),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
