from django.db.models import prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from core.charts import BarChart
from core.pages import FilteredListView, StaffPageMixin

from .filters import AgreementFilterSet, PressReleaseFilterSet
from .markup import render_release
from .models import Agreement, PressRelease, Provenance
from .statistics import agreements_per_year


class AgreementListView(FilteredListView):
    permission_required = "agreements.view_agreement"
    filterset_class = AgreementFilterSet
    template_name = "agreements/agreement_list.html"
    results_template_name = "agreements/includes/agreement_results.html"

    def get_queryset(self):
        return Agreement.objects.listing().order_by("-signed_on", "title")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(section="agreements", **kwargs)
        if not self.answers_results_only():
            context["chart"] = BarChart(_("Agreements signed each year"), agreements_per_year(), _("Agreements"))
        return context


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


def named_records(release: PressRelease) -> list[tuple[str, str]]:
    """(name as the text may write it, address) of every record the release names or was the source of.

    ``release`` comes from ``PressRelease.objects.for_page()``; the other names of all the organisations
    are read in one query.
    """
    organisations, people, names = {}, {}, []
    for organisation in release.issuers.all():
        organisations.setdefault(organisation.pk, organisation)
    for agreement in release.agreements.all():
        names.append((agreement.title, agreement.get_absolute_url()))
        if agreement.host:
            organisations.setdefault(agreement.host.pk, agreement.host)
        for party in agreement.parties.all():
            organisations.setdefault(party.organisation.pk, party.organisation)
            names.append((party.name_as_written, party.organisation.get_absolute_url()))
        for signatory in agreement.signatories.all():
            people.setdefault(signatory.person.pk, signatory.person)
    for role in release.press_contacts.all():
        people.setdefault(role.person.pk, role.person)
        organisations.setdefault(role.organisation.pk, role.organisation)
    for quote in release.quotes.all():
        people.setdefault(quote.person.pk, quote.person)
        if quote.organisation:
            organisations.setdefault(quote.organisation.pk, quote.organisation)
    for entry in release.sourced_records:
        record = entry.record
        if record is not None:
            bucket = people if record._meta.model_name == "person" else organisations
            bucket.setdefault(record.pk, record)
    prefetch_related_objects(list(organisations.values()), "other_names")
    for organisation in organisations.values():
        url = organisation.get_absolute_url()
        names += [(organisation.name, url), (organisation.acronym, url)]
        names += [(other.name, url) for other in organisation.other_names.all()]
    for person in people.values():
        names.append((person.full_name, person.get_absolute_url()))
    return [(name, url) for name, url in names if name]


class PressReleaseDetailView(StaffPageMixin, DetailView):
    permission_required = "agreements.view_pressrelease"
    queryset = PressRelease.objects.for_page()
    template_name = "agreements/pressrelease_detail.html"

    def get_context_data(self, **kwargs):
        release = self.object
        return super().get_context_data(
            section="agreements", linked_text=render_release(release.text, named_records(release)), **kwargs
        )
