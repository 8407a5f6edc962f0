"""The organisations' spreadsheet: its columns, and how an organisation's several values share one cell.

The export (``clusters.exports``) writes it, one row per organisation, its identifier (the slug) first; the import
(``clusters.imports``) reads it back, headers in French or English, and any spreadsheet holding some of its
columns. A cell holding several items has one item per line. An item with parts is written ``Main (part, part)``:
the main value as it is, then its parts inside the line's last parentheses, which are read from the right; a part
holding a comma, a parenthesis or a quote is quoted as in CSV, and empty parts at the end are left out. A value
on several lines (a site's address, a membership's notes) follows its item, each of its lines after ``| ``.
Dates are written 2010-10-27, periods 2010-10-27/2015-12-31 (either end may be empty), other organisations by
their identifier::

    Other names        Basque Biocluster (Former name, 2010-10-27/2013-06-30)          name (kind, period)
    Sectors            Pharmacy                                                        one name a line
    Sites              Chartres (Antenna, Chartres, Centre-Val de Loire, France)       name (kind, town, region,
                       | 1 rue de la Paix                                                    country), address
                       | 28000 Chartres
    Territories        Nouvelle-Aquitaine (Area of activity, France, gipso)            region (kind, country,
                                                                                             through)
    Membership types   Adhérent (adherent, 1500.00)                                    name (slug, annual fee)
    Memberships        polepharma (adherent, 2013-01-01/2015-12-31, 2014-06-30)        cluster (type, period,
                       | Notes                                                               cancelled on), notes
"""

import csv
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from core.search import fold

from .models import Organisation, OrganisationName, Site, Territory

COLUMN_LABELS = {
    "identifier": gettext_lazy("Identifier"),
    "name": gettext_lazy("Name"),
    "acronym": gettext_lazy("Acronym"),
    "kind": gettext_lazy("Kind"),
    "legal_form": gettext_lazy("Legal form"),
    "country": gettext_lazy("Country"),
    "region": gettext_lazy("Region"),
    "city": gettext_lazy("Town"),
    "website": gettext_lazy("Website"),
    "founded_on": gettext_lazy("Founded on"),
    "description": gettext_lazy("Description"),
    "other_names": gettext_lazy("Other names"),
    "sectors": gettext_lazy("Sectors"),
    "sites": gettext_lazy("Sites"),
    "territories": gettext_lazy("Territories"),
    "membership_types": gettext_lazy("Membership types offered"),
    "memberships": gettext_lazy("Memberships"),
}

# How files from elsewhere name the columns; the labels above, in French and English, are added to them.
SPELLINGS = {
    "identifier": ["Identifiant", "Identifier", "Slug"],
    "name": ["Nom", "Name", "Raison sociale", "Organisation", "Organization", "Nom de l'organisation", "Company"],
    "acronym": ["Sigle", "Acronym", "Acronyme", "Short name", "Nom court"],
    "kind": ["Type", "Kind", "Catégorie", "Category", "Nature"],
    "legal_form": ["Forme juridique", "Legal form", "Statut juridique"],
    "country": ["Pays", "Country"],
    "region": ["Région", "Region"],
    "city": ["Ville", "City", "Commune", "Town"],
    "website": ["Site web", "Website", "Site internet", "Site", "Web", "URL"],
    "founded_on": ["Fondée le", "Founded on", "Date de création", "Date of foundation"],
    "description": ["Description", "Activité", "Activity", "Présentation"],
    "other_names": ["Autres noms", "Other names", "Anciens noms", "Former names"],
    "sectors": ["Secteurs", "Sectors", "Secteur", "Sector"],
    "sites": ["Sites", "Implantations"],
    "territories": ["Territoires", "Territories"],
    "membership_types": ["Types d'adhésion proposés", "Membership types offered", "Types d'adhésion"],
    "memberships": ["Adhésions", "Memberships", "Membre de", "Member of"],
}

COLUMNS = tuple(COLUMN_LABELS)


@functools.cache
def column_names() -> dict[str, list[str]]:
    """Each column's spellings: those of ``SPELLINGS``, and its label in French and in English, so that a file
    exported in either language is read back whatever the language of the person importing it."""
    names = {column: list(spellings) for column, spellings in SPELLINGS.items()}
    for language in ("fr", "en"):
        with translation.override(language):
            for column, label in COLUMN_LABELS.items():
                names[column].append(str(label))
    return names


def header() -> list[str]:
    return [str(COLUMN_LABELS[column]) for column in COLUMNS]


@functools.cache
def choice_lookup(choices: type[TextChoices]) -> dict[str, str]:
    """Folded label, in French or in English, or value → value."""
    lookup = {}
    for language in ("en", "fr"):
        with translation.override(language):
            for value, label in choices.choices:
                lookup[fold(str(label))] = value
    lookup.update({fold(value): value for value in choices.values})
    return lookup


@dataclass(frozen=True)
class SheetLabels:
    """The words of a sheet in one language, read once per export rather than once per cell."""

    organisation_kinds: dict[str, str]
    name_kinds: dict[str, str]
    site_kinds: dict[str, str]
    territory_kinds: dict[str, str]
    countries: dict[str, str]

    @classmethod
    def current(cls) -> "SheetLabels":
        def labels(choices):
            return {value: str(label) for value, label in choices.choices}

        return cls(
            organisation_kinds=labels(Organisation.Kind),
            name_kinds=labels(OrganisationName.Kind),
            site_kinds=labels(Site.Kind),
            territory_kinds=labels(Territory.Kind),
            countries={code: str(name) for code, name in countries},
        )

    def country(self, code) -> str:
        return self.countries.get(str(code or ""), str(code or ""))


# Writing.

_NEEDS_QUOTES = re.compile(r'[,()"]')
_QUOTED = re.compile(r'"(?:[^"]|"")*"')


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def one_line(value) -> str:
    return " ".join(str(value or "").split())


def lines_of(text: str) -> list[str]:
    """A text's lines, whatever ends them, without the spaces at their ends."""
    return [line.rstrip() for line in re.split(r"\r\n|\r|\n", text or "")]


def multi_line(text: str) -> str:
    """A text as the import keeps a value written on several lines: "\\n" between lines, no space at their ends
    nor blank line at the text's ends (what a spreadsheet's cell keeps of them)."""
    return "\n".join(lines_of(text)).strip()


def item_line(main: str, parts: Iterable = ()) -> str:
    """``main (part, part)``: parts quoted when they need it, empty ones at the end left out."""
    parts = [one_line(part) for part in parts]
    while parts and not parts[-1]:
        parts.pop()
    main = one_line(main)
    if main.startswith(('"', "|")):
        main = _quoted(main)
    if not parts and not main.endswith(")"):
        return main
    return f"{main} ({', '.join(_quoted(part) if _NEEDS_QUOTES.search(part) else part for part in parts)})"


def continuation_lines(text: str) -> list[str]:
    text = multi_line(text)
    return [f"| {line}" if line else "|" for line in text.split("\n")] if text else []


def iso(day) -> str:
    return day.isoformat() if day else ""


def period(start, end) -> str:
    return f"{iso(start)}/{iso(end)}" if start or end else ""


def other_names_cell(names, labels: SheetLabels) -> str:
    return "\n".join(
        item_line(name.name, [labels.name_kinds.get(name.kind, name.kind), period(name.used_from, name.used_until)])
        for name in names
    )


def sectors_cell(sectors) -> str:
    return "\n".join(one_line(sector.name) for sector in sectors)


def sites_cell(sites, labels: SheetLabels) -> str:
    lines = []
    for site in sites:
        kind = labels.site_kinds.get(site.kind, site.kind)
        lines.append(item_line(site.name, [kind, site.city, site.region, labels.country(site.country)]))
        lines += continuation_lines(site.address)
    return "\n".join(lines)


def territories_cell(territories, labels: SheetLabels) -> str:
    """Each territory with the identifier of the organisation it is reached through (``through`` selected)."""
    return "\n".join(
        item_line(
            territory.region,
            [
                labels.territory_kinds.get(territory.kind, territory.kind),
                labels.country(territory.country),
                territory.through.slug if territory.through_id else "",
            ],
        )
        for territory in territories
    )


def membership_types_cell(membership_types) -> str:
    return "\n".join(
        item_line(
            membership_type.name,
            [membership_type.slug, "" if membership_type.annual_fee is None else f"{membership_type.annual_fee:.2f}"],
        )
        for membership_type in membership_types
    )


def memberships_cell(memberships) -> str:
    """Each membership with its cluster's identifier and its type's slug (``cluster`` and ``membership_type``
    selected)."""
    lines = []
    for membership in memberships:
        membership_type = membership.membership_type.slug if membership.membership_type_id else ""
        lines.append(
            item_line(
                membership.cluster.slug,
                [membership_type, period(membership.started_on, membership.ended_on), iso(membership.cancelled_on)],
            )
        )
        lines += continuation_lines(membership.notes)
    return "\n".join(lines)


def organisation_cells(organisation, labels: SheetLabels) -> list[str]:
    """The row of ``organisation``, whose related records are prefetched (``Organisation.objects.for_sheet()``)."""
    return [
        organisation.slug,
        organisation.name,
        organisation.acronym,
        labels.organisation_kinds.get(organisation.kind, organisation.kind),
        organisation.legal_form,
        labels.country(organisation.country),
        organisation.region,
        organisation.city,
        organisation.website,
        iso(organisation.founded_on),
        multi_line(organisation.description),
        other_names_cell(organisation.other_names.all(), labels),
        sectors_cell(organisation.sectors.all()),
        sites_cell(organisation.sites.all(), labels),
        territories_cell(organisation.territories.all(), labels),
        membership_types_cell(organisation.membership_types.all()),
        memberships_cell(organisation.memberships_held.all()),
    ]


# Reading.


@dataclass
class Item:
    """One item of a cell: its main value, its parts, and the lines after "| " that follow it."""

    line: str
    main: str
    parts: list[str]
    following: list[str] = field(default_factory=list)

    def error(self, message: str) -> ValidationError:
        shown = self.line if len(self.line) <= 80 else self.line[:79] + "…"
        return ValidationError(_("Line “%(line)s”: %(error)s") % {"line": shown, "error": message})


def read_items(cell: str) -> list[Item]:
    """The items of a cell written as ``item_line`` and ``continuation_lines`` write them."""
    items: list[Item] = []
    for raw in re.split(r"\r\n|\r|\n", cell or ""):
        if raw.startswith("|"):
            if not items:
                raise ValidationError(
                    _(
                        "The line “%(line)s” begins with “|”, which continues the item above it, but no item "
                        "comes before it."
                    )
                    % {"line": raw[:80]}
                )
            items[-1].following.append(raw[2:] if raw.startswith("| ") else raw[1:])
        elif raw.strip():
            line = raw.strip()
            main, parts = _split_item(line)
            items.append(Item(line=line, main=main, parts=parts))
    return items


def _split_item(line: str) -> tuple[str, list[str]]:
    if line.endswith(")"):
        start = _group_start(line)
        if start is not None and line[:start].strip():
            inner = line[start + 1 : -1]
            parts = next(csv.reader([inner], skipinitialspace=True)) if inner.strip() else []
            return _unquoted(line[:start].rstrip()), [one_line(part) for part in parts]
    return _unquoted(line), []


def _group_start(line: str) -> int | None:
    """Where the parentheses ending ``line`` open, quotes inside them skipped; None if they hold an unquoted ")"."""
    in_quotes = False
    for index in range(len(line) - 2, -1, -1):
        char = line[index]
        if char == '"':
            in_quotes = not in_quotes
        elif not in_quotes and char == "(":
            return index
        elif not in_quotes and char == ")":
            return None
    return None


def _unquoted(main: str) -> str:
    if _QUOTED.fullmatch(main):
        return main[1:-1].replace('""', '"')
    return main
