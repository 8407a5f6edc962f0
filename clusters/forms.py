"""The form each row of an organisations import goes through: the model's own rules on each cell (lengths, no NUL
character), a name required, a kind and a country as French or English write them, a web address."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.search import fold

from .models import Organisation


def country_code(value: str) -> str | None:
    """The ISO code of a country written as a code or a name, in French or English, whatever its case and
    accents ("espagne", "Spain", "ES")."""
    if len(value) == 2 and value.upper() in countries:
        return value.upper()
    for language in ("fr", "en"):
        code = countries.by_name(value, language=language, insensitive=True)
        if code:
            return code
    wanted = fold(value)
    for language in ("fr", "en"):
        with translation.override(language):
            for code, name in countries:
                if fold(str(name)) == wanted:
                    return code
    return None


def model_field(name: str, **kwargs):
    return Organisation._meta.get_field(name).formfield(required=False, **kwargs)


class OrganisationRowForm(forms.Form):
    name = Organisation._meta.get_field("name").formfield(error_messages={"required": _("The name is missing.")})
    acronym = model_field("acronym")
    kind = forms.CharField(required=False, max_length=120)
    legal_form = model_field("legal_form")
    country = forms.CharField(required=False, max_length=120)
    region = model_field("region")
    city = model_field("city")
    website = forms.URLField(
        required=False,
        max_length=Organisation._meta.get_field("website").max_length,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        error_messages={"invalid": _("“%(value)s” is not a web address.")},
    )
    description = model_field("description")

    def __init__(self, *args, kinds: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds  # folded label or value → kind, in French and English

    def clean_kind(self):
        written = self.cleaned_data["kind"]
        if not written:
            return None
        kind = self.kinds.get(fold(written))
        if kind is None:
            raise ValidationError(
                _("“%(value)s” is not a kind of organisation: %(choices)s."),
                params={
                    "value": written[:60],
                    "choices": ", ".join(str(label) for label in Organisation.Kind.labels),
                },
            )
        return kind

    def clean_country(self):
        written = self.cleaned_data["country"]
        if not written:
            return None
        code = country_code(written)
        if code is None:
            raise ValidationError(_("“%(value)s” is not a country."), params={"value": written[:60]})
        return code
