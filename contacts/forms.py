"""The forms of the contacts pages, and the form each row of a people import goes through."""

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from .models import ContactList, Person, Position
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
