"""Importing organisations from a spreadsheet, and finding an organisation by the name a file gives it.

A row updates the organisation it names (by name, acronym, slug or a former name, compared folded) and
creates it otherwise. Values are checked as the admin checks them: a kind among the known kinds (in French
or English), a country by its name or ISO code, a website address.
"""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from import_export.fields import Field

from crm.imports import SpreadsheetResource

from .models import Organisation, OrganisationName
from .search import fold

ORGANISATION_COLUMNS = {
    "name": ["Nom", "Name", "Raison sociale", "Organisation", "Organization", "Nom de l'organisation", "Company"],
    "acronym": ["Sigle", "Acronym", "Acronyme", "Short name", "Nom court"],
    "kind": ["Type", "Kind", "Catégorie", "Category", "Nature"],
    "legal_form": ["Forme juridique", "Legal form", "Statut juridique"],
    "country": ["Pays", "Country"],
    "region": ["Région", "Region"],
    "city": ["Ville", "City", "Commune", "Town"],
    "website": ["Site web", "Website", "Site internet", "Site", "Web", "URL"],
    "description": ["Description", "Activité", "Activity", "Présentation"],
}

COLUMN_LABELS = {
    "name": gettext_lazy("Name"),
    "acronym": gettext_lazy("Acronym"),
    "kind": gettext_lazy("Kind"),
    "legal_form": gettext_lazy("Legal form"),
    "country": gettext_lazy("Country"),
    "region": gettext_lazy("Region"),
    "city": gettext_lazy("Town"),
    "website": gettext_lazy("Website"),
    "description": gettext_lazy("Description"),
}


class OrganisationIndex:
    """Every organisation, found by any name a file may give it: name, acronym, slug or another name,
    whatever the case, accents and punctuation. Reads the organisations once."""

    def __init__(self):
        self.by_key: dict[str, Organisation] = {}
        organisations = {organisation.pk: organisation for organisation in Organisation.objects.all()}
        # Weakest first, so that a name wins over an acronym or a former name shared with another one.
        for organisation_id, name in OrganisationName.objects.values_list("organisation_id", "name"):
            self.by_key[fold(name)] = organisations[organisation_id]
        for organisation in organisations.values():
            if organisation.acronym:
                self.by_key[fold(organisation.acronym)] = organisation
            self.by_key[organisation.slug] = organisation
        for organisation in organisations.values():
            self.by_key[fold(organisation.name)] = organisation

    def find(self, name: str) -> Organisation | None:
        if not name:
            return None
        return self.by_key.get(fold(name)) or self.by_key.get(slugify(name))

    def add(self, organisation: Organisation) -> None:
        for key in (organisation.slug, fold(organisation.acronym), fold(organisation.name)):
            if key:
                self.by_key[key] = organisation


def _kind_lookup() -> dict[str, str]:
    lookup = {}
    for language in ("en", "fr"):
        with translation.override(language):
            for value, label in Organisation.Kind.choices:
                lookup[fold(str(label))] = value
                for part in str(label).split("/"):
                    lookup[fold(part)] = value
    lookup.update({fold(value): value for value in Organisation.Kind.values})
    return lookup


def _country_code(value: str) -> str | None:
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


class OrganisationResource(SpreadsheetResource):
    column_names = ORGANISATION_COLUMNS
    column_labels = COLUMN_LABELS
    required_columns = ("name",)

    name = Field(attribute="name", column_name="name")
    acronym = Field(attribute="acronym", column_name="acronym")
    kind = Field(column_name="kind")
    legal_form = Field(attribute="legal_form", column_name="legal_form")
    country = Field(column_name="country")
    region = Field(attribute="region", column_name="region")
    city = Field(attribute="city", column_name="city")
    website = Field(attribute="website", column_name="website")
    description = Field(attribute="description", column_name="description")

    class Meta:
        model = Organisation
        fields = tuple(ORGANISATION_COLUMNS)
        report_skipped = False

    @classmethod
    def get_display_name(cls):
        return _("Organisations")

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.index = OrganisationIndex()
        self.kinds = _kind_lookup()
        self.slugs_taken = set(Organisation.objects.values_list("slug", flat=True))

    def get_instance(self, instance_loader, row):
        return self.index.find(" ".join(str(row.get("name") or "").split()))

    def import_instance(self, instance, row, **kwargs):
        values = {column: " ".join(str(row.get(column) or "").split()) for column in ORGANISATION_COLUMNS}
        if not any(values.values()):
            return
        errors: dict[str, list[str]] = {}
        for column, value in values.items():
            if "\x00" in value:
                errors.setdefault(column, []).append(_("This cell holds a NUL character."))
            model_field = Organisation._meta.get_field(column)
            limit = getattr(model_field, "max_length", None)
            if limit and column not in ("kind", "country") and len(value) > limit:
                errors.setdefault(column, []).append(_("At most %(limit)s characters.") % {"limit": limit})
        if not values["name"]:
            errors.setdefault("name", []).append(_("The name is missing."))
        kind = None
        if values["kind"]:
            kind = self.kinds.get(fold(values["kind"]))
            if kind is None:
                errors.setdefault("kind", []).append(
                    _("“%(value)s” is not a kind of organisation: %(choices)s.")
                    % {
                        "value": values["kind"][:60],
                        "choices": ", ".join(str(label) for label in Organisation.Kind.labels),
                    }
                )
        country = None
        if values["country"]:
            country = _country_code(values["country"])
            if country is None:
                errors.setdefault("country", []).append(
                    _("“%(value)s” is not a country.") % {"value": values["country"][:60]}
                )
        website = values["website"]
        if website:
            if "://" not in website:
                website = f"https://{website}"
            try:
                URLValidator(schemes=["http", "https"])(website)
            except ValidationError:
                errors.setdefault("website", []).append(
                    _("“%(value)s” is not a web address.") % {"value": values["website"][:100]}
                )
        if errors:
            raise ValidationError(errors)
        for column in ("name", "acronym", "legal_form", "region", "city", "description"):
            if values[column]:
                setattr(instance, column, values[column])
        if kind:
            instance.kind = kind
        if country:
            instance.country = country
        if website:
            instance.website = website
        if instance.pk is None:
            instance.slug = self._new_slug(values["acronym"] or values["name"])

    def _new_slug(self, name: str) -> str:
        base = slugify(name)[:70] or "organisation"
        slug, number = base, 1
        while slug in self.slugs_taken:
            number += 1
            slug = f"{base}-{number}"
        self.slugs_taken.add(slug)
        return slug

    def after_save_instance(self, instance, row, **kwargs):
        self.index.add(instance)

    def dehydrate_kind(self, organisation):
        return organisation.get_kind_display()

    def dehydrate_country(self, organisation):
        return str(organisation.country.name) if organisation.country else ""


class OrganisationBatchResource(OrganisationResource):
    """The same import without the field-by-field preview: for the command line."""

    class Meta(OrganisationResource.Meta):
        skip_diff = True
