"""The follow-ups' FilterSet: whose, done or not, due when, about whom."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters.filters import organisation_filter
from contacts.models import Person
from core.filters import SlugChoiceFilter, StableOrderingFilter

from .models import FollowUp


def due_filter(label, lookup_expr, help_text):
    return django_filters.DateFilter(
        label=label,
        field_name="due_on",
        lookup_expr=lookup_expr,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class FollowUpFilterSet(django_filters.FilterSet):
    assigned_to = SlugChoiceFilter(
        label=_("Assigned to"),
        help_text=_("User name of the member of staff who has to do them."),
        queryset=get_user_model().objects.all(),
        to_field_name="username",
    )
    done = django_filters.BooleanFilter(
        label=_("Done"), method="filter_done", help_text=_("true: those done; false: those still to do.")
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"),
        method="filter_overdue",
        help_text=_("true: those still to do whose day has passed; false: the others."),
    )
    due_after = due_filter(_("Due from"), "gte", _("Those due on this day or later."))
    due_before = due_filter(_("Due until"), "lte", _("Those due on this day or earlier."))
    person = SlugChoiceFilter(
        label=_("Person"),
        help_text=_("Slug of a person: the follow-ups about them."),
        queryset=Person.objects.all(),
        field_name="people",
    )
    organisation = organisation_filter(_("Organisation"), _("Slug of the organisation."), field_name="organisations")
    o = StableOrderingFilter(
        label=_("Sort by"),
        fields={"due_on": "due", "created_at": "created"},
        field_labels={"due_on": _("Due on"), "created_at": _("Created")},
    )

    class Meta:
        model = FollowUp
        fields = []

    def filter_done(self, queryset, name, value: bool):
        return queryset.filter(done_at__isnull=not value)

    def filter_overdue(self, queryset, name, value: bool):
        overdue = queryset.overdue(timezone.localdate())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))
