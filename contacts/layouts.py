"""The column layouts a people import recognises, and the table they are turned into.

A file's columns are recognised by their headers, in French or English, compared folded:

- the CRM's own exports (``contacts.exports.header``) and the spreadsheets staff keep ("Prénom", "Nom",
  "Société", "E-mail", "Portable"…): the generic layout, one spelling list per column;
- Google Contacts CSV, current ("First Name", "E-mail 1 - Label", "E-mail 1 - Value"…) and legacy ("Given Name",
  "E-mail 1 - Type"…): typed pairs of columns, several values in a cell separated by ``:::``, ``*`` before the
  preferred one;
- Outlook CSV, English ("Title", "Job Title", "E-mail Address", "Business Phone"…) and French ("Titre",
  "Fonction", "Adresse de messagerie", "Téléphone (bureau)"…): one column per kind of address. Outlook's
  "Title" is the honorific ("Mme"), never the job title.

Whatever the layout, the import reads one table with the columns of ``COLUMNS`` (``canonical_table``), and the
columns it did not use are named (``CanonicalTable.unused``), in the preview, the report and on the terminal.
"""

import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from openpyxl.utils import get_column_letter

from core.search import fold

# The columns the import reads, and how their header may be written in a generic file.
GENERIC_SPELLINGS: dict[str, list[str]] = {
    "slug": ["Identifiant", "Identifier", "Slug", "Identifiant CRM"],
    "honorific": ["Civilité", "Salutation", "Honorific", "Name prefix", "Préfixe", "Titre de civilité"],
    "full_name": ["Nom complet", "Full name", "Name", "Display name", "Prénom et nom", "Nom et prénom"],
    "given_name": ["Prénom", "Given name", "First name", "Firstname", "Forename"],
    "family_name": ["Nom", "Family name", "Last name", "Nom de famille", "Surname", "Lastname"],
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
    "work_emails": ["E-mails professionnels", "Work emails", "E-mail professionnel", "Work email"],
    "personal_emails": ["E-mails personnels", "Personal emails", "E-mail personnel", "Personal email"],
    "other_emails": ["Autres e-mails", "Other emails"],
    "phone": ["Téléphone", "Phone", "Tél", "Tel", "Téléphone fixe", "Phone number", "Landline"],
    "work_phones": [
        "Téléphones professionnels",
        "Work phones",
        "Téléphone professionnel",
        "Work phone",
        "Ligne directe",
        "Direct line",
    ],
    "mobiles": [
        "Mobiles",
        "Mobile",
        "Portable",
        "Téléphone mobile",
        "Téléphone portable",
        "Mobile phone",
        "Cell phone",
    ],
    "switchboards": ["Standards", "Standard", "Switchboards", "Switchboard"],
    "personal_phones": ["Téléphones personnels", "Personal phones", "Téléphone personnel", "Personal phone"],
    "other_phones": ["Autres téléphones", "Other phones"],
    "positions": ["Postes", "Positions"],
    "press_for": ["Contact presse pour", "Press contact for"],
    "tags": ["Étiquettes", "Tags", "Étiquette", "Tag"],
    "do_not_contact": ["Ne pas contacter", "Do not contact"],
    "lawful_basis": ["Base légale", "Lawful basis"],
    "notes": ["Notes", "Commentaire", "Commentaires", "Remarques", "Comments", "Note"],
}
COLUMNS = list(GENERIC_SPELLINGS)
# Columns of our own exports that the import knows and leaves alone: what the CRM computes (the last contact, from
# the interactions) is not data to bring back. They are neither read nor listed as unused.
EXPORT_ONLY_COLUMNS = {"last_contact"}

# How the columns are named to people (the preview's headings, the messages about a cell).
COLUMN_LABELS = {
    "slug": _("Identifier"),
    "honorific": _("Honorific"),
    "full_name": _("Full name"),
    "given_name": _("Given name"),
    "family_name": _("Family name"),
    "organisation": _("Organisation"),
    "title": _("Job title"),
    "email": _("Email"),
    "work_emails": _("Work emails"),
    "personal_emails": _("Personal emails"),
    "other_emails": _("Other emails"),
    "phone": _("Phone"),
    "work_phones": _("Work phones"),
    "mobiles": _("Mobiles"),
    "switchboards": _("Switchboards"),
    "personal_phones": _("Personal phones"),
    "other_phones": _("Other phones"),
    "positions": _("Positions"),
    "press_for": _("Press contact for"),
    "tags": _("Tags"),
    "do_not_contact": _("Do not contact"),
    "lawful_basis": _("Lawful basis"),
    "notes": _("Notes"),
}

# Columns whose values are lists: the separator the import joins several source columns with.
LIST_SEPARATORS = {
    "work_emails": "; ",
    "personal_emails": "; ",
    "other_emails": "; ",
    "work_phones": "; ",
    "mobiles": "; ",
    "switchboards": "; ",
    "personal_phones": "; ",
    "other_phones": "; ",
    "positions": "\n",
    "press_for": "\n",
    "tags": "\n",
    "notes": "\n",
    "given_name": " ",
}


class TextSet(Sequence):
    """A set of texts held as one sorted string and where each starts, looked up by bisection: the identifiers of
    a hundred thousand people take 3 MB here, 11 MB as a set of strings, held from the first row to the last."""

    def __init__(self, texts: Iterable[str] = ()):
        ordered = sorted(set(texts))
        self._joined = "".join(ordered)
        self._starts = array("I", [0])
        for text in ordered:
            self._starts.append(self._starts[-1] + len(text))

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __getitem__(self, index: int) -> str:
        return self._joined[self._starts[index] : self._starts[index + 1]]

    def __contains__(self, text) -> bool:
        index = bisect_left(self, text)
        return index < len(self) and self[index] == text


@dataclass
class CanonicalTable:
    """A file's rows under the import's columns (``COLUMNS``), with the layout recognised and the file's columns
    the import does not read.

    The rows are read as they are needed, from the file each time (``rows``), never all held at once: a file of a
    hundred thousand people is read twice — once by ``scan``, which checks all of it before anything is imported
    and learns what it holds, then row by row by the import."""

    source: Callable[[], Iterable[Sequence]]  # a new pass over the file's rows, its headers left out
    convert: Callable[[Sequence], list[str]]  # one of the file's rows → its cells under COLUMNS
    layout: str
    source_headers: list[str] = field(default_factory=list)
    present: set[str] = field(default_factory=set)  # the import's columns the file has
    columns: list[tuple[str, str]] = field(default_factory=list)  # a spreadsheet's headers and what they hold
    used: set[int] = field(default_factory=set)  # the file's columns the import reads, by position
    # Known once ``scan`` has read the file:
    unused: list[str] = field(default_factory=list)  # the headers of columns not read that hold something
    identifiers: TextSet = field(default_factory=TextSet)  # the identifiers (slugs) the rows give
    row_count: int = 0  # rows holding something

    @property
    def layout_label(self) -> str:
        return str(LAYOUT_LABELS.get(self.layout, self.layout))

    def rows(self) -> Iterator[list[str]]:
        """Every row of the file under ``COLUMNS``, empty ones included (row numbers are the spreadsheet's)."""
        for row in self.source():
            yield self.convert(row)

    def scan(self) -> None:
        """Read the whole file once: ``TableError`` for any row past a limit, before a row is imported; the
        columns that hold something, the identifiers the rows give and how many rows hold something."""
        headers = self.source_headers
        unused = {index for index in range(len(headers)) if index not in self.used}
        holding_unused: set[int] = set()
        filled: set[str] = set()
        identifiers: list[str] = []
        slug = COLUMNS.index("slug")
        for row in self.source():
            for index in unused - holding_unused:
                if index < len(row) and str(row[index] or "").strip():
                    holding_unused.add(index)
            cells = self.convert(row)
            if any(cells):
                self.row_count += 1
                filled.update(column for column, cell in zip(COLUMNS, cells, strict=True) if cell)
                if cells[slug].strip():
                    identifiers.append(cells[slug].strip())
        self.identifiers = TextSet(identifiers)
        self.unused = [headers[index] or get_column_letter(index + 1) for index in sorted(holding_unused)]
        if self.layout not in ("generic", "vcard"):
            self.present = filled


LAYOUT_LABELS = {
    "generic": _("spreadsheet"),
    "vcard": _("vCard"),
    "google": _("Google Contacts CSV"),
    "google_legacy": _("Google Contacts CSV (former layout)"),
    "outlook": _("Outlook CSV"),
}


def canonical_table(
    headers: list[str],
    source: Callable[[], Iterable[Sequence]],
    *,
    layout: str | None = None,
    mapping: dict[str, str] | None = None,
) -> CanonicalTable:
    """The rows ``source`` gives (a new pass over a file's rows under ``headers`` at each call) under the
    columns of ``COLUMNS``, whatever the layout its headers show; ``mapping`` (a file's header → the column it
    holds, or "" to leave it out), chosen by staff, wins over the recognised names. Call ``scan`` before using
    what the table says of the file's content."""
    headers = list(headers or [])
    layout = layout or ("generic" if mapping else detect_layout(headers))
    if layout in ("generic", "vcard"):
        renamed, _unused = rename_generic(headers, mapping)
        positions = {name: index for index, name in enumerate(renamed) if name in GENERIC_SPELLINGS}
        indexes = [positions.get(column) for column in COLUMNS]
        export_only = {index for index, header in enumerate(headers) if fold(header or "") in _export_only_spellings()}

        def convert(row: Sequence) -> list[str]:
            return [row[index] if index is not None else "" for index in indexes]

        table = CanonicalTable(
            source, convert, layout, headers, set(positions), used=set(positions.values()) | export_only
        )
        table.columns = [
            (header, column if column in GENERIC_SPELLINGS else "")
            for header, column in zip(headers, renamed, strict=True)
        ]
        return table
    used: set[int] = set()
    readers: list[Callable[[list[str], dict[str, list[str]]], None]] = []
    for rule in LAYOUT_RULES[layout]:
        readers += rule(headers, used)

    def convert(row: Sequence) -> list[str]:
        values: dict[str, list[str]] = {}
        for reader in readers:
            reader(list(row), values)
        for preferred in ("email", "phone"):
            # Nothing marked preferred ("*"): the first of the file's order, not the first of a kind.
            if not values.get(preferred) and values.get(f"first {preferred}"):
                values[preferred] = values[f"first {preferred}"][:1]
        return [_joined(column, values.get(column, [])) for column in COLUMNS]

    return CanonicalTable(source, convert, layout, headers, used=used)


def _joined(column: str, values: list[str]) -> str:
    values = [value for value in values if value]
    return LIST_SEPARATORS.get(column, "; ").join(values) if column in LIST_SEPARATORS else (values or [""])[0]


def missing_columns(headers: list[str]) -> bool:
    """Whether the file lacks a column naming people (a family name or a full name, in whatever layout)."""
    if detect_layout(headers) != "generic":
        return False
    renamed, _unused = rename_generic(headers)
    return not ({"family_name", "full_name"} & set(renamed))


def _spellings() -> dict[str, str]:
    """Every way a generic column may be written, folded: the lists above and the export's own headings in French
    and English (``contacts.exports.header``), so that an export always comes back."""
    from .exports import EXPORT_COLUMNS, header

    lookup = {fold(written): column for column, spellings in GENERIC_SPELLINGS.items() for written in spellings}
    lookup.update({fold(column): column for column in GENERIC_SPELLINGS})
    for language in ("en", "fr"):
        with translation.override(language):
            lookup.update({fold(written): column for written, column in zip(header(), EXPORT_COLUMNS, strict=True)})
    return lookup


def _export_only_spellings() -> set[str]:
    """The headings of ``EXPORT_ONLY_COLUMNS`` in our exports, in French and English, folded."""
    from .exports import EXPORT_COLUMNS, header

    spellings = set()
    for language in ("en", "fr"):
        with translation.override(language):
            spellings |= {
                fold(written)
                for written, column in zip(header(), EXPORT_COLUMNS, strict=True)
                if column in EXPORT_ONLY_COLUMNS
            }
    return spellings


def rename_generic(headers: list[str], mapping: dict[str, str] | None = None) -> tuple[list[str], list[str]]:
    """``headers`` renamed to the import's columns, and the headers that name none (or a column already named).
    ``mapping`` says what some headers hold ("" for nothing the import reads)."""
    lookup = _spellings()
    mapping = mapping or {}
    renamed, unused = [], []
    for header in headers:
        column = mapping[header] or None if header in mapping else lookup.get(fold(header))
        if column is not None and column not in GENERIC_SPELLINGS:
            column = None
        if column is None or column in renamed:
            unused.append(header)
            renamed.append(header)
        else:
            renamed.append(column)
    return renamed, unused


# --- Recognising a layout -------------------------------------------------------------------------------------

_GOOGLE_TYPED = re.compile(r"^(e-mail|email|phone|organization) (\d+) - (label|type|value|name|title)$", re.I)


def detect_layout(headers: list[str]) -> str:
    folded = {fold(header) for header in headers}
    if any(_GOOGLE_TYPED.match(header.strip()) for header in headers):
        return "google_legacy" if {"given name", "family name"} & folded else "google"
    if {"first name", "last name"} <= folded and folded & {"e mail address", "job title", "business phone"}:
        return "outlook"
    if {"prenom", "nom"} <= folded and folded & {
        "adresse de messagerie",
        "telephone bureau",
        "tel mobile",
        "telephone societe",
    }:
        return "outlook"
    return "generic"


# --- Layout rules: each turns some of a file's columns into values of the import's columns ----------------------


def _simple(mapping: dict[str, str]):
    """Columns copied as they are: {header (folded): column}."""

    def rule(headers, used):
        readers = []
        for index, header in enumerate(headers):
            column = mapping.get(fold(header))
            if column is not None:
                used.add(index)
                readers.append(_copier(index, column))
        return readers

    return rule


def _copier(index: int, column: str):
    def read(row, values):
        value = row[index].strip() if index < len(row) else ""
        if value:
            values.setdefault(column, []).append(value)

    return read


# Google: "* Work ::: Home" labels and "a@x.fr ::: b@y.fr" values, the preferred marked with "*".
_GOOGLE_EMAIL_KINDS = {"home": "personal_emails", "personal": "personal_emails", "perso": "personal_emails"}
_GOOGLE_PHONE_KINDS = {
    "mobile": "mobiles",
    "cell": "mobiles",
    "home": "personal_phones",
    "main": "switchboards",
    "work": "work_phones",
    "company main": "switchboards",
}
_GOOGLE_SKIPPED_PHONES = {"work fax", "home fax", "fax", "pager", "google voice"}


def _google_typed(headers, used):
    pairs: dict[tuple[str, str], dict[str, int]] = {}
    for index, header in enumerate(headers):
        match = _GOOGLE_TYPED.match(header.strip())
        if match:
            medium, number, part = match.group(1).lower(), match.group(2), match.group(3).lower()
            medium = "email" if medium in ("e-mail", "email") else medium
            pairs.setdefault((medium, number), {})[part] = index
    readers = []
    for (medium, number), parts in sorted(pairs.items()):
        if medium == "organization":
            if number != "1":
                continue  # a second organisation is not read: named among the unused columns
            for part, column in (("name", "organisation"), ("title", "title")):
                if part in parts:
                    used.add(parts[part])
                    readers.append(_copier(parts[part], column))
            continue
        if "value" not in parts:
            continue
        kind_index = parts.get("label", parts.get("type"))
        used.add(parts["value"])
        if kind_index is not None:
            used.add(kind_index)
        readers.append(_google_values(medium, parts["value"], kind_index))
    return readers


def _google_values(medium: str, value_index: int, kind_index: int | None):
    def read(row, values):
        cell = row[value_index] if value_index < len(row) else ""
        items = [item.strip() for item in cell.split(":::") if item.strip()]
        if not items:
            return
        label = row[kind_index] if kind_index is not None and kind_index < len(row) else ""
        labels = [item.strip() for item in label.split(":::")]
        preferred = labels[0].startswith("*") if labels else False
        for position, item in enumerate(items):
            kind = fold(labels[position].lstrip("* ")) if position < len(labels) else ""
            if medium == "email":
                column = _GOOGLE_EMAIL_KINDS.get(kind, "work_emails")
                preferred_column = "email"
            else:
                if kind in _GOOGLE_SKIPPED_PHONES:
                    continue
                column = _GOOGLE_PHONE_KINDS.get(kind, "other_phones")
                preferred_column = "phone"
            values.setdefault(column, []).append(item)
            values.setdefault(f"first {preferred_column}", []).append(item)
            if position == 0 and preferred and preferred_column not in values:
                values[preferred_column] = [item]

    return read


def _google_groups(headers, used):
    readers = []
    for index, header in enumerate(headers):
        if fold(header) in ("labels", "group membership"):
            used.add(index)

            def read(row, values, index=index):
                groups = [group.strip() for group in (row[index] if index < len(row) else "").split(":::")]
                # "* myContacts", "* starred": Google's own groups, not the user's.
                values.setdefault("tags", []).extend(group for group in groups if group and not group.startswith("*"))

            readers.append(read)
    return readers


def _google_full_name(headers, used):
    """The legacy layout's "Name" is the whole name: used only for a row without given and family names."""
    readers = []
    for index, header in enumerate(headers):
        if fold(header) == "name":
            used.add(index)
            readers.append(_copier(index, "full_name"))
    return readers


_GOOGLE_NAMES = {
    "first name": "given_name",
    "given name": "given_name",
    "middle name": "given_name",
    "additional name": "given_name",
    "last name": "family_name",
    "family name": "family_name",
    "name prefix": "honorific",
    "organization name": "organisation",
    "organization title": "title",
    "notes": "notes",
}

# Outlook: one column per kind of address, English or French headers (folded).
_OUTLOOK = {
    "title": "honorific",
    "titre": "honorific",
    "first name": "given_name",
    "prenom": "given_name",
    "middle name": "given_name",
    "deuxieme prenom": "given_name",
    "last name": "family_name",
    "nom": "family_name",
    "company": "organisation",
    "societe": "organisation",
    "job title": "title",
    "fonction": "title",
    "e mail address": "work_emails",
    "e mail 2 address": "work_emails",
    "e mail 3 address": "work_emails",
    "adresse de messagerie": "work_emails",
    "adresse de messagerie 2": "work_emails",
    "adresse de messagerie 3": "work_emails",
    "primary phone": "phone",
    "telephone principal": "phone",
    "business phone": "work_phones",
    "business phone 2": "work_phones",
    "telephone bureau": "work_phones",
    "telephone 2 bureau": "work_phones",
    "company main phone": "switchboards",
    "telephone societe": "switchboards",
    "home phone": "personal_phones",
    "home phone 2": "personal_phones",
    "telephone domicile": "personal_phones",
    "telephone 2 domicile": "personal_phones",
    "mobile phone": "mobiles",
    "tel mobile": "mobiles",
    "telephone mobile": "mobiles",
    "other phone": "other_phones",
    "telephone autre": "other_phones",
    "car phone": "other_phones",
    "telephone voiture": "other_phones",
    "notes": "notes",
}


def _outlook_categories(headers, used):
    readers = []
    for index, header in enumerate(headers):
        if fold(header) in ("categories",):
            used.add(index)

            def read(row, values, index=index):
                cell = row[index] if index < len(row) else ""
                values.setdefault("tags", []).extend(part.strip() for part in cell.split(";") if part.strip())

            readers.append(read)
    return readers


LAYOUT_RULES = {
    "google": [_simple(_GOOGLE_NAMES), _google_typed, _google_groups],
    "google_legacy": [_simple(_GOOGLE_NAMES), _google_full_name, _google_typed, _google_groups],
    "outlook": [_simple(_OUTLOOK), _outlook_categories],
}
