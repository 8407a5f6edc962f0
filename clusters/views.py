from collections import Counter

from django.apps import apps
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView

from core.charts import BarChart
from core.history import history_of
from core.pages import FilteredListView, StaffPageMixin
from core.spreadsheets import table_response
from core.views import bad_request

from .exports import EXPORT_FORMATS, export_organisations
from .filters import ClusterMemberFilterSet, OrganisationFilterSet
from .models import Due, Membership, Organisation
from .statistics import members_by_kind, members_by_region, members_over_time


class OrganisationListView(FilteredListView):
    permission_required = "clusters.view_organisation"
    filterset_class = OrganisationFilterSet
    template_name = "clusters/organisation_list.html"
    results_template_name = "clusters/includes/organisation_results.html"

    def get_queryset(self):
        return Organisation.objects.listing().order_by("name")

    def get(self, request, *args, **kwargs):
        export_format = request.GET.get("format", "")
        if export_format in EXPORT_FORMATS:
            return self.export(export_format)
        return super().get(request, *args, **kwargs)

    def export(self, export_format: str):
        """Every organisation the page's filters match, in the page's order, as ``export_format``."""
        queryset = Organisation.objects.for_sheet().order_by("name", "pk")
        filterset = self.filterset_class(self.request.GET, queryset=queryset, request=self.request)
        if not filterset.is_valid():
            return bad_request(
                self.request, _("The filters are not valid: correct them on the organisations page."), self.request.path
            )
        return export_organisations(filterset.qs, export_format=export_format)

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        return super().get_context_data(
            section="organisations",
            export_formats=EXPORT_FORMATS.items(),
            export_query=query.urlencode(),
            **kwargs,
        )


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
        key_figures = list(organisation.key_figures.all())
        return super().get_context_data(
            section="organisations",
            key_figures=key_figures,
            # A column that would read "—" on every row is left out.
            key_figures_have_years=any(figure.year for figure in key_figures),
            key_figures_have_sources=any(figure.source or figure.source_organisations.all() for figure in key_figures),
            current_positions=[position for position in positions if position.is_current],
            past_positions=[position for position in positions if not position.is_current],
            sources=sources,
            changes=history_of(organisation, dependants=[(Membership, "member")]),
            history_url=(
                reverse("admin:clusters_organisation_history", args=[organisation.pk])
                if self.request.user.has_perm("clusters.change_organisation")
                else None
            ),
            **self.members_context(organisation),
            **kwargs,
        )

    def members_context(self, organisation) -> dict:
        """A cluster's members table, filtered as the query string asks, with today's figures.

        A cluster without any membership recorded gets an empty state, not zeros, empty charts and a filter form
        with nothing to filter (``member_periods_recorded`` is 0); charts without data are left out."""
        periods = (
            Membership.objects.filter(cluster=organisation)
            .select_related("member", "membership_type")
            .with_status()
            .order_by("member__name", "-started_on")
        )
        statuses = Counter(periods.values_list("status_on_day", flat=True))
        if not statuses and organisation.kind != Organisation.Kind.CLUSTER:
            return {}
        filterset = ClusterMemberFilterSet(self.request.GET, queryset=periods, cluster=organisation)
        members = filterset.qs if filterset.is_valid() else periods.none()
        charts = (
            [
                BarChart(_("Members at the end of each year"), members_over_time(organisation), _("Members")),
                BarChart(_("Members today by region"), members_by_region(organisation), _("Members")),
                BarChart(_("Members today by kind"), members_by_kind(organisation), _("Members")),
            ]
            if statuses
            else []
        )
        return {
            "member_filter": filterset,
            "member_periods_recorded": statuses.total(),
            "member_periods": members,
            "member_figures": [
                (status.label, statuses.get(status.value, 0), status.value) for status in Membership.Status
            ],
            "member_count": Organisation.objects.members_of(organisation).count(),
            "member_charts": [chart for chart in charts if chart.data],
            "export_formats": [("csv", "CSV"), ("xlsx", "XLSX"), ("vcf", "vCard")],
        }


LIST_FORMATS = ("csv", "xlsx")


class MembershipListView(StaffPageMixin, ListView):
    """A membership list (unpaid dues, renewals due) shown as a page or downloaded as CSV or XLSX
    (``?format=csv``), with the same rows."""

    paginate_by = 50
    stem: str
    sheet_title: str

    def get(self, request, *args, **kwargs):
        export_format = request.GET.get("format", "")
        if export_format in LIST_FORMATS:
            return table_response(
                export_format=export_format,
                header=[str(label) for label in self.header()],
                rows=(self.cells(row) for row in self.get_queryset().iterator(chunk_size=1000)),
                stem=str(self.stem),
                sheet_title=str(self.sheet_title),
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        return super().get_context_data(
            section="organisations",
            header=self.header(),
            export_formats=LIST_FORMATS,
            export_query=query.urlencode(),
            **kwargs,
        )


class UnpaidDuesView(MembershipListView):
    permission_required = ("clusters.view_due", "clusters.view_membership")
    template_name = "clusters/unpaid_dues.html"
    stem = pgettext_lazy("file name", "unpaid dues")
    sheet_title = _("Unpaid dues")

    def get_queryset(self):
        return (
            Due.objects.unpaid()
            .select_related("membership__member", "membership__cluster", "membership__membership_type")
            .order_by("invoiced_on", "membership__member__name", "pk")
        )

    def header(self):
        return [_("Member"), _("Cluster"), _("Membership type"), _("Period"), _("Amount"), _("Invoiced on")]

    def cells(self, due):
        membership = due.membership
        return [
            membership.member.name,
            membership.cluster.name,
            membership.membership_type.name if membership.membership_type else "",
            str(membership),
            f"{due.amount:.2f}",
            due.invoiced_on.isoformat(),
        ]


class RenewalsView(MembershipListView):
    permission_required = "clusters.view_membership"
    template_name = "clusters/renewals.html"
    stem = pgettext_lazy("file name", "renewals due")
    sheet_title = _("Renewals due")
    default_days = 60

    def days(self) -> int:
        try:
            return min(max(int(self.request.GET.get("days", self.default_days)), 1), 366)
        except ValueError:
            return self.default_days

    def get_queryset(self):
        return (
            Membership.objects.renewals_due(within_days=self.days())
            .select_related("member", "cluster", "membership_type")
            .order_by("ended_on", "member__name", "pk")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(days=self.days(), **kwargs)

    def header(self):
        return [_("Member"), _("Cluster"), _("Membership type"), _("Ends on"), _("Annual fee")]

    def cells(self, membership):
        membership_type = membership.membership_type
        fee = membership_type.annual_fee if membership_type else None
        return [
            membership.member.name,
            membership.cluster.name,
            membership_type.name if membership_type else "",
            membership.ended_on.isoformat(),
            f"{fee:.2f}" if fee is not None else "",
        ]


class OrganisationSuggestionsView(StaffPageMixin, View):
    """Up to 20 organisations whose name, acronym or slug holds what was typed, as ``<option>`` elements for a
    ``SuggestedKeyInput``'s datalist: the value is the slug, the label the name. Reads the typed text under any
    parameter name (the box sends it under its own name)."""

    permission_required = "clusters.view_organisation"
    limit = 20
    clusters_only = False

    def get(self, request):
        typed = next((value for value in request.GET.values() if value.strip()), "").strip()[:100]
        organisations = Organisation.objects.clusters() if self.clusters_only else Organisation.objects.all()
        organisations = organisations.suggested_for(typed)[: self.limit] if typed else []
        return render(request, "clusters/includes/organisation_suggestions.html", {"organisations": organisations})
