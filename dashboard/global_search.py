"""The search box of every page's header: people, organisations, agreements and press releases at once.

Each group is searched by its own list's FilterSet, given only ``q``, so that a group's results and count are
what its "See all" link shows: people who asked not to be contacted are left out, as the directory leaves them out
unless asked. A group is read in a fixed number of queries whatever the data: the keys of at most
``COUNT_LIMIT + 1`` matches, in the list's order, then the ``SHOWN`` first rows by their key.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy, ngettext_lazy
from django.views.generic import TemplateView

from agreements.filters import AgreementFilterSet, PressReleaseFilterSet
from agreements.models import Agreement, PressRelease
from clusters.filters import OrganisationFilterSet
from clusters.models import Organisation
from contacts.filters import PersonFilterSet
from contacts.models import Person, Position
from contacts.search import MAX_QUERY_LENGTH

SHOWN = 5
COUNT_LIMIT = 50


@dataclass
class Group:
    """One kind of record found: its heading, its first ``SHOWN`` rows, how many matched (up to ``COUNT_LIMIT + 1``)
    and how many that is in words, and its own list's search for the same words."""

    key: str
    heading: str
    rows: list
    count: int
    count_text: str
    list_url: str


def _people_rows():
    """People as a result shows them: name and current main position, no contact details."""
    return Person.objects.only("pk", "slug", "given_name", "family_name").prefetch_related(
        Prefetch(
            "positions",
            queryset=Position.objects.current()
            .select_related("organisation")
            .only("pk", "person_id", "title", "is_primary", "organisation__name", "organisation__acronym")
            .order_by("-is_primary", "pk"),
            to_attr="current_positions",
        )
    )


@dataclass(frozen=True)
class Source:
    """Where a group's results come from: the permission it needs, its heading, how many were found in words ("12
    people", or beyond the count's limit "More than 50 people"), its list (FilterSet, order, address) and the rows
    a result shows."""

    key: str
    permission: str
    heading: str
    counted: str
    beyond: str
    filterset: type
    listed: Callable
    list_name: str
    rows: Callable


SOURCES = [
    Source(
        key="people",
        permission="contacts.view_person",
        heading=gettext_lazy("People"),
        counted=ngettext_lazy("%(count)s person", "%(count)s people", "count"),
        beyond=gettext_lazy("More than %(count)s people"),
        filterset=PersonFilterSet,
        listed=lambda: Person.objects.all(),  # the model's order, the directory's
        list_name="contacts:person_list",
        rows=_people_rows,
    ),
    Source(
        key="organisations",
        permission="clusters.view_organisation",
        heading=gettext_lazy("Organisations"),
        counted=ngettext_lazy("%(count)s organisation", "%(count)s organisations", "count"),
        beyond=gettext_lazy("More than %(count)s organisations"),
        filterset=OrganisationFilterSet,
        listed=lambda: Organisation.objects.order_by("name"),
        list_name="clusters:organisation_list",
        rows=lambda: Organisation.objects.only("pk", "slug", "name", "acronym", "kind", "city"),
    ),
    Source(
        key="agreements",
        permission="agreements.view_agreement",
        heading=gettext_lazy("Agreements"),
        counted=ngettext_lazy("%(count)s agreement", "%(count)s agreements", "count"),
        beyond=gettext_lazy("More than %(count)s agreements"),
        filterset=AgreementFilterSet,
        listed=lambda: Agreement.objects.order_by("-signed_on", "title"),
        list_name="agreements:agreement_list",
        rows=lambda: Agreement.objects.only("pk", "slug", "title", "signed_on"),
    ),
    Source(
        key="press_releases",
        permission="agreements.view_pressrelease",
        heading=gettext_lazy("Press releases"),
        counted=ngettext_lazy("%(count)s press release", "%(count)s press releases", "count"),
        beyond=gettext_lazy("More than %(count)s press releases"),
        filterset=PressReleaseFilterSet,
        listed=lambda: PressRelease.objects.order_by("-published_on", "title"),
        list_name="agreements:press_release_list",
        rows=lambda: PressRelease.objects.only("pk", "slug", "title", "published_on"),
    ),
]


def _matching_keys(filterset) -> list:
    """The keys of the first ``COUNT_LIMIT + 1`` matches of ``filterset``, in its list's order; none if the
    query is refused (a FilterSet whose form is invalid would filter on nothing)."""
    if not filterset.is_valid():
        return []
    return list(filterset.qs.prefetch_related(None).values_list("pk", flat=True)[: COUNT_LIMIT + 1])


def _count_text(source: Source, count: int) -> str:
    if count > COUNT_LIMIT:
        return source.beyond % {"count": COUNT_LIMIT}
    return source.counted % {"count": count}


def search_everything(user, query: str) -> list[Group]:
    """The groups ``user`` may see that hold a match for ``query``, in a fixed order; nothing for an empty query."""
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    if not query:
        return []
    groups = []
    for source in SOURCES:
        if not user.has_perm(source.permission):
            continue
        keys = _matching_keys(source.filterset({"q": query}, queryset=source.listed()))
        if not keys:
            continue
        shown = {row.pk: row for row in source.rows().filter(pk__in=keys[:SHOWN])}
        groups.append(
            Group(
                key=source.key,
                heading=str(source.heading),
                rows=[shown[pk] for pk in keys[:SHOWN] if pk in shown],
                count=len(keys),
                count_text=_count_text(source, len(keys)),
                list_url=f"{reverse(source.list_name)}?{urlencode({'q': query})}",
            )
        )
    return groups


class GlobalSearchView(LoginRequiredMixin, TemplateView):
    """``/search/?q=…``: the grouped results as a page; to the header's box (an htmx request), the results alone."""

    template_name = "dashboard/global_search.html"
    results_template_name = "dashboard/includes/global_search_results.html"

    def get_template_names(self):
        htmx = self.request.htmx
        if htmx and not htmx.boosted and not htmx.history_restore_request:
            return [self.results_template_name]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
        return super().get_context_data(
            global_search_query=query,
            groups=search_everything(self.request.user, query),
            **kwargs,
        )

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        # The same address answers a fragment or a whole page: caches must keep them apart.
        patch_vary_headers(response, ["HX-Request"])
        return response
