"""Reading a press release as text: its date, place, title, the organisations it names and its press contacts.

Real releases are not tidy. The press-contact block at the end is written in many ways, and this module
copes with what the releases we receive do:

- names with the family name in capitals ("Maria PASCUAL DE ZULUETA") or in ordinary case ("Ane Etxeberria");
- em dashes, en dashes, hyphens, pipes and commas between a name, a title, a phone and an address;
- several numbers on one line, the same number written twice, "Tél :" and "email :" labels;
- an address followed by punctuation ("sbou@leem.org/", "jp.martin@polepharma.com.");
- several people on one line ("… vpautre@leem.org/ Elisa MAHDADI - emahdadi@leem.org");
- "Contact presse X :" headings, one per organisation, or the organisation at the start of each line.

Extraction reads text only; ``agreements.ingestion`` matches what it found against the records.
"""

import datetime
import re
import unicodedata
from dataclasses import asdict, dataclass, field

import phonenumbers

from contacts.normalisation import find_phone_numbers, normalise_email, normalise_family_name
from core.search import fold

MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
    "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
_DAY_MONTH_YEAR = re.compile(rf"\b(1er|\d{{1,2}})\s+([{_UPPER}{_LOWER}]+)\.?\s+(\d{{4}})\b", re.IGNORECASE)
_MONTH_DAY_YEAR = re.compile(rf"\b([{_UPPER}{_LOWER}]+)\s+(\d{{1,2}}),?\s+(\d{{4}})\b")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")
_HEADER = re.compile(r"^(communiqu[eé] de presse|press release|information presse|news release)\b", re.IGNORECASE)
_CONTACT_HEADING = re.compile(
    r"^\W*(?:contacts?\s+(?:presse|press|m[eé]dias?)|(?:press|media)\s+contacts?|relations?\s+presse)"
    r"\b\s*(?P<organisation>[^:]*?)\s*:?\s*$",
    re.IGNORECASE,
)
_CONTACT_INLINE = re.compile(
    r"^\W*(?:contacts?\s+(?:presse|press|m[eé]dias?)|(?:press|media)\s+contacts?|relations?\s+presse)"
    r"\b(?P<organisation>[^:]*):\s*(?P<rest>\S.*)$",
    re.IGNORECASE,
)
_SECTION_END = re.compile(r"^(à|a)\s+propos\b|^about\b", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_SEPARATORS = re.compile(r"\s+[-–—|]\s*|\s*[–—|]\s+|\s*[|;]\s*|,\s+|\s+/\s+")
_LABELS = re.compile(
    r"\b(t[ée]l(?:[ée]phone)?|tel|phone|mobile|portable|port|fax|e-?mail|courriel|mail|m)\b\.?\s*:?\s*",
    re.IGNORECASE,
)
_FAMILY_WORD = rf"(?:[{_UPPER}]')?[{_UPPER}]{{2,}}(?:-[{_UPPER}]{{2,}})*"
_GIVEN_NAME = rf"[{_UPPER}][{_LOWER}]+(?:[- ][{_UPPER}][{_LOWER}]+)?"
_CAPITALS_NAME = re.compile(rf"^(?P<given>{_GIVEN_NAME})\s+(?P<family>{_FAMILY_WORD}(?:\s+{_FAMILY_WORD})*)$")
_ORDINARY_NAME = re.compile(
    rf"^[{_UPPER}][{_LOWER}'-]+(?:\s+(?:de|del|da|van|von|le|la)?\s*[{_UPPER}][{_LOWER}'-]+){{1,2}}$"
)
# Words that start titles, headings and labels, never given names.
_NOT_GIVEN_NAMES = {
    "contact", "contacts", "presse", "press", "media", "communication", "directeur", "directrice", "director",
    "responsable", "chargee", "charge", "chef", "head", "manager", "president", "presidente", "service",
    "relations", "attachee", "attache", "photo", "source", "tel", "email", "mobile", "site", "www",
}  # fmt: skip
_TITLE_OF_ORGANISATION = re.compile(
    r"^(?P<title>.+?)\s+(?:du|de la|de l['’]|de|des|d['’]|chez|at|of)\s*(?P<organisation>.+)$"
)


@dataclass
class ExtractedContact:
    given_name: str = ""
    family_name: str = ""
    title: str = ""
    organisation: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)  # E.164

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


@dataclass
class ExtractedRelease:
    title: str = ""
    kicker: str = ""
    subtitle: str = ""
    date: datetime.date | None = None
    place: str = ""
    language: str = "fr"
    organisations: list[str] = field(default_factory=list)
    contacts: list[ExtractedContact] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "place": self.place,
            "organisations": self.organisations,
            "contacts": [{key: value for key, value in asdict(contact).items()} for contact in self.contacts],
        }


def clean_text(text: str) -> str:
    """The release with ordinary spaces and line ends, and without markup ("<https://…>", "[x](#)")."""
    text = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\t", " ")
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"<(https?://[^>]+)>", r"\1", text)


def lines_of(text: str) -> list[str]:
    return [" ".join(line.split()) for line in clean_text(text).split("\n") if line.strip()]


def find_date(line: str) -> datetime.date | None:
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy"), (_NUMERIC_DATE, "num")):
        for match in pattern.finditer(line):
            try:
                if order == "dmy":
                    day, month, year = match.groups()
                    month_number = MONTHS.get(fold(month))
                    if month_number:
                        return datetime.date(int(year), month_number, 1 if day.lower() == "1er" else int(day))
                elif order == "mdy":
                    month, day, year = match.groups()
                    month_number = MONTHS.get(fold(month))
                    if month_number:
                        return datetime.date(int(year), month_number, int(day))
                else:
                    day, month, year = match.groups()
                    return datetime.date(int(year), int(month), int(day))
            except ValueError:
                continue
    return None


def _dateline(lines: list[str]) -> tuple[int, datetime.date | None, str]:
    """Index, date and place of the line that dates the release, among its first lines."""
    for index, line in enumerate(lines[:12]):
        found = find_date(line)
        if found and len(line) <= 80:
            before = re.split(rf"[,–—-]?\s*(?:le\s+)?(?:1er|\d{{1,2}}|[{_UPPER}][{_LOWER}]+ \d)", line, maxsplit=1)[0]
            place = before.strip(" ,–—-")
            if fold(place) in ("le", "") or len(place.split()) > 4 or any(char.isdigit() for char in place):
                place = ""
            return index, found, place
    return -1, None, ""


def _headings(lines: list[str], dateline: int) -> list[str]:
    """The short lines between the "press release" header and the first paragraph."""
    start = 1 if lines and _HEADER.match(lines[0]) else 0
    headings = []
    for index in range(start, len(lines)):
        line = lines[index]
        if index == dateline or _HEADER.match(line):
            continue
        if len(line) > 220 or (len(headings) >= 1 and index > dateline >= 0 and len(line) > 160):
            break
        headings.append(line)
        if len(headings) == 4:
            break
    return headings


def _language(text: str) -> str:
    words = fold(text).split()
    french = sum(words.count(word) for word in ("le", "la", "les", "des", "et", "du", "une"))
    english = sum(words.count(word) for word in ("the", "and", "of", "with", "for", "a"))
    return "en" if english > french else "fr"


class ContactBlockReader:
    """Reads the press-contact block line by line, keeping the contact being described."""

    def __init__(self, is_organisation):
        self.is_organisation = is_organisation
        self.contacts: list[ExtractedContact] = []
        self.heading_organisation = ""
        self.current: ExtractedContact | None = None

    def read(self, line: str) -> None:
        heading = _CONTACT_HEADING.match(line)
        if heading:
            self.heading_organisation = _BOLD.sub(r"\1", heading.group("organisation")).strip(" :*")
            self.current = None
            return
        inline = _CONTACT_INLINE.match(line)
        if inline:  # "Relations presse : Jean DUPONT — …"
            self.heading_organisation = inline.group("organisation").strip(" :*")
            self.current = None
            line = inline.group("rest")
        organisations = [mention.strip() for mention in _BOLD.findall(line)]
        line = _BOLD.sub(" — ", line)
        # "Org: Name, title, …" — an organisation introducing the line.
        prefix = re.match(r"^([^:@]{2,60}):\s+(.+)$", line)
        line_organisation = ""
        if prefix and self.is_organisation(prefix.group(1)):
            line_organisation, line = prefix.group(1).strip(), prefix.group(2)
        parts = self._parts(line)
        # "Leem | Stéphanie BOU | …" or "Agence Ondes — Luc DURAND — …": the organisation first, then the person.
        if len(parts) > 1 and (
            (self.is_organisation(parts[0]) and any(map(self._looks_like_name, parts[1:])))
            or (
                _CAPITALS_NAME.match(parts[1])
                and not _CAPITALS_NAME.match(parts[0])
                and not re.search(r"[\d@]", parts[0])
            )
        ):
            line_organisation = parts.pop(0)
        for part in parts:
            self._read_part(part, line_organisation)
        if organisations and self.current is not None:
            self.current.organisation = self.current.organisation or organisations[0]

    def _looks_like_name(self, text: str) -> bool:
        return (
            bool(_CAPITALS_NAME.match(text) or _ORDINARY_NAME.match(text))
            and fold(text.split()[0]) not in _NOT_GIVEN_NAMES
        )

    @staticmethod
    def _parts(line: str) -> list[str]:
        # An address then a name: "vpautre@leem.org/ Elisa MAHDADI" holds two parts.
        line = _EMAIL.sub(lambda match: f"{match.group(0)} — ", line)
        return [part.strip(" :.,/") for part in _SEPARATORS.split(line) if part and part.strip(" :.,/")]

    def _start(self, given: str, family: str, organisation: str) -> None:
        self.current = ExtractedContact(
            given_name=given,
            family_name=normalise_family_name(family),
            organisation=organisation or self.heading_organisation,
        )
        self.contacts.append(self.current)

    def _read_part(self, part: str, line_organisation: str) -> None:
        emails = [normalise_email(email) for email in _EMAIL.findall(part)]
        rest = _EMAIL.sub(" ", part)
        numbers = find_phone_numbers(rest)
        if numbers:
            rest = re.sub(r"\+?\(?\d[\d\s().-]{5,}\d", " ", rest)
        rest = " ".join(_LABELS.sub(" ", rest).split()).strip(" :.,/-–—")
        if rest and not emails and not numbers and self._is_name(rest):
            capitals = _CAPITALS_NAME.match(rest)
            if capitals:
                self._start(capitals.group("given"), capitals.group("family"), line_organisation)
            else:
                given, _, family = rest.partition(" ")
                self._start(given, family, line_organisation)
            return
        if self.current is None:
            return
        for email in emails:
            if email and email not in self.current.emails:
                self.current.emails.append(email)
        for number in numbers:
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if e164 not in self.current.phones:
                self.current.phones.append(e164)
        if rest and not emails and not numbers:
            self._read_words(rest)

    def _is_name(self, text: str) -> bool:
        first_word = fold(text.split()[0])
        if first_word in _NOT_GIVEN_NAMES or self.is_organisation(text):
            return False
        capitals = _CAPITALS_NAME.match(text)
        if capitals:
            return not self.is_organisation(capitals.group("family"))
        # A name in ordinary case only starts a line's description, never follows a title.
        return bool(_ORDINARY_NAME.match(text)) and (self.current is None or bool(self.current.title))

    def _read_words(self, text: str) -> None:
        contact = self.current
        if self.is_organisation(text):
            if not contact.organisation or contact.organisation == self.heading_organisation:
                contact.organisation = text
            return
        if contact.title:
            return
        title_of = _TITLE_OF_ORGANISATION.match(text)
        if title_of and self.is_organisation(title_of.group("organisation")):
            contact.title = title_of.group("title")
            contact.organisation = contact.organisation or title_of.group("organisation")
            return
        contact.title = text


def extract_release(text: str, is_organisation=lambda name: False, known_names=()) -> ExtractedRelease:
    """What ``text`` states. ``is_organisation(name)`` tells a known organisation's name; ``known_names``
    are the names to look for in the text (the organisations it names)."""
    lines = lines_of(text)
    release = ExtractedRelease(language=_language(" ".join(lines)))
    dateline, release.date, release.place = _dateline(lines)
    headings = _headings(lines, dateline)
    if headings:
        title_index = max(range(len(headings)), key=lambda index: len(headings[index]))
        release.title = headings[title_index]
        release.kicker = headings[title_index - 1] if title_index > 0 else ""
        following = headings[title_index + 1] if title_index + 1 < len(headings) else ""
        release.subtitle = following if len(following) < 300 and not find_date(following) else ""

    reader = ContactBlockReader(is_organisation)
    in_block = False
    for line in lines:
        if _CONTACT_HEADING.match(line) or _CONTACT_INLINE.match(line):
            in_block = True
        elif in_block and _SECTION_END.match(line):
            in_block = False
        if in_block:
            reader.read(line)
    release.contacts = [contact for contact in reader.contacts if contact.family_name]

    folded_text = f" {fold(' '.join(lines))} "
    named = []
    for name in known_names:
        key = fold(name)
        if len(key) >= 3 and f" {key} " in folded_text and name not in named:
            named.append(name)
    for contact in release.contacts:
        if contact.organisation and contact.organisation not in named:
            named.append(contact.organisation)
    release.organisations = named
    return release
