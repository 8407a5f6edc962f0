"""Importing people from a spreadsheet: one row per person, with their organisation, title, email and phones.

A row updates the person it matches instead of adding a duplicate: first by email address, then by name
(folded: "PASCUAL DE ZULUETA" is "Pascual de Zulueta") at the same organisation. What a row brings is
added to what is known: a new position or title, email addresses and phone numbers not yet held. The
organisation must exist (import organisations first): an unknown one is a row error, like a bad email, an
unparsable phone or a missing family name.
"""

from dataclasses import dataclass, field

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.fields import Field
from simple_history.utils import bulk_create_with_history

from clusters.imports import OrganisationIndex
from clusters.models import Organisation
from core.imports import SpreadsheetResource
from core.search import fold
from core.slugs import free_slug

from .forms import PersonRowForm
from .models import RESERVED_PERSON_SLUGS, ContactPoint, Person, Position
from .normalisation import is_mobile, normalise_email, normalise_family_name
from .signals import flush_deferred_search_text, search_text_deferred

PERSON_COLUMNS = {
    "given_name": ["Prénom", "Given name", "First name", "Firstname", "Forename"],
    "family_name": ["Nom", "Family name", "Last name", "Nom de famille", "Surname", "Lastname", "Name"],
    "organisation": [
        "Organisation",
        "Organization",
        "Société",
        "Entreprise",
        "Structure",
        "Organisme",
        "Company",
        "Employeur",
        "Employer",
    ],
    "title": ["Fonction", "Job title", "Titre", "Title", "Poste", "Position", "Rôle", "Role"],
    "email": ["E-mail", "Email", "Courriel", "Mail", "Adresse e-mail", "Email address", "Adresse électronique"],
    "phone": ["Téléphone", "Phone", "Tél", "Tel", "Téléphone fixe", "Phone number", "Ligne directe", "Landline"],
    "mobile": ["Mobile", "Portable", "Téléphone mobile", "Téléphone portable", "Mobile phone", "Cell phone"],
    "notes": ["Notes", "Commentaire", "Commentaires", "Remarques", "Comments", "Note"],
}

COLUMN_LABELS = {
    "given_name": gettext_lazy("Given name"),
    "family_name": gettext_lazy("Family name"),
    "organisation": gettext_lazy("Organisation"),
    "title": gettext_lazy("Job title"),
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone"),
    "mobile": gettext_lazy("Mobile"),
    "notes": gettext_lazy("Notes"),
}


@dataclass
class ImportedDetails:
    """What a row brings besides the person's own fields."""

    created: bool = False
    organisation: Organisation | None = None
    title: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)  # E.164


def _cell(row, column: str) -> str:
    return " ".join(str(row.get(column) or "").split())


def _name_key(given_name: str, family_name: str) -> str:
    return fold(f"{given_name} {family_name}")


class PersonResource(SpreadsheetResource):
    column_names = PERSON_COLUMNS
    column_labels = COLUMN_LABELS
    required_columns = ("family_name",)

    given_name = Field(attribute="given_name", column_name="given_name")
    family_name = Field(attribute="family_name", column_name="family_name")
    organisation = Field(column_name="organisation")
    title = Field(column_name="title")
    email = Field(column_name="email")
    phone = Field(column_name="phone")
    mobile = Field(column_name="mobile")
    notes = Field(attribute="notes", column_name="notes")

    class Meta:
        model = Person
        fields = ("given_name", "family_name", "organisation", "title", "email", "phone", "mobile", "notes")
        report_skipped = False

    @classmethod
    def get_display_name(cls):
        return _("People")

    def import_data(self, *args, **kwargs):
        with search_text_deferred():
            return super().import_data(*args, **kwargs)

    # Before the rows: read once what the rows will be matched against.

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.file_name = kwargs.get("file_name") or ""
        self.known_details: dict[int, dict[str, list[str]]] = {}
        self.organisations = OrganisationIndex()
        emails = sorted({email for row in dataset.dict for email in self._emails_of(row) if email})
        self.person_by_email: dict[str, int] = {}
        for start in range(0, len(emails), 1000):
            self.person_by_email.update(
                ContactPoint.objects.filter(medium=ContactPoint.Medium.EMAIL, email__in=emails[start : start + 1000])
                .order_by("pk")
                .values_list("email", "person_id")
            )
        organisation_ids = {
            organisation.pk
            for organisation in map(self.organisations.find, set(dataset["organisation"]))
            if organisation is not None
        }
        self.person_by_name: dict[tuple[str, int], int] = {}
        positions = Position.objects.filter(organisation_id__in=organisation_ids).values_list(
            "person_id", "person__given_name", "person__family_name", "organisation_id"
        )
        for person_id, given_name, family_name, organisation_id in positions.iterator(chunk_size=2000):
            self.person_by_name.setdefault((_name_key(given_name, family_name), organisation_id), person_id)
        self._preload_matches(dataset)

    def _preload_matches(self, dataset) -> None:
        """The people the rows match, with their positions and contact points, read in a few queries."""
        matched = {self._match(row) for row in dataset.dict} - {None}
        self.people: dict[int, Person] = {}
        self.positions_of: dict[int, list[Position]] = {pk: [] for pk in matched}
        self.points_of: dict[int, list[ContactPoint]] = {pk: [] for pk in matched}
        ordered = sorted(matched)
        for start in range(0, len(ordered), 1000):
            chunk = ordered[start : start + 1000]
            self.people.update(Person.objects.in_bulk(chunk))
            for position in Position.objects.filter(person_id__in=chunk):
                self.positions_of[position.person_id].append(position)
            for point in ContactPoint.objects.filter(person_id__in=chunk):
                self.points_of[point.person_id].append(point)

    def _match(self, row) -> int | None:
        """The id of the known person ``row`` describes: by email first, then by name at the organisation."""
        for email in self._emails_of(row):
            if email in self.person_by_email:
                return self.person_by_email[email]
        organisation = self.organisations.find(_cell(row, "organisation"))
        if organisation is None:
            return None
        family_name = normalise_family_name(_cell(row, "family_name"))
        return self.person_by_name.get((_name_key(_cell(row, "given_name"), family_name), organisation.pk))

    # One row.

    def get_instance(self, instance_loader, row):
        if self.is_empty(row):
            return None
        person_id = self._match(row)
        if person_id is None:
            return None
        if person_id not in self.people:  # Created by an earlier row of this file.
            self.people[person_id] = Person.objects.filter(pk=person_id).first()
        return self.people[person_id]

    @staticmethod
    def is_empty(row) -> bool:
        return not any(str(value or "").strip() for value in row.values())

    @staticmethod
    def _emails_of(row) -> list[str]:
        return [normalise_email(part) for part in _cell(row, "email").replace(",", ";").split(";") if part.strip()]

    def import_instance(self, instance, row, **kwargs):
        if self.is_empty(row):
            return
        form = PersonRowForm(
            {column: _cell(row, column) for column in PERSON_COLUMNS}, organisations=self.organisations
        )
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        values = form.cleaned_data
        given_name, family_name, organisation, title = (
            values["given_name"],
            values["family_name"],
            values["organisation"],
            values["title"],
        )
        emails, phones = values["email"], [*values["phone"], *values["mobile"]]

        instance.family_name = family_name
        if given_name:
            instance.given_name = given_name
        notes = values["notes"]
        if notes and notes not in instance.notes:
            instance.notes = f"{instance.notes}\n{notes}".strip()
        if instance.pk is None:
            instance.data_source = Person.DataSource.IMPORT
            instance.source_detail = (_("Import of %(file)s") % {"file": self.file_name})[:300]
            instance.slug = free_slug(
                Person,
                f"{given_name} {family_name}",
                max_length=100,
                fallback="personne",
                reserved=RESERVED_PERSON_SLUGS,
            )
        instance.imported = ImportedDetails(
            created=instance.pk is None, organisation=organisation, title=title, emails=emails, phones=phones
        )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The only unique field is the slug, which free_slug() already made unique against the database (the
        # file's earlier rows are saved there as they go): skip the query per row that checking it again would cost.
        super().validate_instance(instance, import_validation_errors, validate_unique=False)

    def after_save_instance(self, instance, row, **kwargs):
        details = getattr(instance, "imported", None)
        if details is None:
            return
        if details.created:
            self.positions_of[instance.pk], self.points_of[instance.pk] = [], []
        elif instance.pk not in self.positions_of:
            self.positions_of[instance.pk] = list(instance.positions.all())
            self.points_of[instance.pk] = list(instance.contact_points.all())
        positions, points = self.positions_of[instance.pk], self.points_of[instance.pk]
        if details.organisation is not None:
            current = [p for p in positions if p.organisation_id == details.organisation.pk and p.ended_on is None]
            if not any(position.title == details.title for position in current):
                position = Position.objects.create(
                    person=instance,
                    organisation=details.organisation,
                    title=details.title,
                    is_primary=not any(position.is_primary for position in positions),
                )
                positions.append(position)
            key = (_name_key(instance.given_name, instance.family_name), details.organisation.pk)
            self.person_by_name.setdefault(key, instance.pk)
        known_emails = {point.email for point in points if point.email}
        known_phones = {str(point.phone) for point in points if point.phone}
        has_email = bool(known_emails)
        has_phone = bool(known_phones)
        new_points = []
        for email in dict.fromkeys(details.emails):
            self.person_by_email.setdefault(email, instance.pk)
            if email not in known_emails:
                new_points.append(
                    ContactPoint(
                        person=instance, medium=ContactPoint.Medium.EMAIL, email=email, is_primary=not has_email
                    )
                )
                has_email = True
        for phone in dict.fromkeys(details.phones):
            if phone not in known_phones:
                number = phonenumbers.parse(phone)
                new_points.append(
                    ContactPoint(
                        person=instance,
                        medium=ContactPoint.Medium.PHONE,
                        kind=ContactPoint.Kind.MOBILE if is_mobile(number) else ContactPoint.Kind.WORK,
                        phone=phone,
                        is_primary=not has_phone,
                    )
                )
                has_phone = True
        # The values were validated with the row; the person's save already marked them for a search refresh.
        bulk_create_with_history(new_points, ContactPoint)
        points += new_points

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        flush_deferred_search_text()

    # The preview: what is known of the person before the row, and what the row brings.

    def _known(self, person) -> dict[str, list[str]]:
        """What the database holds about ``person`` (read once per person and import)."""
        if person.pk is None:
            return {"organisation": [], "title": [], "email": [], "phone": [], "mobile": []}
        cache = self.known_details
        if person.pk not in cache:
            current = list(Position.objects.current().filter(person=person).select_related("organisation"))
            points = list(ContactPoint.objects.filter(person=person))
            phones = [point.phone for point in points if point.phone]
            cache[person.pk] = {
                "organisation": sorted({position.organisation.name for position in current}),
                "title": sorted({position.title for position in current}),
                "email": [point.email for point in points if point.email],
                "phone": [str(phone) for phone in phones if not is_mobile(phone)],
                "mobile": [str(phone) for phone in phones if is_mobile(phone)],
            }
        return cache[person.pk]

    def _shown(self, person, column: str) -> str:
        known = list(self._known(person)[column])
        details = getattr(person, "imported", None)
        if details is not None:
            if column == "organisation" and details.organisation is not None:
                known = [details.organisation.name]
            elif column == "title" and details.title:
                known = [details.title]
            elif column == "email":
                known += [email for email in details.emails if email not in known]
            elif column in ("phone", "mobile"):
                mobile = column == "mobile"
                known += [
                    phone
                    for phone in details.phones
                    if phone not in known and is_mobile(phonenumbers.parse(phone)) == mobile
                ]
        return ", ".join(known)

    def dehydrate_organisation(self, person):
        return self._shown(person, "organisation")

    def dehydrate_title(self, person):
        return self._shown(person, "title")

    def dehydrate_email(self, person):
        return self._shown(person, "email")

    def dehydrate_phone(self, person):
        return self._shown(person, "phone")

    def dehydrate_mobile(self, person):
        return self._shown(person, "mobile")


class PersonBatchResource(PersonResource):
    """The same import without the field-by-field preview: for the command line and large files."""

    class Meta(PersonResource.Meta):
        skip_diff = True
