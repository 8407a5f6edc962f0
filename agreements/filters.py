import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from clusters.models import Organisation
from clusters.search import filter_folded

from .models import Agreement, PressRelease, Topic


def signing_years(request=None):
    years = Agreement.objects.filter(signed_on__isnull=False).dates("signed_on", "year", order="DESC")
    return [(day.year, day.year) for day in years]


def release_years(request=None):
    years = PressRelease.objects.dates("published_on", "year", order="DESC")
    return [(day.year, day.year) for day in years]


def search_field(help_text):
    return django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=200,
        help_text=help_text,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class AgreementFilterSet(django_filters.FilterSet):
    q = search_field(_("A word of the title, a place, or a party's name or acronym."))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Agreement.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Agreement.Status.choices)
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic"), queryset=Topic.objects.all(), to_field_name="slug", field_name="topics"
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("Party"),
        queryset=Organisation.objects.order_by("name"),
        to_field_name="slug",
        field_name="organisations",
    )
    year = django_filters.TypedChoiceFilter(
        label=_("Year signed"), choices=signing_years, coerce=int, field_name="signed_on", lookup_expr="year"
    )
    o = django_filters.OrderingFilter(
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
            "parties__organisation__name",
            "parties__organisation__acronym",
            "parties__name_as_written",
        )


class PressReleaseFilterSet(django_filters.FilterSet):
    q = search_field(_("A word of the title, the kicker or the subtitle."))
    language = django_filters.ChoiceFilter(label=_("Language"), choices=PressRelease.Language.choices)
    issuer = django_filters.ModelChoiceFilter(
        label=_("Issued by"), queryset=Organisation.objects.order_by("name"), to_field_name="slug", field_name="issuers"
    )
    year = django_filters.TypedChoiceFilter(
        label=_("Year"), choices=release_years, coerce=int, field_name="published_on", lookup_expr="year"
    )
    o = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields={"published_on": "date", "title": "title"},
        field_labels={"published_on": _("Date"), "title": _("Title")},
    )

    class Meta:
        model = PressRelease
        fields = []

    def filter_search(self, queryset, name, value):
        return filter_folded(queryset, value, "title", "kicker", "subtitle", "place")
