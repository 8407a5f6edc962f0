from django.apps import apps
from django.views.generic import DetailView

from crm.pages import FilteredListView, StaffPageMixin

from .filters import OrganisationFilterSet
from .models import Organisation


class OrganisationListView(FilteredListView):
    permission_required = "clusters.view_organisation"
    filterset_class = OrganisationFilterSet
    template_name = "clusters/organisation_list.html"
    results_template_name = "clusters/includes/organisation_results.html"

    def get_queryset(self):
        return Organisation.objects.listing().order_by("name")

    def get_context_data(self, **kwargs):
        return super().get_context_data(section="organisations", **kwargs)


class OrganisationDetailView(StaffPageMixin, DetailView):
    permission_required = "clusters.view_organisation"
    template_name = "clusters/organisation_detail.html"
    # People, press contacts, agreements and press releases point at organisations from the apps above this
    # one: their reverse relations are prefetched by name, so that this app imports none of them.
    queryset = Organisation.objects.for_page().prefetch_related(
        "positions__person",
        "press_contacts__person",
        "agreement_parties__agreement",
        "press_releases",
    )

    def get_context_data(self, **kwargs):
        organisation = self.object
        positions = list(organisation.positions.all())
        # Provenance lives in the agreements app (see above): looked up by name, not imported.
        provenance = apps.get_model("agreements", "Provenance")
        sources = sorted(
            {
                entry.press_release
                for entry in provenance.objects.for_object(organisation).select_related("press_release")
            },
            key=lambda release: release.published_on,
        )
        return super().get_context_data(
            section="organisations",
            current_positions=[position for position in positions if position.is_current],
            past_positions=[position for position in positions if not position.is_current],
            sources=sources,
            **kwargs,
        )
