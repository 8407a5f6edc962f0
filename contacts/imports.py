"""Importing people: from the CRM's own exports, from the spreadsheets staff keep, from Google Contacts, Outlook
and vCard files (``contacts.layouts`` recognises the columns, ``contacts.vcards`` reads the cards).

**Matching never invents a merge.** A row updates a known person when it names them without doubt:

1. by the identifier (the slug) the CRM's exports carry;
2. else by an email address or a phone number that belongs to them;
3. else — only for a row that has no email address and no phone number — by the same name at the same
   organisation with the same title.

Any other row is a new person. A new person whose name is already borne by someone at the same organisation is
flagged: the preview and the report say so, and the duplicates page lists the pair for review.

**What a row brings is added to what is known**, never taken away: a position, a press-contact role, a tag,
an email address or a phone number not yet held; the notes when they are not already there; "do not contact"
can be set by a file, never cleared (that is a decision staff take in the back office). **A row that changes
nothing writes nothing**: no new version, no history row, so importing a file twice leaves the data as the first
import left it.

Cells the CRM's exports write (``contacts.exports``): several addresses or numbers in a cell separated by ``;``,
each possibly followed by its label in parentheses; positions one per line as ``Title (organisation,
2021-03-01/2024-06-30, *)`` (the organisation by identifier or name, the dates when known, ``*`` on the primary
one); press-contact roles one organisation per line; tags one per line.
"""

import io
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from itertools import islice
from typing import BinaryIO

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import TextField, Value
from django.db.models.functions import Cast, Concat, Lower
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber

from clusters.imports import OrganisationIndex
from clusters.models import Organisation
from core import spreadsheets
from core.bulk import any_of, create_rows_with_history, create_with_history, through_indexes
from core.imports import ImportReport
from core.search import fold
from core.slugs import free_slug
from core.tables import TableError, TableLimits, stream_table
from core.threads import read_ahead

from .layouts import COLUMN_LABELS, COLUMNS, GENERIC_SPELLINGS, CanonicalTable, canonical_table, missing_columns
from .models import RESERVED_PERSON_SLUGS, ContactPoint, Person, Position, PressContact, Tag
from .normalisation import find_phone_numbers, is_mobile, normalise_email, normalise_family_name
from .search import organisation_names, phone_digits, search_text_of
from .signals import flush_deferred_search_text, search_text_changed, search_text_deferred
from .vcards import looks_like_vcard, read_vcards

# "Mme", "M.", "Dr": a salutation, which the CRM does not keep, never a job title.
HONORIFICS = {
    fold(word)
    for word in (
        "M.",
        "M",
        "Mme",
        "Mlle",
        "Mmes",
        "MM.",
        "Monsieur",
        "Madame",
        "Mademoiselle",
        "Mr",
        "Mr.",
        "Mrs",
        "Mrs.",
        "Ms",
        "Ms.",
        "Miss",
        "Dr",
        "Dr.",
        "Docteur",
        "Pr",
        "Pr.",
        "Prof.",
        "Professeur",
        "Professor",
        "Sr.",
        "Sra.",
        "Srta.",
        "Don",
        "Doña",
        "Jauna",
        "Andrea",
        "Me",
        "Maître",
    )
}
_YES = {"oui", "yes", "true", "vrai", "1", "x", "si", "bai"}
_NO = {"non", "no", "false", "faux", "0", "ez"}
_POSITION = re.compile(
    r"^(?P<title>.*?)\s*\((?P<organisation>[^()]+?)"
    r"(?:,\s*(?P<start>\d{4}-\d{2}-\d{2})?/(?P<end>\d{4}-\d{2}-\d{2})?)?(?P<primary>,\s*\*)?\)$"
)
_PRESS_ROLE = re.compile(
    r"^(?P<organisation>.+?)(?:\s*\((?P<start>\d{4}-\d{2}-\d{2})?/(?P<end>\d{4}-\d{2}-\d{2})?\))?$"
)
_EMAIL_COLUMNS = {
    "work_emails": ContactPoint.Kind.WORK,
    "personal_emails": ContactPoint.Kind.PERSONAL,
    "other_emails": None,
}
_PHONE_COLUMNS = {
    "work_phones": ContactPoint.Kind.WORK,
    "mobiles": ContactPoint.Kind.MOBILE,
    "switchboards": ContactPoint.Kind.SWITCHBOARD,
    "personal_phones": ContactPoint.Kind.PERSONAL,
    "other_phones": None,
}


# --- Reading a row ------------------------------------------------------------------------------------------


@dataclass
class Point:
    value: str  # a normalised email address, or a phone number in E.164
    kind: str
    label: str = ""
    preferred: bool = False
    number: "CheckedPhoneNumber | None" = None  # a phone number, parsed and checked once (shared: never changed)


@dataclass
class HeldPosition:
    organisation: Organisation
    title: str
    started_on: date | None = None
    ended_on: date | None = None
    primary: bool = False


@dataclass
class PressRole:
    organisation: Organisation
    started_on: date | None = None
    ended_on: date | None = None


@dataclass
class PersonRow:
    """What one row says of a person, checked and normalised."""

    slug: str = ""
    given_name: str = ""
    family_name: str = ""
    emails: list[Point] = field(default_factory=list)
    phones: list[Point] = field(default_factory=list)
    positions: list[HeldPosition] = field(default_factory=list)
    press_roles: list[PressRole] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    do_not_contact: bool = False
    lawful_basis: str = ""
    notes: str = ""
    remarks: list[str] = field(default_factory=list)  # what the preview and the report say of the row
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def name_key(self) -> str:
        return fold(f"{self.given_name} {self.family_name}")

    def error(self, column: str, message: str) -> None:
        self.errors.setdefault(column, []).append(message)


def _text(row, column: str) -> str:
    return str(row.get(column) or "").strip()


def _line(text: str) -> str:
    return " ".join(text.split())


_SEPARATORS = re.compile(r"[;,\n]")


def split_items(cell: str) -> list[str]:
    """The items of a cell listing addresses or numbers: separated by ``;``, ``,`` or line breaks, except inside
    parentheses (a label may hold any of them)."""
    if "(" not in cell:
        return [item.strip() for item in _SEPARATORS.split(cell) if item.strip()]
    items, depth, current = [], 0, []
    for char in cell:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        if depth == 0 and char in ";,\n":
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def split_label(item: str) -> tuple[str, str]:
    """``value (label)`` → (value, label): the label is the last parenthesised group, when the item ends with one."""
    if not item.endswith(")"):
        return item, ""
    depth = 0
    for index in range(len(item) - 1, -1, -1):
        if item[index] == ")":
            depth += 1
        elif item[index] == "(":
            depth -= 1
            if depth == 0:
                value = item[:index].strip()
                return (value, item[index + 1 : -1].strip()) if value else (item, "")
    return item, ""


def _day(text: str | None, row: PersonRow, column: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        row.error(column, _("“%(value)s” is not a date (write it as 2024-06-30).") % {"value": text})
        return None


class RowReader:
    """Reads the cells of the import's columns (``contacts.layouts.COLUMNS``) into a ``PersonRow``."""

    def __init__(self, organisations: OrganisationIndex, *, has_positions_column: bool, explicit_preference: bool):
        self.organisations = organisations
        self.has_positions_column = has_positions_column
        # The CRM's exports name the preferred address and number in their own columns, empty when there is none;
        # in other files, the first address or number is the preferred one when none is named.
        self.explicit_preference = explicit_preference
        self.lawful_bases = {}
        for language in ("en", "fr"):
            with translation.override(language):
                for value, label in Person.LawfulBasis.choices:
                    self.lawful_bases[fold(str(label))] = value
        self.lawful_bases.update({fold(value): value for value in Person.LawfulBasis.values})

    def read(self, cells) -> PersonRow:
        row = PersonRow()
        self._names(cells, row)
        self._emails(cells, row)
        self._phones(cells, row)
        self._positions(cells, row)
        self._press_roles(cells, row)
        row.tags = list(dict.fromkeys(_line(tag)[:80] for tag in _text(cells, "tags").split("\n") if tag.strip()))
        for tag in row.tags:
            if len(tag) == 80:
                row.error("tags", _("A tag has at most 80 characters."))
        self._flags(cells, row)
        row.notes = _text(cells, "notes")
        return row

    def _names(self, cells, row: PersonRow) -> None:
        slug = _text(cells, "slug")
        if slug:
            if slugify(slug) != slug or len(slug) > Person._meta.get_field("slug").max_length:
                row.error("slug", _("“%(value)s” is not an identifier of this CRM.") % {"value": slug[:60]})
            else:
                row.slug = slug
        row.given_name = _line(_text(cells, "given_name"))
        # A row of the CRM's own export (it has an identifier) holds the name as the CRM keeps it; elsewhere a
        # name in capitals is written in ordinary case ("PASCUAL DE ZULUETA" → "Pascual de Zulueta").
        family_name = _text(cells, "family_name")
        row.family_name = _line(family_name) if row.slug else normalise_family_name(family_name)
        full_name = _line(_text(cells, "full_name"))
        if not row.family_name and full_name:
            # "Jeanne Martin": the last word is the family name, the others the given name.
            words = full_name.split(" ")
            row.family_name = normalise_family_name(words[-1])
            row.given_name = row.given_name or " ".join(words[:-1])
        if not row.family_name:
            row.error("family_name", _("The family name is missing."))
        for column, value in (("given_name", row.given_name), ("family_name", row.family_name)):
            if len(value) > Person._meta.get_field(column).max_length:
                row.error(column, _("At most %(count)s characters.") % {"count": 120})
        honorific = _line(_text(cells, "honorific"))
        if honorific:
            row.remarks.append(_("Honorific “%(value)s” not kept: the CRM has no field for it.") % {"value": honorific})

    def _emails(self, cells, row: PersonRow) -> None:
        preferred = [normalise_email(split_label(item)[0]) for item in split_items(_text(cells, "email"))]
        found: dict[str, Point] = {}
        for column, kind in [*_EMAIL_COLUMNS.items(), ("email", None)]:
            for item in split_items(_text(cells, column)):
                value, label = split_label(item)
                email = normalise_email(value)
                if not _is_email(email):
                    row.error(column, _("“%(value)s” is not an email address.") % {"value": item[:80]})
                    continue
                point = found.get(email)
                if point is None:
                    found[email] = Point(email, kind or ContactPoint.Kind.WORK, label[:120])
                elif kind is not None and column != "email":
                    point.kind = kind
                if label and not found[email].label:
                    found[email].label = label[:120]
        row.emails = _preferred_first(list(found.values()), preferred, self.explicit_preference)

    def _phones(self, cells, row: PersonRow) -> None:
        found: dict[str, Point] = {}
        preferred: list[str] = []
        for column, kind in [("phone", None), *_PHONE_COLUMNS.items()]:
            for item in split_items(_text(cells, column)):
                value, label = split_label(item)
                numbers = _checked_numbers(value)
                if not numbers:
                    row.error(column, _("“%(value)s” is not a phone number.") % {"value": item[:60]})
                    continue
                for number in numbers:
                    e164 = number.e164
                    if column == "phone":
                        preferred.append(e164)
                    point = found.get(e164)
                    if point is None:
                        found[e164] = point = Point(e164, kind or "", label[:120], number=number)
                    elif kind is not None:
                        point.kind = kind
                    if label and not point.label:
                        point.label = label[:120]
        for point in found.values():
            if not point.kind:
                # No column says what kind of number it is: the number's own type (slow to tell, so only then).
                point.kind = ContactPoint.Kind.MOBILE if point.number.mobile else ContactPoint.Kind.WORK
        row.phones = _preferred_first(list(found.values()), preferred, self.explicit_preference)

    def _organisation(self, name: str, row: PersonRow, column: str) -> Organisation | None:
        organisation = self.organisations.find(name)
        if organisation is None:
            row.error(
                column,
                _("No organisation is called “%(name)s”: import the organisations first, or correct the name.")
                % {"name": name[:100]},
            )
        return organisation

    def _positions(self, cells, row: PersonRow) -> None:
        max_title = Position._meta.get_field("title").max_length
        if self.has_positions_column:
            # The CRM's own export: every position, one per line; "Organisation" and "Job title" only repeat
            # the first one for people reading the file.
            for line in _text(cells, "positions").split("\n"):
                line = line.strip()
                if not line:
                    continue
                match = _POSITION.match(line)
                if match is None or not match["title"].strip():
                    row.error(
                        "positions",
                        _("Write each position on its own line as “Title (organisation)”, not “%(value)s”.")
                        % {"value": line[:100]},
                    )
                    continue
                organisation = self._organisation(match["organisation"].strip(), row, "positions")
                title = _line(match["title"])
                if len(title) > max_title:
                    row.error("positions", _("A title has at most %(count)s characters.") % {"count": max_title})
                    continue
                started_on = _day(match["start"], row, "positions")
                ended_on = _day(match["end"], row, "positions")
                if started_on and ended_on and ended_on < started_on:
                    row.error("positions", _("A position cannot end before it starts."))
                    continue
                if organisation is not None:
                    row.positions.append(
                        HeldPosition(organisation, title, started_on, ended_on, primary=bool(match["primary"]))
                    )
            if sum(position.primary for position in row.positions) > 1:
                row.error("positions", _("Mark one position only as the primary one (“*”)."))
            return
        name, title = _line(_text(cells, "organisation")), _line(_text(cells, "title"))
        if fold(title) in HONORIFICS:
            row.remarks.append(_("“%(value)s” is an honorific, not a job title: not kept.") % {"value": title})
            title = ""
        if name:
            organisation = self._organisation(name, row, "organisation")
            if organisation is not None and not title:
                row.error(
                    "title", _("Give the person's title at %(organisation)s.") % {"organisation": organisation.name}
                )
            elif organisation is not None:
                if len(title) > max_title:
                    row.error("title", _("At most %(count)s characters.") % {"count": max_title})
                else:
                    row.positions.append(HeldPosition(organisation, title))
        elif title:
            row.error(
                "organisation", _("Name the organisation where the person is “%(title)s”.") % {"title": title[:100]}
            )

    def _press_roles(self, cells, row: PersonRow) -> None:
        for line in _text(cells, "press_for").split("\n"):
            line = line.strip()
            if not line:
                continue
            match = _PRESS_ROLE.match(line)
            organisation = self._organisation(match["organisation"].strip(), row, "press_for")
            started_on, ended_on = _day(match["start"], row, "press_for"), _day(match["end"], row, "press_for")
            if organisation is not None and not any(role.organisation == organisation for role in row.press_roles):
                row.press_roles.append(PressRole(organisation, started_on, ended_on))

    def _flags(self, cells, row: PersonRow) -> None:
        do_not_contact = fold(_text(cells, "do_not_contact"))
        if do_not_contact in _YES:
            row.do_not_contact = True
        elif do_not_contact and do_not_contact not in _NO:
            row.error(
                "do_not_contact",
                _("Write “yes” or leave the cell empty, not “%(value)s”.") % {"value": do_not_contact[:40]},
            )
        lawful_basis = fold(_text(cells, "lawful_basis"))
        if lawful_basis:
            row.lawful_basis = self.lawful_bases.get(lawful_basis, "")
            if not row.lawful_basis:
                row.error(
                    "lawful_basis",
                    _("“%(value)s” is not a lawful basis: write one of %(choices)s.")
                    % {
                        "value": lawful_basis[:40],
                        "choices": ", ".join(str(label) for label in Person.LawfulBasis.labels),
                    },
                )


# Between a family name and an organisation's id in the key of a namesake: a character no name holds.
_PAIR_SEPARATOR = "\x1f"
_PLAIN_NUMBER = re.compile(r"\+?[\d .()/-]{6,40}")


def _is_email(value: str) -> bool:
    return _is_email_cached(value) if len(value) <= 320 else False  # RFC 5321: at most 254 characters


@lru_cache(maxsize=8192)
def _is_email_cached(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _checked_numbers(text: str) -> tuple["CheckedPhoneNumber", ...]:
    """The valid numbers written in ``text``. A number recurs in a file (a switchboard, the preferred number
    repeated in its kind's column) and phonenumbers is slow: the last few thousand short texts are remembered
    (a bounded cache: memory does not grow with the file)."""
    return _checked_numbers_cached(text) if len(text) <= 80 else _numbers_of(text)


def _numbers_of(text: str) -> tuple["CheckedPhoneNumber", ...]:
    return tuple(CheckedPhoneNumber.of(number) for number in _phone_numbers(text))


_checked_numbers_cached = lru_cache(maxsize=8192)(_numbers_of)


def _phone_numbers(text: str) -> list[phonenumbers.PhoneNumber]:
    """The valid numbers written in ``text``. A cell holding one number alone, as exports write them, is parsed
    at once; anything else is searched for numbers (``find_phone_numbers``, four times slower)."""
    if _PLAIN_NUMBER.fullmatch(text) and text.count("+") <= 1:
        try:
            number = phonenumbers.parse(text, settings.PHONENUMBER_DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            number = None
        if number is not None and phonenumbers.is_valid_number(number):
            return [number]
    return find_phone_numbers(text)


class CheckedPhoneNumber(PhoneNumber):
    """A number the import parsed and found valid: stored without being checked again (``PhoneNumberField``
    checks every value it writes, a quarter of the time of an import of a hundred thousand people)."""

    @classmethod
    def of(cls, number: phonenumbers.PhoneNumber) -> "CheckedPhoneNumber":
        checked = cls()
        checked.merge_from(number)
        checked.e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return checked

    def is_valid(self) -> bool:
        return True

    @cached_property
    def mobile(self) -> bool:
        return is_mobile(self)

    @cached_property
    def search_digits(self) -> list[str]:
        return phone_digits(self)


def _search_text(person: Person, plan: "Plan") -> str:
    """A new person's search text (``contacts.search``), from what the row brings, without reading it back (the
    organisations come from the ``OrganisationIndex``, with their names prefetched)."""
    organisations = [position.organisation for position in plan.positions]
    organisations += [role.organisation for role in plan.press_roles]
    values = []
    for point in plan.points:
        values += point.number.search_digits if point.number is not None else [point.value]
    return search_text_of(
        given_name=person.given_name,
        family_name=person.family_name,
        titles=[position.title for position in plan.positions],
        organisations=[organisation_names(organisation) for organisation in organisations],
        contact_values=values,
    )


def _has_text(cells) -> bool:
    return any(str(cell or "").strip() for cell in cells)


def _preferred_first(points: list[Point], preferred: list[str], explicit: bool) -> list[Point]:
    """The points with the one named preferred first and marked so; unless ``explicit``, the first one when none
    is named."""
    chosen = next((point for value in preferred for point in points if point.value == value), None)
    if chosen is None and points and not explicit:
        chosen = points[0]
    if chosen is None:
        return points
    chosen.preferred = True
    return [chosen] + [point for point in points if point is not chosen]


# How much of a file is read to tell a vCard file: a byte-order mark and blank lines may come before its first card.
VCARD_SNIFF_BYTES = 64 * 1024
# The file of rejected rows is kept in memory up to this size, on disk beyond.
REJECTED_ROWS_IN_MEMORY = 1024 * 1024


# --- Matching and writing -------------------------------------------------------------------------------------


@dataclass
class Plan:
    """What importing a row does to the person it is about."""

    reason: str
    created: bool = False
    person_fields: list[str] = field(default_factory=list)  # the person's own fields that change
    positions: list[HeldPosition] = field(default_factory=list)
    press_roles: list[PressRole] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    primary_email: bool = False  # whether the person has no preferred email yet
    primary_phone: bool = False
    flagged: str = ""
    before: dict = field(default_factory=dict)  # the person's own fields before the row

    @property
    def changes_anything(self) -> bool:
        return bool(
            self.created or self.person_fields or self.positions or self.press_roles or self.tags or self.points
        )


PERSON_FIELDS = ("given_name", "family_name", "notes", "do_not_contact", "lawful_basis")


class PeopleImport:
    """One import of people: every row read and checked, matched, planned, then written — new people, their
    positions, roles, addresses and tags a thousand rows at a time — in one transaction. Nothing is written on
    a dry run (the preview), nor when a row is invalid unless the invalid rows are left out.

    ``progress(rows_done, total)`` is called every ``PROGRESS_EVERY`` rows; it may raise to stop the import (a
    cancelled job), which then writes nothing."""

    BATCH = 1000
    PROGRESS_EVERY = 500

    def __init__(self, table: CanonicalTable, *, file_name: str = "", progress=None):
        self.table = table
        self.file_name = file_name
        self.progress = progress or (lambda done, total: None)
        self.report = ImportReport(
            layout=table.layout_label, unused_columns=list(table.unused), columns=[list(pair) for pair in table.columns]
        )

    def run(self, *, dry_run: bool, skip_invalid_rows: bool) -> ImportReport:
        report = self.report
        # The rejected rows, as the file to correct and import again, written as they come (not held).
        self.rejected_rows = tempfile.SpooledTemporaryFile(max_size=REJECTED_ROWS_IN_MEMORY)
        try:
            self._run(dry_run=dry_run, skip_invalid_rows=skip_invalid_rows)
            self.rejected_rows.seek(0)
            report.rejected_file = self.rejected_rows.read()
        finally:
            self.rejected_rows.close()
        return report

    def _run(self, *, dry_run: bool, skip_invalid_rows: bool) -> None:
        report = self.report
        with transaction.atomic(), search_text_deferred():
            self._start()
            total, done = self.table.row_count, 0
            # A thousand rows at a time, read and checked on another thread while this one writes the chunk before;
            # the people a chunk may be about read together.
            for chunk in read_ahead(self._chunks()):
                self._read_known_people([row for _number, row, _cells in chunk])
                self._load({found for _number, row, _cells in chunk if isinstance(found := self._match(row)[0], int)})
                for number, row, cells in chunk:
                    self._import_row(number, row, cells)
                    done += 1
                    if done % self.PROGRESS_EVERY == 0:
                        self.progress(done, total)
                # Written now, this chunk's people are found in the database by the next ones: nothing of it is
                # kept, and memory stays the same from the first row of a file to its last.
                self._write_pending()
                self._forget()
                flush_deferred_search_text()  # the people this chunk updated: their ids not kept to the end
            blocked = report.counts["rejected"] and not skip_invalid_rows
            report.written = not dry_run and not blocked
            if not report.written:
                transaction.set_rollback(True)
        self.progress(total, total)

    def _chunks(self) -> Iterator[list[tuple[int, PersonRow, list[str]]]]:
        """The rows holding something, a thousand at a time: number, what it says, its cells."""
        rows = ((number, cells) for number, cells in enumerate(self.table.rows(), 2) if _has_text(cells))
        while batch := list(islice(rows, self.BATCH)):
            yield [(number, self.reader.read(dict(zip(COLUMNS, cells, strict=True))), cells) for number, cells in batch]

    def _reject(self, number: int, row: PersonRow, cells: list[str]) -> None:
        """Count the row as rejected, and add it to the file of rejected rows, with a column saying what is wrong."""
        errors = {str(COLUMN_LABELS.get(column, column)): messages for column, messages in row.errors.items()}
        self.report.reject(number, errors)
        present = [index for index, column in enumerate(COLUMNS) if column in self.table.present]
        if not self.rejected_rows.tell():
            header = [str(COLUMN_LABELS[COLUMNS[index]]) for index in present] + [_("Errors")]
            self.rejected_rows.write(b"".join(spreadsheets.csv_chunks(header, [])))
        problems = " ; ".join(
            f"{_('%(label)s:') % {'label': column}} {message}" if column else message
            for column, messages in errors.items()
            for message in messages
        )
        self.rejected_rows.write(spreadsheets.csv_line([cells[index] for index in present] + [problems]))

    # Before the rows: what they will be matched against, read in a few queries for a thousand rows.

    def _start(self) -> None:
        table = self.table
        self.organisations = OrganisationIndex()
        self.reader = RowReader(
            self.organisations,
            has_positions_column="positions" in table.present,
            explicit_preference=table.layout == "generic" and "slug" in table.present,
        )
        # Rows of the CRM's own export name different people by different identifiers: such rows are never
        # matched to each other, nor to a known person that another row of the file names (``_may_match``).
        self.file_slugs = table.identifiers
        self.tags = {fold(tag.name): tag for tag in Tag.objects.all()}
        self.pending = self._no_pending()
        self._forget()

    def _forget(self) -> None:
        """Forget what was read and remembered for the rows so far: once written, it is in the database."""
        self.slug_of: dict[int, str] = {}
        self.person_by_slug: dict[str, object] = {}
        self.person_by_email: dict[str, object] = {}
        self.person_by_phone: dict[str, object] = {}
        self.people_by_name: dict[tuple[str, int], list[tuple[object, str, str]]] = {}
        self.names_read: set[tuple[str, int]] = set()
        # Slugs a new person may not take: those of the file's known people, and those given in this import.
        self.slugs_given: set[str] = set()
        self.people: dict[int, Person] = {}
        self.known: dict[int, dict] = {}
        self.unsaved: dict[int, tuple] = {}

    def _read_known_people(self, rows: list[PersonRow]) -> None:
        """The known people ``rows`` may be about: by identifier, email, phone, or name at an organisation. What
        earlier rows of the file added stays found first."""
        slugs = sorted({row.slug for row in rows if row.slug} - set(self.person_by_slug))
        emails = sorted({point.value for row in rows for point in row.emails} - set(self.person_by_email))
        numbers = {point.value: point.number or point.value for row in rows for point in row.phones}
        phones = sorted(set(numbers) - set(self.person_by_phone))
        # The numbers as checked numbers, the stored ones as text: neither parsed again (phonenumbers is slow).
        searched = (
            (emails, self.person_by_email, "email"),
            ([numbers[value] for value in phones], self.person_by_phone, "phone"),
        )
        with through_indexes():
            for slug, pk in Person.objects.filter(any_of("slug", slugs)).values_list("slug", "pk"):
                self.person_by_slug.setdefault(slug, pk)
                self.slug_of[pk] = slug
            for values, lookup, column in searched:
                if values:
                    # The oldest holder wins when two people share an address (the duplicates page lists them).
                    points = ContactPoint.objects.filter(any_of(column, values)).order_by("pk")
                    for value, person_id, slug in points.values_list(
                        Cast(column, TextField()), "person_id", "person__slug"
                    ):
                        lookup.setdefault(value, person_id)
                        self.slug_of[person_id] = slug
        # Same name at the same organisation: the only match of a row without email or phone (with the same title
        # too), and a flag on a new person otherwise. Read for the family names of these rows (as written, case
        # aside) at their organisations, once for each.
        wanted = {
            (row.family_name.lower(), position.organisation.pk)
            for row in rows
            for position in row.positions
            if row.family_name
        } - self.names_read
        if wanted:
            self.names_read |= wanted
            # The organisations and the names select through their indexes; the pairs keep only the namesakes
            # (a thousand rows' names at their organisations, not at every organisation of the chunk: 27 000
            # positions a chunk at 100 000 people, read and dropped, before).
            positions = (
                Position.objects.annotate(
                    family=Lower("person__family_name"),
                    pair=Concat(
                        "family", Value(_PAIR_SEPARATOR), Cast("organisation_id", TextField()), output_field=TextField()
                    ),
                )
                .filter(
                    any_of("organisation_id", {organisation for _name, organisation in wanted}),
                    any_of("family", {name for name, _organisation in wanted}),
                    any_of("pair", {f"{name}{_PAIR_SEPARATOR}{organisation}" for name, organisation in wanted}),
                )
                .values_list(
                    "person_id", "person__given_name", "person__family_name", "organisation_id", "title", "person__slug"
                )
            )
            for person_id, given_name, family_name, organisation_id, title, slug in positions:
                if (family_name.lower(), organisation_id) not in wanted:
                    continue
                self.slug_of[person_id] = slug
                full_name = f"{given_name} {family_name}".strip()
                key = (fold(full_name), organisation_id)
                self.people_by_name.setdefault(key, []).append((person_id, fold(title), full_name))

    def _load(self, person_ids) -> None:
        """The people rows match, with their positions, press roles, tags and contact points."""
        ordered = sorted({pk for pk in person_ids if pk not in self.people})
        for start in range(0, len(ordered), 1000):
            chunk = ordered[start : start + 1000]
            self.people.update(Person.objects.in_bulk(chunk))
            for pk in chunk:
                self.known[pk] = {"positions": [], "press": set(), "tags": set(), "points": set(), "primary": set()}
            for position in Position.objects.filter(person_id__in=chunk).values(
                "person_id", "organisation_id", "title", "started_on", "ended_on", "is_primary"
            ):
                self.known[position["person_id"]]["positions"].append(position)
            for person_id, organisation_id in PressContact.objects.filter(person_id__in=chunk).values_list(
                "person_id", "organisation_id"
            ):
                self.known[person_id]["press"].add(organisation_id)
            for person_id, name in Person.tags.through.objects.filter(person_id__in=chunk).values_list(
                "person_id", "tag__name"
            ):
                self.known[person_id]["tags"].add(fold(name))
            for person_id, medium, email, phone, is_primary in ContactPoint.objects.filter(
                person_id__in=chunk
            ).values_list("person_id", "medium", "email", Cast("phone", TextField()), "is_primary"):
                self.known[person_id]["points"].add(email or phone)
                if is_primary:
                    self.known[person_id]["primary"].add(medium)

    def _match(self, row: PersonRow) -> tuple[object, str]:
        """The person ``row`` is about — a known person's id, or a person this import is adding — and why; or
        None."""
        if row.slug and row.slug in self.person_by_slug:
            return self.person_by_slug[row.slug], _("same identifier (%(slug)s)") % {"slug": row.slug}
        for point in row.emails:
            found = self.person_by_email.get(point.value)
            if found is not None and self._may_match(row, found):
                return found, _("same email (%(value)s)") % {"value": point.value}
        for point in row.phones:
            found = self.person_by_phone.get(point.value)
            if found is not None and self._may_match(row, found):
                return found, _("same phone (%(value)s)") % {"value": point.value}
        if not row.emails and not row.phones:
            for position in row.positions:
                for found, title, _name in self.people_by_name.get((row.name_key, position.organisation.pk), []):
                    if title == fold(position.title) and self._may_match(row, found):
                        return found, _("same name, organisation and title")
        return None, ""

    def _may_match(self, row: PersonRow, found) -> bool:
        """Whether a row with an identifier may be about ``found``: not if another row of the file names them."""
        slug = found.slug if isinstance(found, Person) else self.slug_of.get(found)
        return not (row.slug and slug and slug != row.slug and slug in self.file_slugs)

    # One row.

    def _import_row(self, number: int, row: PersonRow, cells) -> None:
        report = self.report
        if row.remarks:
            report.remarks[number] = row.remarks
        if row.errors:
            self._reject(number, row, cells)
            return
        match, reason = self._match(row)
        if isinstance(match, Person) or match in self.pending["people"]:
            # Added or changed by an earlier row of this file, not all written yet: written first, then read.
            self._write_pending()
            match = getattr(match, "pk", match)
        if match is None:
            person = Person()
            plan = self._plan_new(person, row)
        else:
            self._load([match])
            person = self.people[match]
            plan = self._plan_update(person, row, reason)
        action = "new" if plan.created else "update" if plan.changes_anything else "unchanged"
        report.add(
            number, action, self._describe(plan, person), lambda: self._changes(plan, person), flagged=plan.flagged
        )
        if not plan.changes_anything:
            self.people.pop(person.pk, None)
            self.known.pop(person.pk, None)
            return
        self._remember(person, row)
        if plan.created:
            self.pending["new"].append((person, plan))
        else:
            if plan.person_fields:
                person.save()
            self._add_details(person, plan)
        if len(self.pending["new"]) >= self.BATCH:
            self._write_pending()

    def _remember(self, person: Person, row: PersonRow) -> None:
        """Later rows of the file find this person as they would find one already known: by id, or by the
        object while it waits to be written (``_remember_key`` puts the id in its place then)."""
        key = person.pk or person
        if person.pk:
            self.slug_of[person.pk] = person.slug
        entries = []
        if person.slug:
            entries.append((self.person_by_slug, person.slug))
        entries += [
            (self.person_by_email, point.value) for point in row.emails if point.value not in self.person_by_email
        ]
        entries += [
            (self.person_by_phone, point.value) for point in row.phones if point.value not in self.person_by_phone
        ]
        for lookup, value in entries:
            lookup[value] = key
        names = []
        for position in row.positions:
            same_name = self.people_by_name.setdefault((row.name_key, position.organisation.pk), [])
            same_name.append((key, fold(position.title), person.full_name))
            names.append((same_name, len(same_name) - 1))
        if person.pk is None:
            self.unsaved[id(person)] = (entries, names)

    def _remember_key(self, person: Person) -> None:
        """A person written at last is found by their id from now on, no longer by the object."""
        entries, names = self.unsaved.pop(id(person), ((), ()))
        self.slug_of[person.pk] = person.slug
        for lookup, value in entries:
            lookup[value] = person.pk
        for same_name, index in names:
            _key, title, name = same_name[index]
            same_name[index] = (person.pk, title, name)

    def _plan_new(self, person: Person, row: PersonRow) -> Plan:
        person.given_name, person.family_name = row.given_name, row.family_name
        person.notes = row.notes
        person.do_not_contact = row.do_not_contact
        if row.lawful_basis:
            person.lawful_basis = row.lawful_basis
        person.data_source = Person.DataSource.IMPORT
        person.source_detail = (_("Import of %(file)s") % {"file": self.file_name})[:300]
        person.slug = self._free_slug(row)
        if row.positions and not any(position.primary for position in row.positions):
            row.positions[0].primary = True
        plan = Plan(
            reason=_("new person"),
            created=True,
            positions=list(row.positions),
            press_roles=list(row.press_roles),
            tags=list(row.tags),
            points=[*row.emails, *row.phones],
            primary_email=True,
            primary_phone=True,
        )
        for position in row.positions:
            namesakes = self.people_by_name.get((row.name_key, position.organisation.pk))
            if namesakes:
                plan.flagged = _(
                    "%(person)s bears the same name at %(organisation)s: a different person, since their email "
                    "or phone differ; listed on the duplicates page to check."
                ) % {"person": namesakes[0][2], "organisation": position.organisation.name}
                break
        return plan

    def _free_slug(self, row: PersonRow) -> str:
        """The identifier the row gives, when no one has it; else one made from the name, free in the database
        and in this import."""
        given = self.slugs_given
        if (
            row.slug
            and row.slug not in RESERVED_PERSON_SLUGS
            and row.slug not in given
            and row.slug not in self.person_by_slug
        ):
            slug = row.slug
        else:
            base = slugify(f"{row.given_name} {row.family_name}")[:100] or "personne"
            slug, number = base, 1
            while slug in given or slug in RESERVED_PERSON_SLUGS or Person.objects.filter(slug=slug).exists():
                number += 1
                slug = f"{base[: 100 - len(str(number)) - 1]}-{number}"
        given.add(slug)
        return slug

    def _plan_update(self, person: Person, row: PersonRow, reason: str) -> Plan:
        known = self.known[person.pk]
        plan = Plan(reason=reason)
        plan.before = {name: getattr(person, name) for name in PERSON_FIELDS}
        # A name written otherwise ("MIREN" for "Miren") is not news: only another name changes the record.
        if row.given_name and fold(row.given_name) != fold(person.given_name):
            person.given_name = row.given_name
            plan.person_fields.append("given_name")
        if row.family_name and fold(row.family_name) != fold(person.family_name):
            person.family_name = row.family_name
            plan.person_fields.append("family_name")
        if row.notes and row.notes not in person.notes:
            person.notes = f"{person.notes}\n{row.notes}".strip()
            plan.person_fields.append("notes")
        if row.do_not_contact and not person.do_not_contact:
            person.do_not_contact = True
            plan.person_fields.append("do_not_contact")
        if row.lawful_basis and row.lawful_basis != person.lawful_basis:
            person.lawful_basis = row.lawful_basis
            plan.person_fields.append("lawful_basis")
        for position in row.positions:
            if not any(
                held["organisation_id"] == position.organisation.pk
                and held["title"] == position.title
                and (held["ended_on"] is None or held["ended_on"] == position.ended_on)
                for held in known["positions"]
            ):
                plan.positions.append(position)
        plan.press_roles = [role for role in row.press_roles if role.organisation.pk not in known["press"]]
        plan.tags = [tag for tag in row.tags if fold(tag) not in known["tags"]]
        plan.points = [point for point in [*row.emails, *row.phones] if point.value not in known["points"]]
        plan.primary_email = ContactPoint.Medium.EMAIL not in known["primary"]
        plan.primary_phone = ContactPoint.Medium.PHONE not in known["primary"]
        has_primary_position = any(held["is_primary"] for held in known["positions"])
        for position in plan.positions:
            position.primary = position.primary and not has_primary_position
        return plan

    # Writing: people added in batches with their history rows, then what each row brings.

    @staticmethod
    def _no_pending() -> dict:
        return {"new": [], Position: [], PressContact: [], ContactPoint: [], Person.tags.through: [], "people": set()}

    def _write_pending(self) -> None:
        pending = self.pending
        if pending["new"]:
            people = []
            for person, plan in pending["new"]:
                person.search_text = _search_text(person, plan)
                people.append(person)
            create_with_history(people, Person)
            for person, plan in pending["new"]:
                self._remember_key(person)
                self._add_details(person, plan)
        for model in (Position, PressContact, ContactPoint):
            create_rows_with_history(model, pending[model])
        if pending[Person.tags.through]:
            Person.tags.through.objects.bulk_create(pending[Person.tags.through], batch_size=500)
        search_text_changed(pending["people"])
        self.pending = self._no_pending()

    def _add_details(self, person: Person, plan: Plan) -> None:
        pending = self.pending
        pending[Position] += [
            {
                "person_id": person.pk,
                "organisation_id": position.organisation.pk,
                "title": position.title,
                "started_on": position.started_on,
                "ended_on": position.ended_on,
                "is_primary": position.primary,
            }
            for position in plan.positions
        ]
        pending[PressContact] += [
            {
                "person_id": person.pk,
                "organisation_id": role.organisation.pk,
                "started_on": role.started_on,
                "ended_on": role.ended_on,
            }
            for role in plan.press_roles
        ]
        primary = {ContactPoint.Medium.EMAIL: plan.primary_email, ContactPoint.Medium.PHONE: plan.primary_phone}
        for point in plan.points:
            medium = ContactPoint.Medium.EMAIL if point.number is None else ContactPoint.Medium.PHONE
            is_primary = primary[medium] and point.preferred
            primary[medium] = primary[medium] and not is_primary
            pending[ContactPoint].append(
                {
                    "person_id": person.pk,
                    "medium": medium,
                    "kind": point.kind,
                    "email": point.value if point.number is None else "",
                    "phone": point.number or "",
                    "is_primary": is_primary,
                    "label": point.label,
                }
            )
        pending[Person.tags.through] += [
            Person.tags.through(person_id=person.pk, tag_id=self._tag(name).pk) for name in plan.tags
        ]
        if not plan.created:
            pending["people"].add(person.pk)  # a new person's search text was written with them
        self.people.pop(person.pk, None)
        self.known.pop(person.pk, None)

    def _tag(self, name: str) -> Tag:
        tag = self.tags.get(fold(name))
        if tag is None:
            tag = self.tags[fold(name)] = Tag.objects.create(
                name=name, slug=free_slug(Tag, name, max_length=80, fallback="etiquette")
            )
        return tag

    # What the preview and the report say of a row.

    def _describe(self, plan: Plan, person: Person) -> str:
        if plan.created:
            return plan.flagged or _("New person")
        if not plan.changes_anything:
            return _("Unchanged: %(reason)s") % {"reason": plan.reason}
        return _("Updated: %(reason)s") % {"reason": plan.reason}

    def _changes(self, plan: Plan, person: Person) -> list[tuple[str, str, str]]:
        """The changes of a row, field by field: (what, before, after) — for a new person, what it will hold."""
        changes = []
        if plan.created:
            changes.append((str(COLUMN_LABELS["family_name"]), "", person.full_name))
        for name in plan.person_fields:
            before, after = (_shown(person, name, plan.before[name]), _shown(person, name, getattr(person, name)))
            changes.append((str(Person._meta.get_field(name).verbose_name), before, after))
        for position in plan.positions:
            changes.append((str(COLUMN_LABELS["positions"]), "", f"{position.title} ({position.organisation.name})"))
        for role in plan.press_roles:
            changes.append((str(COLUMN_LABELS["press_for"]), "", role.organisation.name))
        for point in plan.points:
            label = COLUMN_LABELS["email"] if "@" in point.value else COLUMN_LABELS["phone"]
            changes.append((str(label), "", point.value))
        for tag in plan.tags:
            changes.append((str(COLUMN_LABELS["tags"]), "", tag))
        return changes


def _shown(person: Person, name: str, value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name == "lawful_basis":
        return str(Person.LawfulBasis(value).label) if value else ""
    return str(value)


# --- Files --------------------------------------------------------------------------------------------------


def read_people_table(
    data: bytes | BinaryIO, *, limits: TableLimits | None = None, mapping: dict[str, str] | None = None
) -> CanonicalTable:
    """The rows of a people file — CSV, XLSX or vCard — under the import's columns (``contacts.layouts``), with
    the layout recognised and the columns not used. Raises ``TableError`` for anything unreadable, and for a
    table with no column naming people.

    ``data``: the file's bytes, or the file itself, open in binary mode and seekable (a stored upload): a
    spreadsheet is then read from it as a stream each time its rows are needed, never held whole."""
    limits = limits or TableLimits.for_request()
    if not isinstance(data, bytes):
        data.seek(0)
    start = data[:VCARD_SNIFF_BYTES] if isinstance(data, bytes) else data.read(VCARD_SNIFF_BYTES)
    if looks_like_vcard(start):
        if not isinstance(data, bytes):
            size_error = limits.size_error(data.seek(0, io.SEEK_END))
            if size_error:
                raise TableError(size_error)
            data.seek(0)
            data = data.read()
        cards = read_vcards(data, limits=limits)  # cards are few: held, read once
        table = canonical_table(cards.headers, lambda: iter(cards), layout="vcard")
    else:
        headers, rows = stream_table(data, limits=limits)
        rows.close()

        def source():
            return stream_table(data, limits=limits)[1]

        table = canonical_table(headers, source, mapping=mapping)
    table.scan()
    if not {"family_name", "full_name"} & table.present and (mapping or missing_columns(table.source_headers)):
        error = TableError(
            _("The file has no “%(columns)s” column.")
            % {"columns": " / ".join([*GENERIC_SPELLINGS["family_name"][:2], *GENERIC_SPELLINGS["full_name"][:2]])}
        )
        error.columns = [list(pair) for pair in table.columns]  # for staff to say which column holds what
        raise error
    return table


def import_people(
    data: bytes | BinaryIO,
    *,
    dry_run: bool,
    skip_invalid_rows: bool = False,
    limits: TableLimits | None = None,
    file_name: str = "",
    progress=None,
    mapping: dict[str, str] | None = None,
) -> ImportReport:
    """Import the people of ``data`` (``PeopleImport``), the file's bytes or the file (``read_people_table``);
    ``TableError`` if the file cannot be read. ``mapping``: what staff said the columns of a spreadsheet hold
    (``contacts.layouts.canonical_table``)."""
    table = read_people_table(data, limits=limits, mapping=mapping)
    return PeopleImport(table, file_name=file_name, progress=progress).run(
        dry_run=dry_run, skip_invalid_rows=skip_invalid_rows
    )
