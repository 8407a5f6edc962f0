"""Reading vCard files (.vcf), as phones and mail clients export them, into the rows of the people import.

Apple Contacts, Google Contacts, Outlook, Android and Thunderbird write vCard 2.1, 3.0 or 4.0, each its own way:
quoted-printable values in a declared charset and bare types (``TEL;CELL;PREF``) in 2.1, type lists
(``TYPE=work,pref``) in 3.0, ``PREF=1`` and ``tel:`` URIs in 4.0, Apple's labels on grouped lines
(``item1.X-ABLabel``). ``read_vcards`` reads them all into one row per card, in the file's order, under
``VCARD_COLUMNS``: the people import's column keys.

The file is read line by line within ``TableLimits`` (its size, cards as rows, characters per cell and in all):
only the lines a row is made of are kept, each up to a bound, so that a photo or a hostile line costs the time to
skip it, not memory. A file that is not a vCard, or a malformed card, is refused with a sentence naming the card
(``TableError``).
"""

import binascii
import codecs
import io
import math
import re

import tablib
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core.tables import TableError, TableLimits

VCARD_COLUMNS = [
    "given_name",
    "family_name",
    "full_name",
    "honorific",
    "organisation",
    "title",
    "email",
    "work_emails",
    "personal_emails",
    "phone",
    "work_phones",
    "mobiles",
    "switchboards",
    "personal_phones",
    "notes",
    "tags",
]
# The vCard property each column comes from, to name it when a card holds too much of it.
_SOURCES = {
    "given_name": "N",
    "family_name": "N",
    "full_name": "FN",
    "honorific": "N",
    "organisation": "ORG",
    "title": "TITLE",
    "email": "EMAIL",
    "work_emails": "EMAIL",
    "personal_emails": "EMAIL",
    "phone": "TEL",
    "work_phones": "TEL",
    "mobiles": "TEL",
    "switchboards": "TEL",
    "personal_phones": "TEL",
    "notes": "NOTE",
    "tags": "CATEGORIES",
}

_BOM = b"\xef\xbb\xbf"
_BEGIN = b"BEGIN:VCARD"
_END = b"END:VCARD"
_STARTS_LIKE_A_VCARD = re.compile(rb"(?:\xef\xbb\xbf)?\s*BEGIN:VCARD(?:\s|$)", re.IGNORECASE)
# The lines a row is made of; every other one (PHOTO, ADR, X-…) is skipped as it is read.
_KEPT = frozenset(
    {
        "VERSION",
        "N",
        "FN",
        "ORG",
        "TITLE",
        "ROLE",
        "EMAIL",
        "TEL",
        "NOTE",
        "CATEGORIES",
        "KIND",
        "X-ABLABEL",
        "X-ABSHOWAS",
        "X-ADDRESSBOOKSERVER-KIND",
    }
)
# [group.]NAME, then ";" before parameters or ":" before the value.
_NAME = re.compile(rb"(?:([A-Za-z0-9_-]+)\.)?([A-Za-z0-9_-]+)(?=[;:])")
# A line's name and parameters, before its value: a few dozen bytes in the files of every tool we know.
_MAX_HEAD = 4096
# vCard 2.1 writes some parameters bare: TEL;CELL;PREF, NOTE;QUOTED-PRINTABLE.
_ENCODINGS = frozenset({"quoted-printable", "base64", "b", "8bit", "7bit"})
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_UNESCAPED = {"n": "\n", "N": "\n"}
_SEPARATORS = {separators: re.compile(r"\\.|[" + separators + "]", re.DOTALL) for separators in (";", ",", ",;")}
_NOT_A_CARD = frozenset({"org", "organization", "group", "location"})
# Apple's labels (_$!<Mobile>!$_) and the words people type as a label, as types.
_LABEL_TYPES = {
    "mobile": "cell",
    "iphone": "cell",
    "cell": "cell",
    "portable": "cell",
    "main": "main",
    "switchboard": "main",
    "standard": "main",
    "home": "home",
    "personal": "home",
    "work": "work",
    "homefax": "fax",
    "workfax": "fax",
    "otherfax": "fax",
    "fax": "fax",
    "pager": "pager",
}
# Google's group of every contact: a tag on everyone says nothing.
_NOT_TAGS = frozenset({"mycontacts"})
_HONORIFICS = frozenset(
    {"m.", "mme", "mlle", "mm.", "mmes", "dr", "dr.", "pr", "pr.", "me", "mr", "mr.", "mrs", "mrs.", "ms", "ms."}
    | {"miss", "prof", "prof.", "sir", "dame"}
)
_PARTICLES = frozenset({"de", "du", "des", "la", "le", "van", "von", "der", "den", "di", "da", "del", "della", "dos"})


def looks_like_vcard(data: bytes) -> bool:
    """Whether ``data`` begins, after a byte-order mark and blank space, with ``BEGIN:VCARD``."""
    return _STARTS_LIKE_A_VCARD.match(data) is not None


def read_vcards(data: bytes, *, limits: TableLimits) -> tablib.Dataset:
    """One row per card of the vCard file ``data`` (2.1, 3.0 or 4.0), under ``VCARD_COLUMNS``, in the file's
    order. Raises ``TableError`` for a file that is not a vCard, a malformed card, or a file past ``limits``."""
    return VCardReader(limits).read(data)


class VCardReader:
    """Reads one vCard file within ``limits``. Afterwards, refused or not, ``bytes_kept`` says how many bytes of
    the lines a row is made of were kept to be decoded (everything else was skipped as it was read)."""

    def __init__(self, limits: TableLimits):
        self.limits = limits
        self.bytes_kept = 0
        self.characters_read = 0
        # Quoted-printable and UTF-8 take up to 12 bytes for a character: past this, a line cannot fit in a cell.
        self.max_line_bytes = 12 * limits.max_cell_characters + _MAX_HEAD

    def read(self, data: bytes) -> tablib.Dataset:
        size_error = self.limits.size_error(len(data))
        if size_error:
            raise TableError(size_error)
        if not data or data.isspace():
            raise TableError(_("The file is empty."))
        if not looks_like_vcard(data):
            raise TableError(_("This file is not a vCard file: it must begin with BEGIN:VCARD."))
        if b"\x00" in data:
            raise TableError(
                _("The file holds binary data: it is damaged or is not a vCard file. Export the contacts again.")
            )
        if data.startswith(_BOM):
            data = data[len(_BOM) :]
        if b"\n" not in data:
            data = data.replace(b"\r", b"\n")  # line ends of the Macs of old
        dataset = tablib.Dataset(headers=VCARD_COLUMNS)
        card: _Card | None = None
        line: _Line | None = None
        for number, text in enumerate(io.BytesIO(data), 1):
            text = text.rstrip(b"\r\n")
            if card is None:
                card = self._begin(text, number, len(dataset))
                continue
            if line is not None:
                if text[:1] in (b" ", b"\t"):
                    line.add(text, folded=True)
                    continue
                if text and line.goes_on(text):
                    line.add(text, folded=False)
                    continue
                card.keep(line)
                line = None
            instruction = _instruction(text)
            if instruction == _END:
                dataset.append(self._row(card))
                card = None
            elif instruction == _BEGIN:
                raise TableError(
                    _("Card %(card)s is not closed: END:VCARD is missing before line %(line)s.")
                    % {"card": card.number, "line": number}
                )
            elif instruction != b"":
                line = _Line(text.lstrip(), number=number, card=card, reader=self)
        if card is not None:
            raise TableError(_("Card %(card)s is not closed: END:VCARD is missing.") % {"card": card.number})
        return dataset

    def _begin(self, text: bytes, number: int, cards_read: int) -> "_Card | None":
        """The card that ``text`` begins, None for a blank line between cards; anything else is refused."""
        instruction = _instruction(text)
        if instruction == b"":
            return None
        if instruction != _BEGIN:
            raise TableError(
                _("Line %(line)s is outside any card: each card begins with BEGIN:VCARD and ends with END:VCARD.")
                % {"line": number}
            )
        if cards_read >= self.limits.max_rows:
            raise TableError(
                _("The file holds more than %(count)s cards: split it into smaller files.")
                % {"count": _count(self.limits.max_rows)}
            )
        return _Card(cards_read + 1, max_lines=self.limits.max_columns)

    def _row(self, card: "_Card") -> list[str]:
        values = card.values()
        row = []
        for column in VCARD_COLUMNS:
            value = values.get(column, "")
            if len(value) > self.limits.max_cell_characters:
                raise self.too_long(card.number, _SOURCES[column])
            self.characters_read += len(value)
            row.append(value)
        if self.characters_read > self.limits.max_unzipped_bytes:
            raise TableError(
                _("The cards hold more than %(limit)s of text: split the file into smaller files.")
                % {"limit": filesizeformat(self.limits.max_unzipped_bytes)}
            )
        return row

    def too_long(self, card: int, source: str) -> TableError:
        return TableError(
            _("Card %(card)s holds more than %(count)s characters in its %(property)s lines: shorten them.")
            % {"card": card, "count": _count(self.limits.max_cell_characters), "property": source}
        )


class _Line:
    """One line of a card, unfolded as its physical lines come: its name and parameters, and its value's bytes
    if the row needs them."""

    __slots__ = (
        *("number", "card", "reader", "head", "group", "name", "parameters", "quoted_printable", "base64"),
        *("value", "kept", "soft_break"),
    )

    def __init__(self, text: bytes, *, number: int, card: "_Card", reader: VCardReader):
        self.number = number
        self.card = card
        self.reader = reader
        self.head: bytes | None = b""
        self.group = ""
        self.name = ""
        self.parameters: dict[str, list[str]] = {}
        self.quoted_printable = False
        self.base64 = False
        self.value = bytearray()
        self.kept = False
        self.soft_break = False
        self.add(text, folded=False)

    def goes_on(self, text: bytes) -> bool:
        """Whether ``text``, a line that does not begin with a space, still belongs to this one: after a
        quoted-printable soft line break (``=`` at the end), or in a vCard 2.1 base64 block."""
        if self.soft_break:
            return _instruction(text) != _END
        return self.base64 and b":" not in text

    def add(self, text: bytes, *, folded: bool) -> None:
        if self.head is not None:
            self.head += text[1:] if folded else text
            self._read_head()
        elif self.kept:
            if self.soft_break:
                end = len(self.value)
                while end > 1 and self.value[end - 1] in b" \t":
                    end -= 1
                self.reader.bytes_kept -= len(self.value) - end + 1
                del self.value[end - 1 :]  # the "=" of the soft line break
            elif folded and self.card.version != "2.1":
                # vCard 2.1 folds at a space and keeps it; 3.0 and 4.0 fold anywhere and add the space.
                text = text[1:]
            self._keep(text)
        self.soft_break = self.quoted_printable and text.rstrip(b" \t").endswith(b"=")

    def _read_head(self) -> None:
        head = self.head
        colon = _value_start(head)
        if colon < 0:
            if len(head) > _MAX_HEAD:
                raise self._malformed()
            return
        name = _NAME.match(head, 0, colon + 1)
        if name is None:
            raise self._malformed()
        self.head = None
        self.group = (name.group(1) or b"").decode("ascii").lower()
        self.name = name.group(2).decode("ascii").upper()
        self.parameters = _parameters(head[name.end() + 1 : colon].decode("latin-1"))
        encodings = self.parameters.get("ENCODING", ())
        self.quoted_printable = "quoted-printable" in encodings
        self.base64 = "b" in encodings or "base64" in encodings
        self.kept = self.name in _KEPT
        if self.kept:
            self._keep(memoryview(head)[colon + 1 :])

    def _keep(self, text) -> None:
        if len(self.value) + len(text) > self.reader.max_line_bytes:
            raise self.reader.too_long(self.card.number, self.name)
        self.value += text
        self.reader.bytes_kept += len(text)

    def finish(self) -> None:
        if self.head is not None:
            raise self._malformed()

    def _malformed(self) -> TableError:
        return TableError(
            _("Card %(card)s is malformed: line %(line)s is not of the form NAME:value.")
            % {"card": self.card.number, "line": self.number}
        )

    def text(self) -> str:
        """The value, unfolded, decoded from quoted-printable or base64 and from its charset, not unescaped."""
        raw = bytes(self.value)
        if self.quoted_printable:
            raw = binascii.a2b_qp(raw)
        elif self.base64:
            try:
                raw = binascii.a2b_base64(raw)
            except binascii.Error as error:
                raise TableError(
                    _("Card %(card)s is malformed: the value on line %(line)s cannot be decoded.")
                    % {"card": self.card.number, "line": self.number}
                ) from error
        charset = (self.parameters.get("CHARSET") or [""])[0]
        return _decoded(raw, charset).replace("\r\n", "\n").replace("\r", "\n")


class _Card:
    """The lines of one card kept for its row, made into the row's values at END:VCARD."""

    def __init__(self, number: int, *, max_lines: int):
        self.number = number
        self.max_lines = max_lines
        self.lines: list[_Line] = []
        self.version = ""

    def keep(self, line: _Line) -> None:
        line.finish()
        if not line.kept:
            return
        if len(self.lines) >= self.max_lines:
            raise TableError(
                _(
                    "Card %(card)s has more than %(count)s names, email addresses, phone numbers and notes: "
                    "remove some of them."
                )
                % {"card": self.number, "count": _count(self.max_lines)}
            )
        self.lines.append(line)
        if line.name == "VERSION":
            self.version = _clean(line.text())

    def values(self) -> dict[str, str]:
        found: dict[str, list] = {}
        labels: dict[str, str] = {}
        for line in self.lines:
            text = line.text()
            if line.name == "X-ABLABEL" and line.group:
                labels[line.group] = _unescape(text).strip().strip("_$!<>").lower()
            found.setdefault(line.name, []).append((line, text))
        values = {"full_name": _clean(_unescape(_first(found, "FN")))}
        values["organisation"] = _clean(_unescape(_split(_first(found, "ORG"), ";")[0]))
        values["title"] = _clean(_unescape(_first(found, "TITLE") or _first(found, "ROLE")))
        values.update(self._names(found, values))
        values.update(_emails(found.get("EMAIL", []), labels))
        values.update(_phones(found.get("TEL", []), labels))
        values["notes"] = "\n".join(note for _line, text in found.get("NOTE", []) if (note := _unescape(text).strip()))
        tags = {}
        for _line, text in found.get("CATEGORIES", []):
            for tag in _split(text, ",;"):
                tag = _clean(_unescape(tag))
                if tag and tag.casefold() not in _NOT_TAGS:
                    tags.setdefault(tag.casefold(), tag)
        values["tags"] = "\n".join(tags.values())
        return values

    @staticmethod
    def _names(found: dict[str, list], values: dict[str, str]) -> dict[str, str]:
        family, given, additional, prefix = ([*_split(_first(found, "N"), ";"), "", "", "", ""])[:4]
        family, given, additional, prefix = (
            _clean(" ".join(_unescape(part) for part in _split(component, ",")))
            for component in (family, given, additional, prefix)
        )
        if family or given or additional:
            return {"given_name": _clean(f"{given} {additional}"), "family_name": family, "honorific": prefix}
        full_name = values["full_name"]
        kind = _clean(_unescape(_first(found, "KIND") or _first(found, "X-ADDRESSBOOKSERVER-KIND"))).lower()
        shown_as = _clean(_first(found, "X-ABSHOWAS")).lower()
        if kind in _NOT_A_CARD or shown_as == "company" or (full_name and full_name == values["organisation"]):
            return {"honorific": prefix}  # the card of an organisation or a group, not of a person
        honorific, given, family = _split_full_name(full_name)
        return {"given_name": given, "family_name": family, "honorific": prefix or honorific}


def _instruction(text: bytes) -> bytes | None:
    """``text`` upper-cased without blank space around, to be compared with BEGIN:VCARD and END:VCARD (an empty
    line is b""); None for a line too long to be either, which is not copied."""
    return text.strip().upper() if len(text) <= 64 else None


def _value_start(head: bytearray) -> int:
    """Where the value begins: the first ``:`` outside a quoted parameter value, within the head's bound."""
    position = 0
    while True:
        colon = head.find(b":", position, _MAX_HEAD + 1)
        if colon < 0:
            return -1
        if head.count(b'"', 0, colon) % 2 == 0:
            return colon
        position = colon + 1


def _parameters(text: str) -> dict[str, list[str]]:
    """``TYPE=work,voice;PREF=1`` as ``{"TYPE": ["work", "voice"], "PREF": ["1"]}``; vCard 2.1's bare ``CELL``
    is a type and bare ``QUOTED-PRINTABLE`` an encoding. Values are lower-cased, their quotes dropped."""
    parameters: dict[str, list[str]] = {}
    if not text:
        return parameters
    for parameter in _split_outside_quotes(text):
        key, equals, value = parameter.partition("=")
        if not equals:
            key, value = ("ENCODING" if parameter.strip().lower() in _ENCODINGS else "TYPE"), parameter
        values = [item.strip().lower() for item in value.replace('"', "").split(",")]
        parameters.setdefault(key.strip().upper(), []).extend(item for item in values if item)
    return parameters


def _split_outside_quotes(text: str) -> list[str]:
    if '"' not in text:
        return text.split(";")
    parts, start, quoted = [], 0, False
    for index, character in enumerate(text):
        if character == '"':
            quoted = not quoted
        elif character == ";" and not quoted:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def _decoded(raw: bytes, charset: str) -> str:
    """``raw`` in its declared charset; without one, or with one it is not in, UTF-8 else Windows-1252 (Outlook's
    and French Windows'), whatever each value of the file is in."""
    try:
        encoding = codecs.lookup(charset).name if charset else ""
    except LookupError:
        encoding = ""
    if encoding == "iso8859-1":
        encoding = "cp1252"  # Latin-1 declared is Windows-1252 written, as browsers read it
    candidates = ["utf-8", "cp1252"]
    if encoding not in ("", "ascii", "utf-8"):
        candidates.insert(0, encoding)
    for candidate in candidates:
        try:
            return raw.decode(candidate)
        except (UnicodeError, LookupError):
            continue
    return raw.decode("latin-1")


def _split(text: str, separators: str) -> list[str]:
    """``text`` split at the ``separators`` that are not escaped, its parts still escaped."""
    parts, start = [], 0
    for match in _SEPARATORS[separators].finditer(text):
        if match.group() in separators:
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return parts


def _unescape(text: str) -> str:
    """``\\n`` as a new line, ``\\,`` ``\\;`` ``\\:`` and ``\\\\`` as the character; any other backslash stays."""
    return _ESCAPE.sub(lambda match: _UNESCAPED.get(match[1], match[1] if match[1] in ",;:\\" else match[0]), text)


def _clean(text: str) -> str:
    return " ".join(text.split())


def _first(found: dict[str, list], name: str) -> str:
    lines = found.get(name)
    return lines[0][1] if lines else ""


def _types(line: _Line, labels: dict[str, str]) -> set[str]:
    """The line's types, lower-case without ``x-``, with its Apple label's if it has one."""
    types = {kind.removeprefix("x-") for kind in line.parameters.get("TYPE", ())}
    label = labels.get(line.group) if line.group else None
    if label in _LABEL_TYPES:
        types.add(_LABEL_TYPES[label])
    return types


def _rank(line: _Line, types: set[str]) -> float:
    """How preferred the line is: ``PREF=1`` (4.0) first, then ``pref`` among the types (2.1, 3.0); None last."""
    ranks = [math.inf]
    for value in line.parameters.get("PREF", ()):
        ranks.append(int(value) if value.isascii() and value.isdigit() and len(value) <= 3 else 100)
    if "pref" in types:
        ranks.append(1)
    return min(ranks)


def _preferred(entries: list[tuple[str, float]]) -> str:
    return min(entries, key=lambda entry: entry[1])[0] if entries else ""


def _joined(values: list[str]) -> str:
    unique: dict[str, str] = {}
    for value in values:
        unique.setdefault(value.casefold(), value)
    return "; ".join(unique.values())


def _emails(lines: list, labels: dict[str, str]) -> dict[str, str]:
    entries, work, personal = [], [], []
    for line, text in lines:
        address = "".join(_unescape(text).split())
        if address.lower().startswith("mailto:"):
            address = address[len("mailto:") :]
        if not address:
            continue
        types = _types(line, labels)
        entries.append((address, _rank(line, types)))
        (personal if "home" in types else work).append(address)
    return {"email": _preferred(entries), "work_emails": _joined(work), "personal_emails": _joined(personal)}


def _phones(lines: list, labels: dict[str, str]) -> dict[str, str]:
    entries = []
    columns: dict[str, list[str]] = {"work_phones": [], "mobiles": [], "switchboards": [], "personal_phones": []}
    for line, text in lines:
        number = _phone_number(_unescape(text))
        types = _types(line, labels)
        if not number or types & {"fax", "pager"}:
            continue
        entries.append((number, _rank(line, types)))
        if types & {"cell", "iphone"}:
            column = "mobiles"
        elif any("main" in kind for kind in types):  # MAIN, X-COMPANY-MAIN, Apple's "main"
            column = "switchboards"
        elif "home" in types:
            column = "personal_phones"
        else:
            column = "work_phones"
        columns[column].append(number)
    return {"phone": _preferred(entries), **{column: _joined(numbers) for column, numbers in columns.items()}}


def _phone_number(text: str) -> str:
    """The number as written, from a ``tel:`` URI (4.0) too: ``tel:+33-1-23;ext=4`` is ``+33-1-23 ext. 4``."""
    number = _clean(text)
    if number.lower().startswith("tel:"):
        number, *parameters = number[len("tel:") :].split(";")
        for parameter in parameters:
            key, _equals, value = parameter.partition("=")
            if key.strip().lower() == "ext" and value.strip():
                number = f"{number} ext. {value.strip()}"
    return number


def _split_full_name(full_name: str) -> tuple[str, str, str]:
    """(honorific, given name, family name) of a full name, for a card without N: "Dupont, Jean" as Outlook
    files it; "Jean DUPONT" or "DUPONT Jean" with the family name in capitals; else the last word, with the
    particles before it ("Jean de La Fontaine")."""
    if "," in full_name:
        family, _comma, given = full_name.partition(",")
        return "", _clean(given), _clean(family)
    words = full_name.split()
    honorific = words.pop(0) if len(words) > 1 and words[0].lower() in _HONORIFICS else ""
    capitals = [index for index, word in enumerate(words) if word.isupper() and len(word.strip(".-'")) > 1]
    if (
        capitals
        and len(capitals) < len(words)
        and capitals == list(range(capitals[0], capitals[-1] + 1))
        and capitals[0] in (0, len(words) - len(capitals))
        and any(len(words[index]) > 2 for index in capitals)
    ):
        family = " ".join(words[index] for index in capitals)
        given = " ".join(word for index, word in enumerate(words) if index not in capitals)
        return honorific, given, family
    if len(words) < 2:
        return honorific, " ".join(words), ""
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return honorific, " ".join(words[:start]), " ".join(words[start:])


def _count(number: int) -> str:
    return number_format(number, force_grouping=True)
