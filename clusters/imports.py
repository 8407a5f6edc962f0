"""Importing organisations from a spreadsheet — the organisations export (``clusters.exports``) or any file with
some of its columns (``clusters.organisation_sheet``) — and finding an organisation by the name a file gives it.

**Matching.** A row updates the organisation its identifier (the slug) names; without one, or with one no
organisation has, the organisation it names (by name, acronym, slug or another name, compared folded), unless
another row of the file names that organisation by its own identifier; otherwise the row is a new organisation,
which keeps the file's identifier as its slug when no organisation has it (so that a people export naming
organisations by identifier finds them after a round trip).

**What a row brings is added to what is known**: an empty cell changes nothing; other names, sites, territories,
sectors, membership types and memberships are added, or completed when the record is already there (a site by its
name, a membership by its cluster and start date); nothing is removed. Values are checked as the admin checks them
(``OrganisationRowForm``). **A row that changes nothing writes nothing**: no new version, no history entry, so
that importing the same file twice leaves the data as the first import left it.

**Other organisations** (a membership's cluster, a territory's network) are named by identifier or name. One that
only a later row of the file brings (a cluster listed after its member) is looked for again once every row is
saved; a membership type the cluster's row offers likewise.
"""

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.db import models
from django.utils import translation
from django.utils.functional import classproperty
from django.utils.text import slugify
from django.utils.translation import gettext as _
from import_export.fields import Field

from core.imports import SpreadsheetResource
from core.search import fold
from core.slugs import create_with_slug, free_slug

from .forms import MembershipLine, OrganisationRowForm, TerritoryLine, constraint_error, dates_in_order
from .models import Membership, MembershipType, Organisation, OrganisationName, Sector, Site, Territory
from .organisation_sheet import (
    COLUMN_LABELS,
    COLUMNS,
    SheetLabels,
    column_names,
    iso,
    membership_types_cell,
    memberships_cell,
    multi_line,
    one_line,
    other_names_cell,
    read_items,
    sectors_cell,
    sites_cell,
    territories_cell,
)

# The organisation's own fields a row may set, as the form cleans them.
OWN_FIELDS = (
    "name",
    "acronym",
    "kind",
    "legal_form",
    "country",
    "region",
    "city",
    "website",
    "founded_on",
    "description",
)
# Columns whose cells keep their lines; the others are one line, their spaces collapsed.
MULTI_LINE_COLUMNS = {
    "description",
    "other_names",
    "sectors",
    "sites",
    "territories",
    "membership_types",
    "memberships",
}
CHUNK_SIZE = 1000


class OrganisationIndex:
    """Every organisation, found by any name a file may give it: name, acronym, slug or another name,
    whatever the case, accents and punctuation. Reads the organisations once."""

    def __init__(self):
        self.by_key: dict[str, Organisation] = {}
        self.by_slug: dict[str, Organisation] = {}
        # With every name a person's search text holds for them (contacts.search.organisation_names): the names
        # agreements write them by are reached by their reverse relation, agreements sitting above this app.
        organisations = {
            organisation.pk: organisation
            for organisation in Organisation.objects.prefetch_related("other_names", "agreement_parties")
        }
        # Weakest first, so that a name wins over an acronym or a former name shared with another one.
        for organisation in organisations.values():
            for other in organisation.other_names.all():
                self.by_key[fold(other.name)] = organisation
        for organisation in organisations.values():
            if organisation.acronym:
                self.by_key[fold(organisation.acronym)] = organisation
            self.by_key[organisation.slug] = organisation
            self.by_slug[organisation.slug] = organisation
        for organisation in organisations.values():
            self.by_key[fold(organisation.name)] = organisation

    def find(self, name: str) -> Organisation | None:
        if not name:
            return None
        return self.by_key.get(fold(name)) or self.by_key.get(slugify(name))

    def add(self, organisation: Organisation) -> None:
        self.by_slug[organisation.slug] = organisation
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


@dataclass
class KnownRecords:
    """What the database holds of an organisation's related records, by the key a row names each one by."""

    other_names: dict[str, OrganisationName] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)
    territories: dict[str, Territory] = field(default_factory=dict)
    sector_ids: set[int] = field(default_factory=set)
    membership_types: dict[str, MembershipType] = field(default_factory=dict)
    memberships: list[Membership] = field(default_factory=list)

    def remember(self, record: models.Model) -> None:
        """Keeps ``record``, just saved, in place of the one it replaces."""
        if isinstance(record, OrganisationName):
            self.other_names[record.name] = record
        elif isinstance(record, Site):
            self.sites[record.name] = record
        elif isinstance(record, Territory):
            self.territories[record.region] = record
        elif isinstance(record, MembershipType):
            self.membership_types[record.slug] = record
        elif isinstance(record, Membership):
            self.memberships = [known for known in self.memberships if known.pk != record.pk] + [record]


def known_records(organisation_ids: Iterable[int]) -> dict[int, KnownRecords]:
    """The related records of the organisations ``organisation_ids``, read in six queries per thousand."""
    ids = sorted(set(organisation_ids))
    known: dict[int, KnownRecords] = {}
    for start in range(0, len(ids), CHUNK_SIZE):
        chunk = ids[start : start + CHUNK_SIZE]
        known.update({pk: KnownRecords() for pk in chunk})
        for name in OrganisationName.objects.filter(organisation_id__in=chunk):
            known[name.organisation_id].other_names[name.name] = name
        for site in Site.objects.filter(organisation_id__in=chunk):
            known[site.organisation_id].sites[site.name] = site
        for territory in Territory.objects.filter(organisation_id__in=chunk).select_related("through"):
            known[territory.organisation_id].territories[territory.region] = territory
        sectors = Organisation.sectors.through.objects.filter(organisation_id__in=chunk)
        for organisation_id, sector_id in sectors.values_list("organisation_id", "sector_id"):
            known[organisation_id].sector_ids.add(sector_id)
        for membership_type in MembershipType.objects.filter(cluster_id__in=chunk):
            known[membership_type.cluster_id].membership_types[membership_type.slug] = membership_type
        memberships = Membership.objects.filter(member_id__in=chunk).select_related("cluster", "membership_type")
        for membership in memberships.order_by("pk"):
            known[membership.member_id].memberships.append(membership)
    return known


@dataclass
class RowChanges:
    """What a valid row changes: the organisation's own fields, related records to save (new, or copies of known
    ones with their changes), sectors to add, and the lines that wait for a later row."""

    identifier: str
    fields: set[str] = field(default_factory=set)
    records: list[models.Model] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    waiting: list[MembershipLine | TerritoryLine] = field(default_factory=list)

    def writes_nothing(self) -> bool:
        return not (self.fields or self.records or self.sectors or self.waiting)


class LaterRow:
    """A reference to an organisation that a later row of the file brings."""


LATER_ROW = LaterRow()


def _cell(row, column: str) -> str:
    value = str(row.get(column) or "")
    return value.strip() if column in MULTI_LINE_COLUMNS else one_line(value)


def _is_empty(row) -> bool:
    return not any(str(value or "").strip() for value in row.values())


def _changed(record, **values) -> bool:
    """Sets on ``record`` the given values (None or "" is not given) that differ from its own; says if any did."""
    changed = False
    for name, value in values.items():
        if value is None or value == "":
            continue
        current = getattr(record, name)
        if name == "country":
            current = current.code or ""
        elif name in ("address", "notes", "description"):
            current, value = multi_line(current), multi_line(value)
        elif isinstance(current, str):
            current = one_line(current)
        if current != value:
            setattr(record, name, value)
            changed = True
    return changed


class OrganisationResource(SpreadsheetResource):
    column_labels = COLUMN_LABELS
    required_columns = ("name",)

    identifier = Field(column_name="identifier")
    name = Field(attribute="name", column_name="name")
    acronym = Field(attribute="acronym", column_name="acronym")
    kind = Field(column_name="kind")
    legal_form = Field(attribute="legal_form", column_name="legal_form")
    country = Field(column_name="country")
    region = Field(attribute="region", column_name="region")
    city = Field(attribute="city", column_name="city")
    website = Field(attribute="website", column_name="website")
    founded_on = Field(column_name="founded_on")
    description = Field(attribute="description", column_name="description")
    other_names = Field(column_name="other_names")
    sectors = Field(column_name="sectors")
    sites = Field(column_name="sites")
    territories = Field(column_name="territories")
    membership_types = Field(column_name="membership_types")
    memberships = Field(column_name="memberships")

    class Meta:
        model = Organisation
        fields = COLUMNS
        report_skipped = False

    @classproperty
    def column_names(cls):  # noqa: N805 (a class property)
        return column_names()

    @classmethod
    def get_display_name(cls):
        return _("Organisations")

    # Before the rows: what they will be matched against, read once.

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.index = OrganisationIndex()
        self.kinds = _kind_lookup()
        self.labels = SheetLabels.current()
        self.sectors: dict[str, Sector] = {}
        self.sectors_by_case: dict[str, Sector] = {}
        for sector in Sector.objects.all():
            self._remember_sector(sector)
        # Identifier → the organisation a row of this file named by it (updated, created or left as it was), and
        # back (by the organisation's identity: a new one has no key before it is saved).
        self.by_identifier: dict[str, Organisation] = {}
        self.identifier_of: dict[int, str] = {}
        # Identifier, folded name or acronym → the last row of the file bringing that organisation, and the slugs of
        # the membership types each row offers: what a reference to a later row may expect.
        self.rows_naming: dict[str, int] = {}
        self.types_offered: dict[int, set[str]] = {}
        self.identifiers: set[str] = set()
        for number, row in enumerate(dataset.dict, 1):
            identifier = self._identifier(row)
            if identifier:
                self.identifiers.add(identifier)
            for key in (identifier, fold(_cell(row, "name")), fold(_cell(row, "acronym"))):
                if key:
                    self.rows_naming[key] = number
            offered = _cell(row, "membership_types")
            if offered:
                try:
                    items = read_items(offered)
                except ValidationError:
                    items = []
                self.types_offered[number] = {(item.parts or [""])[0] or slugify(item.main)[:80] for item in items}
        matched = {self._match(row) for row in dataset.dict} - {None}
        self.known = known_records(organisation.pk for organisation in matched)
        self.waiting: list[tuple[int, dict, Organisation, MembershipLine | TerritoryLine]] = []

    def _identifier(self, row) -> str:
        written = _cell(row, "identifier")
        return written if len(written) <= 80 and slug_re.fullmatch(written) else ""

    def _match(self, row) -> Organisation | None:
        if _is_empty(row):
            return None
        identifier = self._identifier(row)
        if identifier:
            organisation = self.by_identifier.get(identifier) or self.index.by_slug.get(identifier)
            if organisation is not None:
                return organisation
        organisation = self.index.find(_cell(row, "name"))
        if organisation is None or not identifier:
            return organisation
        # Two rows naming two organisations by their identifiers are two organisations, however alike their names.
        named_by_another = (organisation.slug in self.identifiers and organisation.slug != identifier) or (
            self.identifier_of.get(id(organisation), identifier) != identifier
        )
        return None if named_by_another else organisation

    def known_of(self, organisation: Organisation) -> KnownRecords:
        if organisation.pk is None:
            return KnownRecords()
        if organisation.pk not in self.known:
            self.known.update(known_records([organisation.pk]))
        return self.known[organisation.pk]

    def find_organisation(self, written: str, row_number: int) -> Organisation | LaterRow | None:
        """The organisation a cell names by identifier or name; ``LATER_ROW`` if only a later row brings it."""
        organisation = self.by_identifier.get(written) or self.index.by_slug.get(written)
        if organisation is not None:
            return organisation
        if self.rows_naming.get(written, 0) > row_number:
            return LATER_ROW
        organisation = self.index.find(written)
        if organisation is not None:
            return organisation
        if self.rows_naming.get(fold(written), 0) > row_number:
            return LATER_ROW
        return None

    # One row.

    def get_instance(self, instance_loader, row):
        return self._match(row)

    def import_instance(self, instance, row, **kwargs):
        if _is_empty(row):
            return
        form = OrganisationRowForm({column: _cell(row, column) for column in COLUMNS}, kinds=self.kinds)
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        values = form.cleaned_data
        row_number = kwargs.get("row_number", 0)
        changes = RowChanges(identifier=values["identifier"])
        known = self.known_of(instance)
        errors: dict[str, list] = {}
        for column, plan in (
            ("other_names", self._plan_other_names),
            ("sites", self._plan_sites),
            ("territories", self._plan_territories),
            ("membership_types", self._plan_membership_types),
            ("memberships", self._plan_memberships),
        ):
            try:
                plan(instance, known, values[column], changes, row_number)
            except ValidationError as error:
                errors[column] = error.messages
        if errors:
            raise ValidationError(errors)
        self._plan_sectors(known, values["sectors"], changes)
        for column in OWN_FIELDS:
            if _changed(instance, **{column: values[column]}):
                changes.fields.add(column)
        if instance.pk is None:
            identifier = changes.identifier
            if identifier and identifier not in self.index.by_slug:
                instance.slug = identifier
            else:
                # Not an identifier of the file either: it belongs to the organisation of another row.
                instance.slug = free_slug(
                    Organisation,
                    values["acronym"] or values["name"],
                    max_length=70,
                    fallback="organisation",
                    reserved=self.identifiers,
                )
        if changes.identifier:
            self.by_identifier[changes.identifier] = instance
            self.identifier_of[id(instance)] = changes.identifier
        instance.imported = changes

    def _plan_other_names(self, organisation, known, lines, changes, row_number) -> None:
        errors = []
        for line in lines:
            record = copy.copy(known.other_names.get(line.name)) or OrganisationName(
                organisation=organisation, name=line.name
            )
            changed = _changed(record, kind=line.kind, used_from=line.used_from, used_until=line.used_until)
            try:
                dates_in_order(
                    OrganisationName, "organisation_name_dates_in_order", record.used_from, record.used_until
                )
            except ValidationError as error:
                errors.append(_("“%(name)s”: %(error)s") % {"name": line.name, "error": " ".join(error.messages)})
                continue
            if changed or record.pk is None:
                changes.records.append(record)
        if errors:
            raise ValidationError(errors)

    def _plan_sites(self, organisation, known, lines, changes, row_number) -> None:
        planned = {}
        for line in lines:
            record = copy.copy(known.sites.get(line.name)) or Site(organisation=organisation, name=line.name)
            changed = _changed(
                record, kind=line.kind, city=line.city, region=line.region, country=line.country, address=line.address
            )
            if changed or record.pk is None:
                planned[line.name] = record
        kinds = {name: site.kind for name, site in known.sites.items()} | {
            name: site.kind for name, site in planned.items()
        }
        if list(kinds.values()).count(Site.Kind.HEAD_OFFICE) > 1:
            raise constraint_error(Site, "site_one_head_office_per_organisation")
        # The head office last: a site it replaces as head office gives up the title first.
        changes.records += sorted(planned.values(), key=lambda site: site.kind == Site.Kind.HEAD_OFFICE)

    def _plan_lines(self, lines, change_of, changes) -> None:
        """Each line's record to save (``change_of(line)``: new, a changed copy, None if nothing changes, or
        ``LATER_ROW``), and the errors of every line together."""
        errors = []
        for line in lines:
            try:
                record = change_of(line)
            except ValidationError as error:
                errors += error.messages
                continue
            if record is LATER_ROW:
                changes.waiting.append(line)
            elif record is not None:
                changes.records.append(record)
        if errors:
            raise ValidationError(errors)

    def _plan_territories(self, organisation, known, lines, changes, row_number) -> None:
        self._plan_lines(lines, lambda line: self._territory_change(organisation, known, line, row_number), changes)

    def _territory_change(self, organisation, known, line: TerritoryLine, row_number: int):
        """The territory to save for ``line`` (new, or a changed copy), None if nothing changes, or ``LATER_ROW``."""
        through = None
        if line.through:
            through = self.find_organisation(line.through, row_number)
            if through is LATER_ROW:
                return LATER_ROW
            if through is None:
                raise ValidationError(self._unknown_organisation(line.through))
        record = copy.copy(known.territories.get(line.region)) or Territory(
            organisation=organisation, region=line.region
        )
        changed = _changed(record, kind=line.kind, country=line.country)
        if through is not None and (record.through_id != through.pk or through.pk is None):
            record.through = through
            changed = True
        return record if changed or record.pk is None else None

    def _plan_sectors(self, known, names, changes) -> None:
        for name in names:
            sector = self.sectors.get(name) or self.sectors_by_case.get(name.casefold())
            if sector is None or sector.pk not in known.sector_ids:
                changes.sectors.append(name)
        if changes.sectors:
            changes.fields.add("sectors")

    def _plan_membership_types(self, organisation, known, lines, changes, row_number) -> None:
        for line in lines:
            record = copy.copy(known.membership_types.get(line.slug)) or MembershipType(
                cluster=organisation, slug=line.slug
            )
            if _changed(record, name=line.name, annual_fee=line.annual_fee) or record.pk is None:
                changes.records.append(record)

    def _plan_memberships(self, organisation, known, lines, changes, row_number) -> None:
        self._plan_lines(lines, lambda line: self._membership_change(organisation, known, line, row_number), changes)

    def _membership_change(self, organisation, known, line: MembershipLine, row_number: int):
        """The membership to save for ``line`` (new, or a changed copy), None if nothing changes, or ``LATER_ROW``
        when its cluster, or the cluster's membership type, comes with a later row."""
        cluster = self.find_organisation(line.cluster, row_number)
        if cluster is LATER_ROW:
            return LATER_ROW
        if cluster is None:
            raise ValidationError(self._unknown_organisation(line.cluster))
        if cluster is organisation:
            raise constraint_error(Membership, "membership_not_of_itself")
        membership_type = None
        if line.membership_type:
            membership_type = self.known_of(cluster).membership_types.get(line.membership_type)
            if membership_type is None:
                keys = (line.cluster, fold(line.cluster), cluster.slug, fold(cluster.name))
                later = max(self.rows_naming.get(key, 0) for key in keys)
                if later > row_number and line.membership_type in self.types_offered.get(later, set()):
                    return LATER_ROW
                raise ValidationError(
                    _("“%(cluster)s” offers no membership type “%(type)s”: add it to the cluster's row, or import it.")
                    % {"cluster": cluster.name, "type": line.membership_type}
                )
        existing = next(
            (
                membership
                for membership in known.memberships
                if membership.cluster_id == cluster.pk and membership.started_on == line.started_on
            ),
            None,
        )
        record = copy.copy(existing) or Membership(member=organisation, cluster=cluster, started_on=line.started_on)
        changed = _changed(record, ended_on=line.ended_on, cancelled_on=line.cancelled_on, notes=line.notes)
        if membership_type is not None and record.membership_type_id != membership_type.pk:
            record.membership_type = membership_type
            changed = True
        dates_in_order(Membership, "membership_dates_in_order", record.started_on, record.ended_on)
        return record if changed or record.pk is None else None

    @staticmethod
    def _unknown_organisation(written: str) -> str:
        return _(
            "No organisation is named “%(value)s”, in the database or in the file: import it first, or add its row."
        ) % {"value": written[:80]}

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        if _is_empty(row):
            return True
        changes = getattr(instance, "imported", None)
        return changes is not None and instance.pk is not None and changes.writes_nothing()

    def do_instance_save(self, instance, is_create):
        changes = getattr(instance, "imported", None)
        # A row that changes only the organisation's other names, sites or memberships leaves its version as it is.
        if is_create or changes is None or changes.fields:
            super().do_instance_save(instance, is_create)

    def after_save_instance(self, instance, row, **kwargs):
        changes = getattr(instance, "imported", None)
        if changes is None:
            return
        self.index.add(instance)
        known = self.known.setdefault(instance.pk, KnownRecords())
        for record in changes.records:
            record.save()
            known.remember(record)
        if changes.sectors:
            sectors = [self._sector(name) for name in changes.sectors]
            instance.sectors.add(*sectors)
            known.sector_ids |= {sector.pk for sector in sectors}
        row_number = kwargs.get("row_number", 0)
        self.waiting += [(row_number, row, instance, line) for line in changes.waiting]

    def _sector(self, name: str) -> Sector:
        sector = self.sectors.get(name) or self.sectors_by_case.get(name.casefold())
        if sector is None:
            sector = create_with_slug(Sector, name, max_length=80, fallback="secteur", name=name)
            self._remember_sector(sector)
        return sector

    def _remember_sector(self, sector: Sector) -> None:
        """Sectors are found by their exact name, else by the same letters in another case ("pharmacie" is
        "Pharmacie", "Sante" is not "Santé")."""
        self.sectors[sector.name] = sector
        self.sectors_by_case.setdefault(sector.name.casefold(), sector)

    # After the rows: the references to later rows.

    def after_import(self, dataset, result, **kwargs):
        last_row = len(dataset) + 1
        for row_number, row, organisation, line in getattr(self, "waiting", []):
            known = self.known_of(organisation)
            column = "memberships" if isinstance(line, MembershipLine) else "territories"
            try:
                if column == "memberships":
                    record = self._membership_change(organisation, known, line, last_row)
                else:
                    record = self._territory_change(organisation, known, line, last_row)
            except ValidationError as error:
                result.append_invalid_row(row_number, row, ValidationError({self.column_label(column): error.messages}))
                continue
            if record is not None:
                record.save()
                known.remember(record)
        super().after_import(dataset, result, **kwargs)

    # The preview: what is known before the row, and after it.

    def dehydrate_identifier(self, organisation):
        return organisation.slug

    def dehydrate_kind(self, organisation):
        return organisation.get_kind_display()

    def dehydrate_country(self, organisation):
        return str(organisation.country.name) if organisation.country else ""

    def dehydrate_founded_on(self, organisation):
        return iso(organisation.founded_on)

    def _known_for_preview(self, organisation) -> KnownRecords:
        known = getattr(self, "known", {})
        return known.get(organisation.pk, KnownRecords()) if organisation.pk else KnownRecords()

    def dehydrate_other_names(self, organisation):
        return other_names_cell(self._known_for_preview(organisation).other_names.values(), self.labels)

    def dehydrate_sectors(self, organisation):
        ids = self._known_for_preview(organisation).sector_ids
        return sectors_cell(sorted((s for s in self.sectors.values() if s.pk in ids), key=lambda s: s.name))

    def dehydrate_sites(self, organisation):
        return sites_cell(self._known_for_preview(organisation).sites.values(), self.labels)

    def dehydrate_territories(self, organisation):
        return territories_cell(self._known_for_preview(organisation).territories.values(), self.labels)

    def dehydrate_membership_types(self, organisation):
        return membership_types_cell(self._known_for_preview(organisation).membership_types.values())

    def dehydrate_memberships(self, organisation):
        return memberships_cell(self._known_for_preview(organisation).memberships)


class OrganisationBatchResource(OrganisationResource):
    """The same import without the field-by-field preview: for the command line."""

    class Meta(OrganisationResource.Meta):
        skip_diff = True


def import_organisations(
    data: bytes | BinaryIO, *, dry_run: bool, skip_invalid_rows: bool = False, limits=None, file_name="", progress=None
):
    """Import the organisations of ``data`` (``OrganisationBatchResource``), the file's bytes or the file, as
    ``jobs.imports`` runs importers: an ``ImportReport``; ``TableError`` if the file cannot be read."""
    from core.imports import import_file, report_of_result

    result = import_file(
        OrganisationBatchResource(),
        data,
        dry_run=dry_run,
        skip_invalid_rows=skip_invalid_rows,
        limits=limits,
        file_name=file_name,
    )
    report = report_of_result(result, OrganisationBatchResource)
    report.written = not dry_run and not result.has_errors() and (skip_invalid_rows or not result.invalid_rows)
    if progress is not None:
        progress(len(result.rows), len(result.rows))
    return report
