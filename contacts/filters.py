"""The directory's FilterSet: one definition for the page, its export and the API."""

import calendar
import datetime

import django_filters
from django import forms
from django.apps import apps
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters.filters import (
    organisation_box,
    organisation_countries,
    organisation_filter,
    organisation_name,
    organisation_regions,
)
from clusters.models import Organisation
from core.filters import OrderingFilter, SlugChoiceFilter, StableOrderingFilter
from core.widgets import SuggestedKeyInput

from .models import ContactList, ContactPoint, Person, Position, PressContact, Tag


class PersonOrderingFilter(OrderingFilter):
    """Sorting by name, organisation (that of the primary current position), last change or last contact."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "fields",
            {
                "family_name": "name",
                "sort_organisation": "organisation",
                "updated_at": "updated",
                "last_contact__occurred_at": "last_contact",
            },
        )
        kwargs.setdefault(
            "field_labels",
            {
                "family_name": _("Name"),
                "sort_organisation": _("Organisation"),
                "updated_at": _("Last changed"),
                "last_contact__occurred_at": _("Last contact"),
            },
        )
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        if any(field.lstrip("-") == "organisation" for field in value):
            qs = qs.annotate(**organisation_sort_keys())
        ordering = []
        for field in value:
            descending = field.startswith("-")
            name = self.param_map.get(field.lstrip("-"))
            if name is None:
                continue
            if name == "last_contact__occurred_at":
                # The date of the latest interaction, kept beside the person by the interactions app and reached
                # by its reverse relation's name; people never contacted come last, whichever way.
                column = F("last_contact__occurred_at")
                ordering.append(column.desc(nulls_last=True) if descending else column.asc(nulls_last=True))
                continue
            if name == "sort_organisation":
                # The people with no organisation at all come last, whichever way: a sort by organisation that
                # opens on them shows nothing of what was asked for.
                ordering += [
                    getattr(F(column), "desc" if descending else "asc")(nulls_last=True)
                    for column in ("sort_organisation", "sort_title")
                ]
                continue
            columns = ["family_name", "given_name"] if name == "family_name" else [name]
            ordering += [f"-{column}" if descending else column for column in columns]
        return qs.order_by(*ordering, "family_name", "given_name", "pk")


def organisation_sort_keys() -> dict:
    """What the directory sorts by under "Organisation and title", as annotations of one query: the organisation
    of the person's main current position (primary first, as the row lists them) and its title; for a press
    contact with no current position, the first organisation they speak for (as the row lists it), so that they
    are found among that organisation's people instead of before everyone."""
    main_position = Position.objects.current().filter(person=OuterRef("pk")).order_by("-is_primary", "pk")
    press_role = PressContact.objects.filter(person=OuterRef("pk")).order_by("organisation__name", "pk")
    return {
        "sort_organisation": Coalesce(
            Subquery(main_position.values("organisation__name")[:1]),
            Subquery(press_role.values("organisation__name")[:1]),
        ),
        "sort_title": Subquery(main_position.values("title")[:1]),
    }


# "Not contacted for": months without an interaction.
NOT_CONTACTED_CHOICES = [
    ("3", _("3 months")),
    ("6", _("6 months")),
    ("12", _("1 year")),
    ("24", _("2 years")),
]


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` months earlier (the month's last day when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def event_editions(request=None):
    """The editions people may be invited to. The events app sits over this one (it invites people): its model
    is reached by name, as the other apps' are where a lower app must name them."""
    return apps.get_model("events", "EventEdition").objects.select_related("event")


class PersonFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=200,
        help_text=_("A name, an organisation, a title, an email or a phone number, in any format."),
        # The dashboard's search box says the same.
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "placeholder": _("A name, an organisation, a title, an email or a phone number"),
            }
        ),
    )
    organisation = organisation_box(_("Organisation"), _("All organisations"), method="filter_organisation")
    member_of = SlugChoiceFilter(
        label=_("At a member of the cluster"),
        queryset=Organisation.objects.clusters(),
        method="filter_member_of",
        widget=SuggestedKeyInput(
            "clusters:cluster_suggestions", choice_label=organisation_name, attrs={"placeholder": _("All clusters")}
        ),
        help_text=_("Slug of a cluster: the people of its member organisations today."),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind of organisation"),
        choices=Organisation.Kind.choices,
        method="filter_organisation_kind",
        empty_label=_("All kinds"),
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"),
        choices=organisation_countries,
        method="filter_organisation_country",
        empty_label=_("All countries"),
    )
    region = django_filters.ChoiceFilter(
        label=_("Region"),
        choices=organisation_regions,
        method="filter_organisation_region",
        empty_label=_("All regions"),
    )
    press_only = django_filters.BooleanFilter(
        label=_("Press contacts only"), method="filter_press_only", widget=forms.CheckboxInput, initial=False
    )
    contact_list = SlugChoiceFilter(
        label=_("Contact list"),
        queryset=ContactList.objects.all(),
        field_name="contact_lists",
        empty_label=_("All lists"),
    )
    tag = SlugChoiceFilter(label=_("Tag"), queryset=Tag.objects.all(), field_name="tags", empty_label=_("All tags"))
    has_email = django_filters.BooleanFilter(
        label=_("Has an email address"), method="filter_has_email", widget=forms.CheckboxInput, initial=False
    )
    has_phone = django_filters.BooleanFilter(
        label=_("Has a phone number"), method="filter_has_phone", widget=forms.CheckboxInput, initial=False
    )
    invited_to = django_filters.ModelChoiceFilter(
        label=_("Invited to"),
        queryset=event_editions,
        field_name="invitations__edition",
        help_text=_("Identifier of an event edition: the people invited to it."),
        empty_label=_("Any event"),
    )
    not_contacted_since = django_filters.ChoiceFilter(
        label=_("Not contacted for"),
        choices=NOT_CONTACTED_CHOICES,
        method="filter_not_contacted_since",
        empty_label=_("Any time"),
        help_text=_("People with no interaction logged for that long, those never contacted included."),
    )
    # The directory may show them (with their badge); exports never hold them (PersonExportFilterSet).
    include_do_not_contact = django_filters.BooleanFilter(
        label=_("Include people who asked not to be contacted"),
        method="filter_include_do_not_contact",
        widget=forms.CheckboxInput,
        # An unticked box is no filter: the drawer's count of filters in use (filters_in_use) leaves it out.
        initial=False,
    )
    o = PersonOrderingFilter(label=_("Sort by"))

    class Meta:
        model = Person
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        # Always bound, even to an empty query string, so that do-not-contact people are left out of a page
        # opened without any filter too.
        super().__init__(data if data is not None else QueryDict(), *args, **kwargs)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # Left out of the page and the API's list unless explicitly asked for.
        if self.leaves_out_do_not_contact():
            queryset = queryset.contactable()
        return queryset

    def leaves_out_do_not_contact(self) -> bool:
        return not self.form.cleaned_data.get("include_do_not_contact")

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_organisation(self, queryset, name, value: Organisation):
        return queryset.working_at(Organisation.objects.filter(pk=value.pk))

    def filter_member_of(self, queryset, name, value: Organisation):
        return queryset.working_at(Organisation.objects.members_of(value))

    def filter_organisation_kind(self, queryset, name, value):
        return queryset.working_at(Organisation.objects.filter(kind=value))

    def filter_organisation_country(self, queryset, name, value: str):
        return queryset.working_at(Organisation.objects.filter(country=value))

    def filter_organisation_region(self, queryset, name, value: str):
        return queryset.working_at(Organisation.objects.filter(region=value))

    def filter_press_only(self, queryset, name, value):
        return queryset.press_contacts() if value else queryset

    def filter_has_email(self, queryset, name, value):
        return queryset.with_email() if value else queryset

    def filter_has_phone(self, queryset, name, value):
        return queryset.with_phone() if value else queryset

    def filter_not_contacted_since(self, queryset, name, value: str):
        since = months_before(timezone.localdate(), int(value))
        # The last contact is kept beside the person by the interactions app: reached by its reverse relation.
        return queryset.filter(Q(last_contact__isnull=True) | Q(last_contact__occurred_at__lt=start_of_day(since)))

    def filter_include_do_not_contact(self, queryset, name, value):
        return queryset  # applied in filter_queryset, after every other filter


class PersonExportFilterSet(PersonFilterSet):
    """The directory's filters as its exports read them: every matching person, those who asked not to be
    contacted included, so that ``export_people`` can leave them out and say how many it left out. There is no
    option to include them: exports never hold them."""

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        del self.filters["include_do_not_contact"]  # the instance's own copy of the declared filters

    def leaves_out_do_not_contact(self) -> bool:
        return False

    def left_out_count(self) -> int:
        """How many people matching the filters an export leaves out because they asked not to be contacted."""
        return self.qs.filter(do_not_contact=True).count() if self.is_valid() else 0


def person_filter():
    return SlugChoiceFilter(label=_("Person"), help_text=_("Slug of the person."), queryset=Person.objects.all())


class PositionFilterSet(django_filters.FilterSet):
    person = person_filter()
    organisation = organisation_filter(_("Organisation"), _("Slug of the organisation."))
    current = django_filters.BooleanFilter(
        label=_("Current"), method="filter_current", help_text=_("true: positions held today; false: the others.")
    )
    o = StableOrderingFilter(label=_("Sort by"), fields={"title": "title", "started_on": "from", "ended_on": "until"})

    class Meta:
        model = Position
        fields = []

    def filter_current(self, queryset, name, value: bool):
        current = Position.objects.current()
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)


class ContactPointFilterSet(django_filters.FilterSet):
    person = person_filter()
    medium = django_filters.ChoiceFilter(label=_("Medium"), choices=ContactPoint.Medium.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ContactPoint.Kind.choices)
    o = StableOrderingFilter(label=_("Sort by"), fields={"medium": "medium", "kind": "kind", "email": "email"})

    class Meta:
        model = ContactPoint
        fields = []


class PressContactFilterSet(django_filters.FilterSet):
    person = person_filter()
    organisation = organisation_filter(
        _("Organisation"), _("Slug of the organisation the person answers the press for.")
    )
    o = StableOrderingFilter(label=_("Sort by"), fields={"started_on": "from", "ended_on": "until"})

    class Meta:
        model = PressContact
        fields = []


class ContactListFilterSet(django_filters.FilterSet):
    person = SlugChoiceFilter(
        label=_("Person"),
        help_text=_("Slug of a person: only the lists they are on."),
        queryset=Person.objects.all(),
        field_name="people",
    )
    o = StableOrderingFilter(
        label=_("Sort by"), fields={"name": "name", "created_at": "created", "updated_at": "updated"}
    )

    class Meta:
        model = ContactList
        fields = []
