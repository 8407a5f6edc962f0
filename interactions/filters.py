"""The interactions' FilterSet: one definition for the list page and the API."""

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters.filters import organisation_box
from contacts.models import Person
from core.filters import SlugChoiceFilter, StableOrderingFilter
from core.widgets import SuggestedKeyInput

from .models import Interaction


def person_name(slug: str) -> str | None:
    found = Person.objects.filter(slug=slug).values_list("given_name", "family_name").first()
    return " ".join(part for part in found if part) if found else None


def start_of_day(day: date) -> datetime:
    """The first instant of ``day`` in the current time zone: a date range compares the column itself, so that
    the index on the date serves it."""
    return timezone.make_aware(datetime.combine(day, time.min))


def date_filter(label, method):
    return django_filters.DateFilter(
        label=label, method=method, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class InteractionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=200,
        help_text=_("A word of the subject or the text."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    # A box with suggestions as one types: a <select> listed every person (10 028 options, 751 KB, 5 s at 10 000
    # people).
    person = SlugChoiceFilter(
        label=_("Person"),
        help_text=_("Slug of a person: the interactions that involved them."),
        queryset=Person.objects.all(),
        field_name="people",
        widget=SuggestedKeyInput(
            "interactions:person_suggestions", choice_label=person_name, attrs={"placeholder": _("Everyone")}
        ),
    )
    organisation = organisation_box(_("Organisation"), _("All organisations"), field_name="organisations")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Interaction.Kind.choices, empty_label=_("All kinds"))
    occurred_after = date_filter(_("From"), "filter_occurred_after")
    occurred_before = date_filter(_("Until"), "filter_occurred_before")
    logged_by = SlugChoiceFilter(
        label=_("Logged by"),
        help_text=_("User name of the member of staff who logged them."),
        queryset=get_user_model().objects.all(),
        to_field_name="username",
        empty_label=_("Anyone"),
    )
    o = StableOrderingFilter(
        label=_("Sort by"),
        fields={"occurred_at": "date", "subject": "subject"},
        field_labels={"occurred_at": _("Date"), "subject": _("Subject")},
    )

    class Meta:
        model = Interaction
        fields = []

    def filter_search(self, queryset, name, value: str):
        for word in value.split():
            queryset = queryset.filter(Q(subject__icontains=word) | Q(text__icontains=word))
        return queryset

    def filter_occurred_after(self, queryset, name, value: date):
        return queryset.filter(occurred_at__gte=start_of_day(value))

    def filter_occurred_before(self, queryset, name, value: date):
        if value >= date.max:
            return queryset
        return queryset.filter(occurred_at__lt=start_of_day(value + timedelta(days=1)))
