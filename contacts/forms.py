"""The forms of the contacts pages, and the form each row of a people import goes through."""

import datetime

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import slug_re, validate_email
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import KeyChoiceField

from .exports import FILE_FORMATS
from .models import Consent, ContactList, ExportLog, Person, Position, Tag
from .normalisation import find_phone_numbers, normalise_email, normalise_family_name


class ContactListForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=ContactList._meta.get_field("name").max_length)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the list a name."))
        return name


class SelectedPeopleField(forms.Field):
    """The people ticked on a directory page, by slug: at most ``limit``, every one of them known. Cleaned into a
    queryset of those people, so that an action changes them all or, if one is missing, none."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Tick at least one person."),
        "too_many": _("Select at most %(limit)s people at a time: narrow the search, or make a list of it."),
        "unknown": _(
            "Some of the people selected are no longer in the directory (deleted or merged meanwhile): nothing "
            "was changed. Search again and select them anew."
        ),
    }

    def __init__(self, *, limit: int, **kwargs):
        super().__init__(**kwargs)
        self.limit = limit

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return list(dict.fromkeys(str(slug) for slug in values))

    def clean(self, value):
        slugs = self.to_python(value)
        if not slugs:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(slugs) > self.limit:
            raise ValidationError(self.error_messages["too_many"], code="too_many", params={"limit": self.limit})
        # Only what can be a slug reaches the database (PostgreSQL refuses to compare text holding NUL).
        if not all(slug_re.match(slug) for slug in slugs):
            raise ValidationError(self.error_messages["unknown"], code="unknown")
        keys = list(Person.objects.filter(slug__in=slugs).values_list("pk", flat=True))
        if len(keys) != len(slugs):
            raise ValidationError(self.error_messages["unknown"], code="unknown")
        return Person.objects.filter(pk__in=keys)


class PersonSelectionForm(forms.Form):
    """What to do with the people ticked on a directory page: add them to a list, take them off one, tag them,
    export them. Each action needs its own permission, which the view checks (``required_permission``)."""

    # A page shows 25 people; a crafted request may send more, up to this. Below Django's limit on the number of
    # fields posted (DATA_UPLOAD_MAX_NUMBER_FIELDS, 1 000), so that a request beyond it gets this form's message.
    MAX_PEOPLE = 500

    class Action(models.TextChoices):
        ADD_TO_LIST = "add_to_list", _("Add to the list")
        REMOVE_FROM_LIST = "remove_from_list", _("Remove from the list")
        TAG = "tag", _("Add the tag")
        EXPORT = "export", _("Export")

    PERMISSIONS = {
        Action.ADD_TO_LIST: "contacts.change_contactlist",
        Action.REMOVE_FROM_LIST: "contacts.change_contactlist",
        Action.TAG: "contacts.change_person",
        Action.EXPORT: "contacts.export_contacts",
    }

    action = forms.ChoiceField(label=_("Action"), choices=Action.choices)
    person = SelectedPeopleField(label=_("People"), limit=MAX_PEOPLE)
    contact_list = KeyChoiceField(
        label=_("List"),
        queryset=ContactList.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("Choose a list"),
    )
    tag = KeyChoiceField(
        label=_("Tag"), queryset=Tag.objects.all(), to_field_name="slug", required=False, empty_label=_("Choose a tag")
    )
    export_format = forms.ChoiceField(
        label=_("Format"),
        choices=[(value, label) for value, label in ExportLog.Format.choices if value in FILE_FORMATS],
        required=False,
    )

    def required_permission(self) -> str | None:
        """The permission the chosen action needs, once the action is known (before the rest is valid)."""
        action = self.data.get("action", "")
        return self.PERMISSIONS.get(action) if action in self.Action.values else None

    def clean(self):
        cleaned = super().clean()
        needs = {
            self.Action.ADD_TO_LIST: ("contact_list", _("Choose the list to add them to.")),
            self.Action.REMOVE_FROM_LIST: ("contact_list", _("Choose the list to take them off.")),
            self.Action.TAG: ("tag", _("Choose the tag to give them.")),
            self.Action.EXPORT: ("export_format", _("Choose an export format: CSV, XLSX or vCard.")),
        }
        if (action := cleaned.get("action")) in needs:
            field, message = needs[action]
            if not cleaned.get(field) and field not in self.errors:
                self.add_error(field, message)
        return cleaned


class EmailsField(forms.CharField):
    """Email addresses separated by ";" or ",", each cleaned of what documents leave around it and checked."""

    default_error_messages = {"invalid_email": _("“%(value)s” is not an email address.")}

    def clean(self, value):
        text = super().clean(value)
        emails = [normalise_email(part) for part in text.replace(",", ";").split(";") if part.strip()]
        errors = []
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(ValidationError(self.error_messages["invalid_email"], params={"value": email}))
        if errors:
            raise ValidationError(errors)
        return emails


class PhonesField(forms.CharField):
    """Every phone number written in the cell (E.164), however many and however written."""

    default_error_messages = {"invalid_phone": _("“%(value)s” is not a phone number.")}

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return []
        found = find_phone_numbers(text)
        if not found:
            raise ValidationError(self.error_messages["invalid_phone"], params={"value": text[:60]})
        return [phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) for number in found]


class PersonRowForm(forms.Form):
    """One row of a people import: the model's own rules on each cell (lengths, no NUL character), the family
    name required and written in ordinary case, addresses and numbers checked, the organisation known, a title
    given with it."""

    given_name = Person._meta.get_field("given_name").formfield(required=False)
    family_name = Person._meta.get_field("family_name").formfield(
        error_messages={"required": _("The family name is missing.")}
    )
    organisation = forms.CharField(required=False, max_length=300)
    title = Position._meta.get_field("title").formfield(required=False)
    email = EmailsField(required=False)
    phone = PhonesField(required=False)
    mobile = PhonesField(required=False)
    notes = Person._meta.get_field("notes").formfield(required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = organisations  # clusters.imports.OrganisationIndex, read once for the file

    def clean_family_name(self):
        family_name = normalise_family_name(self.cleaned_data["family_name"])
        if not family_name:
            raise ValidationError(self.fields["family_name"].error_messages["required"], code="required")
        return family_name

    def clean_organisation(self):
        name = self.cleaned_data["organisation"]
        if not name:
            return None
        organisation = self.organisations.find(name)
        if organisation is None:
            raise ValidationError(
                _("No organisation is called “%(name)s”: import the organisations first, or correct the name."),
                params={"name": name[:100]},
            )
        return organisation

    def clean(self):
        cleaned = super().clean()
        organisation, title = cleaned.get("organisation"), cleaned.get("title")
        if organisation is not None and not title and "title" not in self.errors:
            self.add_error(
                "title", _("Give the person's title at %(organisation)s.") % {"organisation": organisation.name}
            )
        if title and organisation is None and "organisation" not in self.errors:
            self.add_error(
                "organisation", _("Name the organisation where the person is “%(title)s”.") % {"title": title[:100]}
            )
        return cleaned


class ConsentForm(forms.Form):
    """A consent given or withdrawn, recorded from the person's page (``contacts.services.record_consent``)."""

    class Decision(models.TextChoices):
        GIVEN = "given", _("Given")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    decision = forms.ChoiceField(label=_("Consent"), choices=Decision.choices, widget=forms.RadioSelect)
    how = forms.ChoiceField(label=_("How"), choices=Consent.Method.choices)
    at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave as it is if it was just now."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What proves it, for example the name of the form or the email's date."),
    )

    def clean_at(self):
        at = self.cleaned_data["at"]
        if at > timezone.now() + datetime.timedelta(minutes=5):
            raise ValidationError(_("A consent cannot be recorded in the future."))
        return at
