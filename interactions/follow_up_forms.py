"""The forms of the follow-ups' pages: the list's filters, and a follow-up's own form, whose people and
organisations are chosen in boxes with suggestions as one types (never a ``<select>`` of every record)."""

import calendar
from datetime import date, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clusters.models import Organisation
from contacts.models import Person

from .models import FollowUp

MAX_CHOSEN = 50


class SuggestedKeysInput(forms.Widget):
    """Several records chosen by their key (a slug): the chosen ones as ticked boxes, and a box with suggestions
    from ``suggestions_url`` (htmx, as ``core.widgets.SuggestedKeyInput``) to add one more. The ticked boxes and the
    box share the field's name, so that without JavaScript the form still posts every key; unticking one takes
    it off. ``labels(keys)`` names the chosen records: {key: name}, one query."""

    def __init__(self, suggestions_url_name: str, labels, attrs=None):
        super().__init__(attrs)
        self.suggestions_url_name = suggestions_url_name
        self.labels = labels

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
        if isinstance(values, str):
            values = [values]
        return list(dict.fromkeys(value.strip() for value in values if value and value.strip()))[: MAX_CHOSEN + 1]

    def value_omitted_from_data(self, data, files, name):
        return False  # no key posted is an empty choice, not an omitted field

    def id_for_label(self, id_):
        return id_

    def render(self, name, value, attrs=None, renderer=None):
        from core.widgets import SuggestedKeyInput

        attrs = {**self.attrs, **(attrs or {})}
        box_id = attrs.get("id") or f"id_{name}"
        keys = [str(key) for key in (value or []) if key not in (None, "")]
        labels = self.labels(keys) if keys else {}
        chosen = [key for key in keys if key in labels]
        unknown = next((key for key in keys if key not in labels), "")
        ticked = format_html_join(
            "",
            '<li><input type="checkbox" name="{}" value="{}" id="{}_{}" checked> <label for="{}_{}">{}</label></li>',
            ((name, key, box_id, index, box_id, index, labels[key]) for index, key in enumerate(chosen)),
        )
        box = SuggestedKeyInput(self.suggestions_url_name, attrs={"placeholder": attrs.get("placeholder", "")})
        box_attrs = {key: val for key, val in attrs.items() if key not in ("placeholder", "required")}
        box_attrs["id"] = box_id
        rendered_box = box.render(name, unknown, box_attrs, renderer)
        if chosen:
            return format_html('<ul class="plain chosen-keys">{}</ul>{}', ticked, rendered_box)
        return rendered_box


class SuggestedRecordsField(forms.ModelMultipleChoiceField):
    """Records chosen by slug in a ``SuggestedKeysInput``. What was typed without picking a suggestion (no
    JavaScript, or a name typed in full) is looked up with ``find(text)``: taken if it names one record only."""

    default_error_messages = {
        "not_found": _("Nothing matches “%(text)s”: pick one of the suggestions."),
        "ambiguous": _("Several records match “%(text)s”: pick one of the suggestions."),
        "too_many": _("Choose at most %(limit)s."),
    }

    def __init__(self, queryset, *, find, suggestions_url_name: str, placeholder: str = "", **kwargs):
        self.find = find
        widget = SuggestedKeysInput(suggestions_url_name, labels=self.labels, attrs={"placeholder": placeholder})
        super().__init__(queryset, to_field_name="slug", required=False, widget=widget, **kwargs)

    def labels(self, keys) -> dict[str, str]:
        return {record.slug: str(record) for record in self.queryset.filter(slug__in=keys[:MAX_CHOSEN])}

    def clean(self, value):
        value = list(value or [])
        if len(value) > MAX_CHOSEN:
            raise ValidationError(self.error_messages["too_many"], code="too_many", params={"limit": MAX_CHOSEN})
        known = set(self.queryset.filter(slug__in=value).values_list("slug", flat=True))
        slugs = []
        for text in value:
            if text in known:
                slugs.append(text)
                continue
            found = list(self.find(text[:200])[:2])
            if not found:
                raise ValidationError(self.error_messages["not_found"], code="not_found", params={"text": text})
            if len(found) > 1:
                raise ValidationError(self.error_messages["ambiguous"], code="ambiguous", params={"text": text})
            slugs.append(found[0].slug)
        return super().clean(list(dict.fromkeys(slugs)))


def find_people(text: str):
    return Person.objects.search(text).order_by("family_name", "given_name", "pk")


def find_organisations(text: str):
    exact = Organisation.objects.filter(name__iexact=text.strip())
    if exact.exists():
        return exact
    return Organisation.objects.suggested_for(text.strip())


def staff_name(user) -> str:
    return user.get_full_name() or user.get_username()


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return staff_name(user)


def staff():
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")


class FollowUpForm(forms.ModelForm):
    """A follow-up to create or change. On a new one, a quick choice of the due date ("in two weeks") may stand in
    for the date."""

    DUE_IN = {"1w": timedelta(weeks=1), "2w": timedelta(weeks=2), "1m": None}

    due_in = forms.ChoiceField(
        label=_("Due"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            ("1w", _("in 1 week")),
            ("2w", _("in 2 weeks")),
            ("1m", _("in 1 month")),
            ("", _("on the date below")),
        ],
    )
    assigned_to = StaffChoiceField(label=_("Assigned to"), queryset=staff(), empty_label=None)
    people = SuggestedRecordsField(
        Person.objects.all(),
        label=_("People"),
        find=find_people,
        suggestions_url_name="interactions:person_suggestions",
        placeholder=_("Type a name to add a person"),
        help_text=_("Type a few letters and pick a person from the suggestions; untick one to take them off."),
    )
    organisations = SuggestedRecordsField(
        Organisation.objects.all(),
        label=_("Organisations"),
        find=find_organisations,
        suggestions_url_name="clusters:organisation_suggestions",
        placeholder=_("Type a name to add an organisation"),
        help_text=_("Type a few letters and pick an organisation from the suggestions."),
    )

    class Meta:
        model = FollowUp
        fields = ["title", "due_on", "assigned_to", "people", "organisations", "notes", "version"]
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 4}),
            "version": forms.HiddenInput,
        }

    def __init__(self, *args, quick_due: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = staff()
        self.fields["due_on"].required = False
        self.fields["version"].required = False
        if not quick_due:
            del self.fields["due_in"]

    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise ValidationError(_("Say what there is to do."))
        return title

    def clean(self):
        cleaned = super().clean()
        due_in = cleaned.get("due_in")
        if due_in:
            cleaned["due_on"] = self.due_date(due_in)
        elif not cleaned.get("due_on") and "due_on" not in self.errors:
            self.add_error("due_on", _("Choose the day it should be done by."))
        if self.instance.pk and cleaned.get("version") is None:
            cleaned["version"] = self.instance.version
        return cleaned

    @classmethod
    def due_date(cls, due_in: str, today: date | None = None) -> date:
        today = today or timezone.localdate()
        if due_in == "1m":
            year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
            return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
        return today + cls.DUE_IN[due_in]


ANYONE = "anyone"
ME = "me"


class FollowUpFilterForm(forms.Form):
    """The list's filters, in the query string: whose follow-ups (mine by default), open or done, overdue only."""

    assigned = forms.ChoiceField(label=_("Assigned to"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("open", _("To do")), ("done", pgettext_lazy("follow-up", "Done")), ("all", _("All"))],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned"].choices = [
            (ME, _("Me")),
            (ANYONE, _("Anyone")),
            *((str(user.pk), staff_name(user)) for user in staff()),
        ]

    def filter(self, queryset, user):
        """``queryset`` as the filters say; the defaults where a value is missing or wrong."""
        data = self.cleaned_data if self.is_valid() else {}
        assigned = data.get("assigned") or ME
        if assigned == ME:
            queryset = queryset.assigned_to(user)
        elif assigned != ANYONE:
            queryset = queryset.filter(assigned_to_id=int(assigned))
        status = data.get("status") or "open"
        if data.get("overdue"):
            return queryset.overdue().for_list()
        if status == "open":
            return queryset.open().for_list()
        if status == "done":
            return queryset.filter(done_at__isnull=False).for_list()
        return queryset.for_list()
