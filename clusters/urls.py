from django.urls import path

from . import views

app_name = "clusters"
urlpatterns = [
    path("", views.OrganisationListView.as_view(), name="organisation_list"),
    path("suggestions/", views.OrganisationSuggestionsView.as_view(), name="organisation_suggestions"),
    path(
        "suggestions/clusters/",
        views.OrganisationSuggestionsView.as_view(clusters_only=True),
        name="cluster_suggestions",
    ),
    path("memberships/unpaid-dues/", views.UnpaidDuesView.as_view(), name="unpaid_dues"),
    path("memberships/renewals/", views.RenewalsView.as_view(), name="renewals"),
    path("<slug:slug>/", views.OrganisationDetailView.as_view(), name="organisation_detail"),
]
