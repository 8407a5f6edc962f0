"""The FilterSets of the agreement and press-release lists, shared by the pages and the API.

Search (``q``) ignores case, accents and punctuation. Agreements and press releases number in the
hundreds, so rather than keep a folded ``search_text`` column (as people do), ``q`` folds the few fields
concerned in Python and filters on the matching primary keys (``core.search.filter_folded``): the same
results on SQLite and PostgreSQL, and no column to keep in step.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from clusters.filters import organisation_box, organisation_filter
from contacts.filters import person_filter
from core.filters import OrderingFilter, SlugChoiceFilter, StableOrderingFilter
from core.search import filter_folded

from .models import Agreement, AgreementParty, PressRelease, Signatory, Topic


def signing_years(request=None):
    years = Agreement.objects.filter(signed_on__isnull=False).dates("signed_on", "year", order="DESC")
    return [(str(day.year), str(day.year)) for day in years]


def release_years(request=None):
    years = PressRelease.objects.dates("published_on", "year", order="DESC")
    return [(str(day.year), str(day.year)) for day in years]


def search_field(help_text):
    return django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=200,
        help_text=help_text,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


def date_field(label, lookup_expr):
    return django_filters.DateFilter(
        label=label,
        field_name="signed_on",
        lookup_expr=lookup_expr,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class AgreementFilterSet(django_filters.FilterSet):
    q = search_field(_("A word of the title, the place or the summary, or a party's name or acronym."))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Agreement.Kind.choices, empty_label=_("All kinds"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Agreement.Status.choices, empty_label=_("All statuses")
    )
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic"),
        queryset=Topic.objects.all(),
        to_field_name="slug",
        field_name="topics",
        empty_label=_("All topics"),
    )
    organisation = organisation_box(_("Party"), _("All organisations"), field_name="organisations")
    # A ChoiceFilter (not a TypedChoiceFilter) so that the list starts with an empty "all years" choice:
    # without it the browser would submit the first year with every search.
    year = django_filters.ChoiceFilter(
        label=_("Year signed"),
        choices=signing_years,
        field_name="signed_on",
        lookup_expr="year",
        empty_label=_("All years"),
    )
    signed_after = date_field(_("Signed from"), "gte")
    signed_before = date_field(_("Signed until"), "lte")
    o = OrderingFilter(
        label=_("Sort by"),
        fields={"signed_on": "signed_on", "title": "title", "place": "place"},
        field_labels={"signed_on": _("Signed on"), "title": _("Title"), "place": _("Place")},
    )

    class Meta:
        model = Agreement
        fields = []

    def filter_search(self, queryset, name, value):
        return filter_folded(
            queryset,
            value,
            "title",
            "place",
            "venue",
            "summary",
            "parties__organisation__name",
            "parties__organisation__acronym",
            "parties__name_as_written",
            "parties__organisation__other_names__name",
        )


class PressReleaseFilterSet(django_filters.FilterSet):
    q = search_field(_("A word of the title, the kicker or the subtitle."))
    language = django_filters.ChoiceFilter(
        label=_("Language"), choices=PressRelease.Language.choices, empty_label=_("All languages")
    )
    issuer = organisation_box(_("Issued by"), _("All issuers"), field_name="issuers")
    year = django_filters.ChoiceFilter(
        label=_("Year"),
        choices=release_years,
        field_name="published_on",
        lookup_expr="year",
        empty_label=_("All years"),
    )
    o = OrderingFilter(
        label=_("Sort by"),
        fields={"published_on": "date", "title": "title"},
        field_labels={"published_on": _("Date"), "title": _("Title")},
    )

    class Meta:
        model = PressRelease
        fields = []

    def filter_search(self, queryset, name, value):
        return filter_folded(queryset, value, "title", "kicker", "subtitle", "place")


def agreement_filter():
    return SlugChoiceFilter(
        label=_("Agreement"), help_text=_("Slug of the agreement."), queryset=Agreement.objects.all()
    )


class AgreementPartyFilterSet(django_filters.FilterSet):
    agreement = agreement_filter()
    organisation = organisation_filter(_("Organisation"), _("Slug of the organisation."))
    role = django_filters.ChoiceFilter(label=_("Role"), choices=AgreementParty.Role.choices)
    o = StableOrderingFilter(
        label=_("Sort by"), fields={"agreement__signed_on": "signed_on", "organisation__name": "organisation"}
    )

    class Meta:
        model = AgreementParty
        fields = []


class SignatoryFilterSet(django_filters.FilterSet):
    agreement = agreement_filter()
    person = person_filter()
    organisation = organisation_filter(_("Signed for"), _("Slug of the party the person signed for."))
    o = StableOrderingFilter(
        label=_("Sort by"), fields={"agreement__signed_on": "signed_on", "person__family_name": "person"}
    )

    class Meta:
        model = Signatory
        fields = []
