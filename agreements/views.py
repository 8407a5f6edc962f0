from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Prefetch
from django.views.generic import DetailView

from clusters.models import Organisation
from contacts.models import Person
from crm.pages import FilteredListView, StaffPageMixin

from .filters import AgreementFilterSet, PressReleaseFilterSet
from .linking import link_names
from .models import Agreement, PressRelease, Provenance


class AgreementListView(FilteredListView):
    permission_required = "agreements.view_agreement"
    filterset_class = AgreementFilterSet
    template_name = "agreements/agreement_list.html"
    results_template_name = "agreements/includes/agreement_results.html"

    def get_queryset(self):
        return Agreement.objects.listing().order_by("-signed_on", "title")

    def get_context_data(self, **kwargs):
        return super().get_context_data(section="agreements", **kwargs)


class AgreementDetailView(StaffPageMixin, DetailView):
    permission_required = "agreements.view_agreement"
    queryset = Agreement.objects.for_page()
    template_name = "agreements/agreement_detail.html"

    def get_context_data(self, **kwargs):
        sources = Provenance.objects.for_object(self.object).select_related("press_release")
        return super().get_context_data(
            section="agreements",
            sources=sorted({entry.press_release for entry in sources}, key=lambda release: release.published_on),
            **kwargs,
        )


class PressReleaseListView(FilteredListView):
    permission_required = "agreements.view_pressrelease"
    filterset_class = PressReleaseFilterSet
    template_name = "agreements/pressrelease_list.html"
    results_template_name = "agreements/includes/pressrelease_results.html"

    def get_queryset(self):
        return PressRelease.objects.listing().order_by("-published_on", "title")

    def get_context_data(self, **kwargs):
        return super().get_context_data(section="agreements", **kwargs)


def named_records(release) -> list[tuple[str, str]]:
    """(name as the text may write it, address) of every record the release names or was the source of."""
    organisations, people = set(), set()
    names = []
    for organisation in release.issuers.all():
        organisations.add(organisation)
    for agreement in release.agreements.all():
        names.append((agreement.title, agreement.get_absolute_url()))
        for party in agreement.parties.all():
            organisations.add(party.organisation)
            if party.name_as_written:
                names.append((party.name_as_written, party.organisation.get_absolute_url()))
        people.update(signatory.person for signatory in agreement.signatories.all())
    for role in release.press_contacts.all():
        people.add(role.person)
        organisations.add(role.organisation)
    for quote in release.quotes.all():
        people.add(quote.person)
        if quote.organisation:
            organisations.add(quote.organisation)
    for entry in release.provenances.all():
        record = entry.record
        if record is not None and record._meta.model_name in ("person", "organisation"):
            (people if record._meta.model_name == "person" else organisations).add(record)
    for organisation in organisations:
        url = organisation.get_absolute_url()
        names += [(organisation.name, url), (organisation.acronym, url)]
        names += [(other.name, url) for other in organisation.other_names.all()]
    for person in people:
        names.append((person.full_name, person.get_absolute_url()))
    return [(name, url) for name, url in names if name]


class PressReleaseDetailView(StaffPageMixin, DetailView):
    permission_required = "agreements.view_pressrelease"
    template_name = "agreements/pressrelease_detail.html"

    def get_queryset(self):
        # The records a release was the source of, fetched per model (people, organisations) in one query each.
        records = GenericPrefetch(
            "record", [Person.objects.all(), Organisation.objects.prefetch_related("other_names")]
        )
        return PressRelease.objects.for_page().prefetch_related(
            Prefetch(
                "provenances",
                queryset=Provenance.objects.filter(
                    content_type__app_label__in=["contacts", "clusters"],
                    content_type__model__in=["person", "organisation"],
                ).prefetch_related(records),
            )
        )

    def get_context_data(self, **kwargs):
        release = self.object
        return super().get_context_data(
            section="agreements", linked_text=link_names(release.text, named_records(release)), **kwargs
        )
