"""Importing organisations from a spreadsheet, and finding an organisation by the name a file gives it.

A row updates the organisation it names (by name, acronym, slug or a former name, compared folded) and
creates it otherwise. Values are checked as the admin checks them: a kind among the known kinds (in French
or English), a country by its name or ISO code, a website address.
"""

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.fields import Field

from core.imports import SpreadsheetResource
from core.search import fold
from core.slugs import free_slug

from .forms import OrganisationRowForm
from .models import Organisation, OrganisationName

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

    def get_instance(self, instance_loader, row):
        return self.index.find(" ".join(str(row.get("name") or "").split()))

    def import_instance(self, instance, row, **kwargs):
        values = {column: " ".join(str(row.get(column) or "").split()) for column in ORGANISATION_COLUMNS}
        if not any(values.values()):
            return
        form = OrganisationRowForm(values, kinds=self.kinds)
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        values = form.cleaned_data
        for column in ("name", "acronym", "legal_form", "region", "city", "description", "kind", "country", "website"):
            if values[column]:
                setattr(instance, column, values[column])
        if instance.pk is None:
            instance.slug = free_slug(
                Organisation, values["acronym"] or values["name"], max_length=70, fallback="organisation"
            )

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
