"""Reading a press release as text: its language, date, place, title, the organisations it names, its press
contacts, its quotes and the agreement it announces.

Releases come in French, Spanish and English (``agreements.documents`` turns PDF, Word and HTML into text:
paragraphs separated by a blank line, table rows one per line with cells joined by " | "). Real releases are not
tidy, and this module copes with what the releases we receive do:

- names with the family name in capitals ("Maria PASCUAL DE ZULUETA") or in ordinary case ("Ane Etxeberria");
- em dashes, en dashes, hyphens, pipes and commas between a name, a title, a phone and an address;
- several numbers on one line, the same number written twice, "Tél :" and "email :" labels;
- an address followed by punctuation ("sbou@leem.org/", "jp.martin@polepharma.com.");
- several people on one line ("… vpautre@leem.org/ Elisa MAHDADI - emahdadi@leem.org");
- "Contact presse X :" headings, one per organisation, or the organisation at the start of each line;
- headlines wrapped over several lines, words hyphenated at line ends.

**A contact's details are the contact's only when the layout ties them** (``ContactSection``): the same line or
table row as the name; the lines that follow a name in its block when every name of the block is followed by its
own details; the block that follows a name standing alone in its block; a sentence "contact Jane Doe, … at …".
Whatever could belong to two people is listed in ``unassigned`` for the reviewer, never given to a guess.

Every field found carries where it was found (``Source``: offsets into ``ExtractedRelease.text``) and a
confidence between 0 and 1 from these rules: a dateline at the head of the release 0.9, a date within a line 0.7;
a title alone among the head lines 0.9, chosen among several 0.7; a contact tied by its line or table row 0.9, by
its block 0.8, by the next block 0.7, by a sentence 0.6; a quote with its speaker 0.8; an agreement 0.5 plus 0.1
a party named (at most 0.9). The language's confidence is langdetect's probability (0.5 from stop words).

Extraction reads text only; ``agreements.ingestion`` matches what it found against the records.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

import dateparser
import phonenumbers
from langdetect import DetectorFactory, LangDetectException, detect_langs

from contacts.normalisation import find_phone_numbers, normalise_email, normalise_family_name
from core.search import fold

DetectorFactory.seed = 0  # langdetect is random unless seeded: the same text must always read the same way.

LANGUAGES = ("fr", "es", "en")
PHONE_REGIONS = {"fr": "FR", "es": "ES", "en": "GB", "eu": "ES"}
_STOP_WORDS = {
    "fr": {"le", "la", "les", "des", "et", "du", "une", "est", "pour", "dans", "avec", "sur", "au"},
    "es": {"el", "los", "las", "del", "y", "una", "es", "para", "con", "por", "en", "que", "al"},
    "en": {"the", "and", "of", "with", "for", "a", "is", "to", "in", "on", "its", "their"},
    "eu": {"eta", "da", "du", "dute", "ditu", "bat", "izan", "egin", "dira", "ere", "baina", "honek", "bere"},
}
_DATE_SETTINGS = {
    "STRICT_PARSING": True,
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PARSERS": ["custom-formats", "absolute-time"],  # never "yesterday" nor "in 3 days"
    "RETURN_AS_TIMEZONE_AWARE": False,
}

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
_LETTER = f"{_UPPER}{_LOWER}"
# Candidate dates, checked by dateparser: "12 mai 2022", "1er février 2024", "3 de marzo de 2023",
# "14 September 2021", "March 3, 2023", "15/09/2025", "2025-09-15".
_DATE_CANDIDATE = re.compile(
    rf"\b(?:(?:1er|\d{{1,2}})(?:st|nd|rd|th|º|ª)?\s+(?:de\s+)?[{_LETTER}]{{3,}}\.?,?\s+(?:de\s+|del\s+)?\d{{4}}"
    rf"|[{_LETTER}]{{3,}}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}-\d{2}-\d{2})\b",
    re.IGNORECASE,
)
_BASQUE_DATE = re.compile(
    r"\b(?P<year>\d{4})(?:ko|eko)?\s+(?P<month>[a-z]+?a)(?:ren)\s+(?P<day>\d{1,2})(?:a|an|ean)?\b", re.IGNORECASE
)
_HEADER = re.compile(
    r"^\W*(communiqu[eé] de presse|press release|information presse|news release|nota de prensa|"
    r"comunicado de prensa|comunicado|prentsa oharra|media release)\W*$",
    re.IGNORECASE,
)
_CONTACT_WORDS = (
    r"(?:contacts?\s+(?:presse|press|m[eé]dias?|de\s+prensa|para\s+medios|prensa)|contactos?\s+(?:de\s+)?prensa"
    r"|contactos?\s+(?:para\s+)?medios|(?:press|media)\s+(?:contacts?|enquiries|office|relations)"
    r"|relations?\s+(?:presse|m[eé]dias)|prentsa\s+harremanak|gabinete\s+de\s+prensa|service\s+de\s+presse"
    r"|(?:for\s+)?(?:more|further)\s+information|(?:pour\s+)?(?:plus\s+d['’]|toute\s+)informations?"
    r"|(?:para\s+)?m[aá]s\s+informaci[oó]n|informaci[oó]n\s+para\s+medios)"
)
# "For media enquiries please contact:", "Vos contacts :": a short line that speaks of contacts and ends with a colon.
_CONTACT_HEADING_LOOSE = re.compile(
    r"^\W*(?=.{0,60}:\s*$).{0,40}\b(?:contacts?|contactos?|enquiries|presse|prensa|press|media|harremanak)\b[^:]{0,30}:\s*$",
    re.IGNORECASE,
)
_CONTACT_HEADING = re.compile(rf"^\W*{_CONTACT_WORDS}\b\s*(?P<organisation>[^:]*?)\s*:?\s*$", re.IGNORECASE)
_CONTACT_INLINE = re.compile(rf"^\W*{_CONTACT_WORDS}\b(?P<organisation>[^:]*):\s*(?P<rest>\S.*)$", re.IGNORECASE)
_SECTION_END = re.compile(
    r"^\W*(?:(?:à|a)\s+propos\b|about\b|acerca\s+de\b|sobre\s+\w|quiénes\s+somos|qui\s+sommes|###|fin\b|-\s*fin\b)",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_SEPARATORS = re.compile(r"\s+[-–—|]\s*|\s*[–—|]\s+|\s*[|;]\s*|,\s+|\s+/\s+")
_LABELS = re.compile(
    r"\b(t[ée]l(?:[ée]phone|[ée]fono)?|tel|phone|mobile|m[oó]vil|portable|port|fax|e-?mail|courriel|correo|mail|m)"
    r"\b\.?\s*:?\s*",
    re.IGNORECASE,
)
_FAMILY_WORD = rf"(?:[{_UPPER}]')?[{_UPPER}]{{2,}}(?:-[{_UPPER}]{{2,}})*"
_GIVEN_NAME = rf"[{_UPPER}][{_LOWER}]+(?:[- ][{_UPPER}][{_LOWER}]+)?"
_CAPITALS_NAME = re.compile(rf"^(?P<given>{_GIVEN_NAME})\s+(?P<family>{_FAMILY_WORD}(?:\s+{_FAMILY_WORD})*)$")
_NAME_WORD = rf"[{_UPPER}][{_LOWER}'-]+"
_ORDINARY_NAME = re.compile(rf"^{_NAME_WORD}(?:\s+(?:(?:de|del|da|van|von|le|la|y)\s+)?{_NAME_WORD}){{1,2}}$")
# A person named in a sentence: "Jane Doe", "Jean DUPONT", "María López de Arana".
_NAME_IN_TEXT = (
    r"(?:(?:Dr|Mr|Mrs|Ms|Pr|Prof|Mme|Sr|Sra|Dña)\.?\s+)?"
    + rf"{_GIVEN_NAME}(?:\s+(?:(?:de|del|da|van|von|le|la|y)\s+)?(?:{_FAMILY_WORD}|{_NAME_WORD})){{1,3}}"
)
# Words that start titles, headings and labels, never given names.
_NOT_GIVEN_NAMES = {
    "contact", "contacts", "contacto", "contactos", "presse", "press", "prensa", "media", "medias", "communication",
    "comunicacion", "directeur", "directrice", "director", "directora", "responsable", "chargee", "charge", "chef",
    "jefe", "jefa", "head", "manager", "president", "presidente", "presidenta", "service", "servicio", "relations",
    "attachee", "attache", "photo", "source", "fuente", "tel", "email", "mobile", "site", "www", "the", "le", "la",
    "les", "el", "los", "for", "pour", "para", "agence", "agency", "agencia", "gabinete", "office", "senior",
    "press officer", "communications", "deputy", "adjoint", "adjointe", "vice", "general", "secretaire",
}  # fmt: skip
# Words of organisations' names, never of people's: "Basque Health Cluster" is not a person.
_ORGANISATION_WORDS = {
    "cluster", "clúster", "agence", "agency", "agencia", "association", "asociacion", "asociación", "group",
    "groupe", "grupo", "sa", "sas", "sl", "ltd", "inc", "gmbh", "universite", "université", "university",
    "universidad", "fundacion", "fundación", "foundation", "fondation", "institut", "institute", "instituto",
    "pole", "pôle", "network", "reseau", "réseau", "health", "sante", "santé", "salud", "pharma", "biotech",
    "industries", "council",
    "conseil", "region", "région", "ministry", "ministère", "ministerio", "hospital", "hôpital", "centre", "center",
    "centro", "federation", "fédération", "federación", "lab", "labs", "partners", "consulting",
}  # fmt: skip
_FOLDED_ORGANISATION_WORDS = {fold(word) for word in _ORGANISATION_WORDS}
_TITLE_WORDS = {
    "operations", "marketing", "affaires", "affairs", "research", "recherche", "investigacion", "development",
    "developpement", "desarrollo", "production", "produccion", "quality", "qualite", "calidad", "sales", "ventes",
    "ventas", "rh", "hr", "innovation", "innovacion", "strategy", "strategie", "estrategia", "finance", "finances",
    "finanzas", "projects", "projets", "proyectos", "public", "publiques", "external", "externe", "externes",
    "externas", "prensa", "presse", "medias", "comunicaciones", "institutional", "institutionnelles",
    "directeur", "directrice", "director", "directora", "responsable", "chargee", "charge", "chef", "jefe", "jefa",
    "head", "manager", "president", "presidente", "presidenta", "attachee", "attache", "officer", "ceo", "cfo",
    "coo", "cto", "secretary", "secretaire", "secretario", "secretaria", "delegue", "deleguee", "delegado",
    "delegada", "coordinator", "coordinatrice", "coordinateur", "coordinador", "coordinadora", "gerente",
    "adjoint", "adjointe", "deputy", "vice", "senior", "tecnica", "tecnico", "consultant", "consultante",
    "consultora", "consultor", "communication", "communications", "comunicacion", "press", "media", "relations",
}  # fmt: skip
_ACRONYM = re.compile(r"[A-Z][A-Z0-9&]{1,11}(?:-[A-Z0-9]{1,11})?")
_TITLE_ACRONYMS = {
    "ceo", "cfo", "coo", "cto", "cio", "cmo", "pdg", "dg", "dga", "drh", "daf", "rh", "hr", "vp", "md", "rp", "pr",
}  # fmt: skip
_FIELD_LABEL = re.compile(
    r"^\W*(?:(?P<name_label>nom|name|nombre|izena)|fonction|poste|title|job\s+title|position|cargo|kargua"
    r"|organisation|organization|organizaci[oó]n|entidad|empresa|soci[ée]t[ée]|structure|company)\s*:\s*(?P<value>\S.*)$",
    re.IGNORECASE,
)
_TITLE_OF_ORGANISATION = re.compile(
    r"^(?P<title>.+?)\s+(?:du|de la|de l['’]|del|de los|de las|de|des|d['’]|chez|at|of the|of)\s*"
    r"(?P<organisation>.+)$"
)
# "contact Jane Doe, head of communications, at jane@example.org or +44 …"
_INLINE_CONTACT = re.compile(
    r"\b(?:contact(?:ez|er)?|contacta(?:r|d)?|contacte\s+con|p[oó]ngase\s+en\s+contacto\s+con|write\s+to|call"
    r"|[eé]crire\s+[àa]|joindre|s['’]adresser\s+[àa]|dir[ií]jase\s+a)\s+(?P<name>" + _NAME_IN_TEXT + r")\b"
)


@dataclass
class Source:
    """Where a field was read: ``start`` and ``end`` offsets into ``ExtractedRelease.text``."""

    start: int
    end: int
    confidence: float = 0.0

    def as_json(self) -> dict:
        return {"start": self.start, "end": self.end, "confidence": round(self.confidence, 2)}


@dataclass
class ExtractedContact:
    given_name: str = ""
    family_name: str = ""
    title: str = ""
    organisation: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)  # E.164
    source: Source | None = None
    tie: str = ""  # how the layout ties the details to the name: line, block, next_block, sentence

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def as_json(self) -> dict:
        return {
            "given_name": self.given_name,
            "family_name": self.family_name,
            "title": self.title,
            "organisation": self.organisation,
            "emails": list(self.emails),
            "phones": list(self.phones),
            "tie": self.tie,
            "source": self.source.as_json() if self.source else None,
        }


@dataclass
class Unassigned:
    """An address or number of the contact section that no contact owns without doubt."""

    kind: str  # "email" or "phone"
    value: str
    source: Source

    def as_json(self) -> dict:
        return {"kind": self.kind, "value": self.value, "source": self.source.as_json()}


@dataclass
class ExtractedQuote:
    text: str
    speaker: str  # as written, family name in ordinary case
    title: str = ""
    organisation: str = ""
    source: Source | None = None

    @property
    def given_name(self) -> str:
        return self.speaker.split(" ", 1)[0]

    @property
    def family_name(self) -> str:
        return self.speaker.split(" ", 1)[1] if " " in self.speaker else ""

    def as_json(self) -> dict:
        return {
            "speaker": self.speaker,
            "title": self.title,
            "organisation": self.organisation,
            "text": self.text,
            "source": self.source.as_json() if self.source else None,
        }


@dataclass
class ExtractedSignatory:
    name: str
    title: str = ""
    organisation: str = ""


@dataclass
class ExtractedAgreement:
    kind: str  # an Agreement.Kind value
    written_kind: str  # as the release writes it: "convention", "convenio", "partnership agreement"…
    parties: list[str] = field(default_factory=list)
    date: datetime.date | None = None
    place: str = ""
    signatories: list[ExtractedSignatory] = field(default_factory=list)
    source: Source | None = None

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "written_kind": self.written_kind,
            "parties": list(self.parties),
            "date": self.date.isoformat() if self.date else None,
            "place": self.place or None,
            "signatories": [
                {"name": s.name, "title": s.title, "organisation": s.organisation} for s in self.signatories
            ],
            "source": self.source.as_json() if self.source else None,
        }


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
    quotes: list[ExtractedQuote] = field(default_factory=list)
    agreement: ExtractedAgreement | None = None
    unassigned: list[Unassigned] = field(default_factory=list)
    sources: dict[str, Source] = field(default_factory=dict)  # "title", "date", "place", "language"…
    text: str = ""  # the text as read: the offsets of every Source point into it

    def as_json(self) -> dict:
        return {
            "title": self.title,
            "kicker": self.kicker,
            "subtitle": self.subtitle,
            "date": self.date.isoformat() if self.date else None,
            "place": self.place,
            "language": self.language,
            "organisations": self.organisations,
            "contacts": [contact.as_json() for contact in self.contacts],
            "quotes": [quote.as_json() for quote in self.quotes],
            "agreement": self.agreement.as_json() if self.agreement else None,
            "unassigned": [item.as_json() for item in self.unassigned],
            "sources": {name: source.as_json() for name, source in self.sources.items()},
        }


@dataclass
class Line:
    """A line of the release as read: wrapped headlines and hyphenated words joined back."""

    text: str
    start: int
    end: int
    paragraph: int


def clean_text(text: str) -> str:
    """The release with ordinary spaces and line ends, and without markup ("<https://…>", "[x](#)", "<p>")."""
    text = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\t", " ").replace("\u00ad", "")
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    return re.sub(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>", "", text)


def _raw_lines(text: str) -> list[Line]:
    lines, paragraph, offset, blank = [], 0, 0, False
    for raw in text.split("\n"):
        if raw.strip():
            if blank and lines:
                paragraph += 1
            start = offset + len(raw) - len(raw.lstrip())
            lines.append(Line(" ".join(raw.split()), start, offset + len(raw.rstrip()), paragraph))
            blank = False
        else:
            blank = True
        offset += len(raw) + 1
    return lines


def _joined(first: Line, second: Line) -> Line:
    if re.search(rf"[{_LOWER}]-$", first.text) and re.match(rf"[{_LOWER}]", second.text):
        text = first.text[:-1] + second.text  # "forma-" "tion": one word cut at the line end
    elif first.text.endswith("-"):
        text = first.text + second.text  # "Nouvelle-" "Aquitaine"
    else:
        text = f"{first.text} {second.text}"
    return Line(text, first.start, second.end, first.paragraph)


def _is_dateline(line: str) -> bool:
    return _find_dateline_date(line, LANGUAGES)[0] is not None


def read_lines(text: str) -> list[Line]:
    """The lines of ``text``, with what wrapping broke joined again.

    A word cut by a hyphen at a line end is joined everywhere; the lines of a paragraph of short lines at the head
    of the release (a wrapped headline) are joined; at the head, a line that ends mid-sentence is joined to the next
    one when that one starts in lower case.
    """
    lines = _raw_lines(text)
    several_paragraphs = bool(lines) and lines[-1].paragraph > 0
    head_paragraphs, headline_paragraphs, body_paragraphs = set(), set(), set()
    paragraphs: dict[int, list[str]] = {}
    for line in lines:
        paragraphs.setdefault(line.paragraph, []).append(line.text)
    in_head, in_body, dated = True, True, False
    for paragraph, members in paragraphs.items():
        if any(_is_contact_heading(member) for member in members):
            in_head = in_body = False
        elif in_head and (
            sum(map(len, members)) > 220
            or paragraph > 6
            or any("@" in member for member in members)
            or (dated and members[-1].endswith("."))  # a sentence after the dateline: the body has begun
        ):
            in_head = False
        dated = dated or any(_is_dateline(member) for member in members)
        if in_head:
            head_paragraphs.add(paragraph)
        elif in_body and len(members) > 1 and all(len(member) >= 40 for member in members[:-1]):
            body_paragraphs.add(paragraph)  # a paragraph of the body wrapped over several lines
    for paragraph in head_paragraphs:
        members = [line.text for line in lines if line.paragraph == paragraph]
        if len(members) > 1 and all(
            len(member) <= 160 and not _HEADER.match(member) and not _is_dateline(member) for member in members
        ):
            headline_paragraphs.add(paragraph)  # a headline wrapped over several lines, alone in its paragraph
    joined: list[Line] = []
    for line in lines:
        previous = joined[-1] if joined else None
        if previous is not None and previous.paragraph == line.paragraph and "@" not in previous.text + line.text:
            hyphenated = re.search(rf"[{_LETTER}]-$", previous.text) and re.match(rf"[{_LETTER}]", line.text)
            in_head = line.paragraph in head_paragraphs
            wrapped_head = (
                several_paragraphs
                and line.paragraph in headline_paragraphs
                and not _CONTACT_HEADING.match(line.text)
                and not re.search(r"[.!?:]$", previous.text)
            )
            continued = (
                in_head
                and not re.search(r"[.!?:;]$", previous.text)
                and re.match(rf"[{_LOWER}]", line.text)
                and not _is_dateline(line.text)
            )
            reflowed = line.paragraph in body_paragraphs and "|" not in previous.text + line.text
            if hyphenated or wrapped_head or continued or reflowed:
                joined[-1] = _joined(previous, line)
                continue
        joined.append(line)
    return joined


def detect_language(text: str) -> tuple[str, float]:
    """ "fr", "es" or "en", and how sure: langdetect on a long text, stop words on a short one."""
    words = re.findall(rf"[{_LETTER}]+", fold(text))
    if len(words) >= 25:
        try:
            for guess in detect_langs(text):
                if guess.lang in LANGUAGES:
                    return guess.lang, round(guess.prob, 2)
        except LangDetectException:
            pass
    counts = {language: sum(word in stops for word in words) for language, stops in _STOP_WORDS.items()}
    best = max(counts, key=lambda language: counts[language])
    return (best if counts[best] else "fr"), 0.5


def parse_date(written: str, languages) -> datetime.date | None:
    """``written`` as a date, day first ("05/10/2023" is 5 October); month first only when day first cannot be
    ("03/14/2023" written in the United States)."""
    languages = list(dict.fromkeys(languages))
    for order in ("DMY", "MDY"):
        found = dateparser.parse(written, languages=languages, settings={**_DATE_SETTINGS, "DATE_ORDER": order})
        if found:
            return found.date()
    return None


def find_date(line: str, languages=LANGUAGES) -> datetime.date | None:
    return _find_dateline_date(line, languages)[0]


def _find_dateline_date(line: str, languages) -> tuple[datetime.date | None, re.Match | None]:
    for match in _DATE_CANDIDATE.finditer(line):
        found = parse_date(match.group(0), languages)
        if found:
            return found, match
    # Basque writes the year first and the month in the genitive: "2023ko martxoaren 3a" is "3 martxoa 2023".
    for match in _BASQUE_DATE.finditer(line):
        found = parse_date(f"{match.group('day')} {match.group('month')} {match.group('year')}", ["eu"])
        if found:
            return found, match
    return None, None


def _dateline(lines: list[Line], languages) -> tuple[int, datetime.date | None, str, float]:
    """Index, date, place and confidence of the line that dates the release, among its first lines.

    A dateline stands alone ("Hendaye, le 12 mai 2022") or opens the first paragraph ("PARIS, 12 mai 2022 – Le …").
    """
    for index, line in enumerate(lines[:12]):
        found, match = _find_dateline_date(line.text, languages)
        if not found:
            continue
        alone = len(line.text) <= 80
        opening = match.start() <= 60 and re.match(r"\s*[–—:.-]", line.text[match.end() :])
        if not (alone or opening):
            continue
        before = line.text[: match.start()]
        place = re.sub(
            r"(?:,|\s)*(?:\b(?:le|el|on|the)\b)?\s*(?:\b(?:\w+day|lundi|mardi|mercredi|jeudi|vendredi)\b)?\W*$",
            "",
            before,
            flags=re.IGNORECASE,
        )
        place = place.strip(" ,–—-:").split(",")[0].strip()  # "Manchester, UK"
        if fold(place) in ("le", "el", "") or len(place.split()) > 4 or any(char.isdigit() for char in place):
            place = ""
        if place.isupper():
            place = place.title()
        return index, found, place, 0.9 if alone else 0.7
    return -1, None, "", 0.0


def _headings(lines: list[Line], dateline: int) -> list[int]:
    """Indexes of the short lines between the "press release" header and the first paragraph."""
    start = 1 if lines and _HEADER.match(lines[0].text) else 0
    headings = []
    for index in range(start, len(lines)):
        line = lines[index].text
        if index == dateline and len(line) > 80:
            break  # "LONDON, 14 September 2021 – Leem and …": the body starts with the dateline
        if index == dateline or _HEADER.match(line):
            continue
        if len(line) > 220 or (len(headings) >= 1 and index > dateline >= 0 and len(line) > 160):
            break
        if _is_contact_heading(line):
            break
        headings.append(index)
        if dateline >= 0 and index > dateline and line.endswith("."):
            break  # a sentence: the subtitle at most, the body after it
        if len(headings) == 4:
            break
    return headings


def _title_index(lines: list[Line], headings: list[int]) -> int:
    """The headline: the longest head line, preferring one that does not end a sentence (subtitles do)."""
    not_sentences = [index for index in headings if not lines[index].text.endswith(".")]
    candidates = not_sentences or headings
    return max(candidates, key=lambda index: len(lines[index].text))


def _is_contact_heading(text: str) -> bool:
    return bool(_CONTACT_HEADING.match(text) or _CONTACT_INLINE.match(text) or _CONTACT_HEADING_LOOSE.match(text))


def _within(line: Line, start: int, end: int, confidence: float) -> Source:
    """The source of ``line.text[start:end]``; the whole line when joining or spacing moved its words."""
    if line.end - line.start == len(line.text):
        return Source(line.start + start, line.start + end, confidence)
    return Source(line.start, line.end, confidence)


def _region(language: str) -> str:
    return PHONE_REGIONS.get(language, "FR")


def _e164(number) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass
class _Details:
    """What a line holds besides names: addresses, numbers and words (a title, an organisation)."""

    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)

    def __bool__(self):
        return bool(self.emails or self.phones or self.words)


@dataclass
class _LineReading:
    line: Line
    contacts: list[ExtractedContact]
    leading: _Details  # what comes before the first name of the line
    organisation_only: bool = False
    had_details: bool = False  # the line's last contact has an address or a number on the line itself


class ContactSection:
    """Reads the press-contact lines, then decides which details belong to whom (see the module's docstring)."""

    def __init__(self, is_organisation, language: str):
        self.is_organisation = is_organisation
        self.region = _region(language)
        self.contacts: list[ExtractedContact] = []
        self.unassigned: list[Unassigned] = []
        self.heading_organisation = ""
        self.segment: list[_LineReading] = []

    # Reading lines -------------------------------------------------------------------------------------------
    def read(self, line: Line) -> None:
        text = line.text
        heading = _CONTACT_HEADING.match(text)
        if heading:
            self.close_segment()
            self.heading_organisation = _BOLD.sub(r"\1", heading.group("organisation")).strip(" :*")
            return
        if _CONTACT_HEADING_LOOSE.match(text):
            self.close_segment()
            self.heading_organisation = ""
            return
        inline = _CONTACT_INLINE.match(text)
        if inline:  # "Relations presse : Jean DUPONT — …"
            self.close_segment()
            self.heading_organisation = inline.group("organisation").strip(" :*")
            text = inline.group("rest")
        if _is_table_header(text):
            return
        self.segment.append(self._read_line(text, line))

    def _read_line(self, text: str, line: Line) -> _LineReading:
        labelled = _FIELD_LABEL.match(text)
        if labelled:  # "Nombre: Laura GIL", "Fonction : Chargée de communication", "Entidad: Navarra Biomed"
            text = labelled.group("value")
            if labelled.group("name_label"):
                text = f"{text} —"  # a part of its own: the name
        organisations = [mention.strip() for mention in _BOLD.findall(text)]
        text = _BOLD.sub(" — ", text)
        # "Org: Name, title, …" — an organisation introducing the line.
        prefix = re.match(r"^([^:@]{2,60}):\s+(.+)$", text)
        line_organisation = ""
        if prefix and (
            self.is_organisation(prefix.group(1))
            or (_looks_like_organisation(prefix.group(1)) and not re.search(r"\s[-–—]\s|[|,]", prefix.group(1)))
            or (  # "Bioga: Lucía Fernández (…)": a short name, then a person
                re.fullmatch(rf"[{_UPPER}][\w'’&.-]*(?:\s+[\w'’&.-]+){{0,3}}", prefix.group(1).strip())
                and not _looks_like_title(prefix.group(1))
                and fold(prefix.group(1).split()[0]) not in _NOT_GIVEN_NAMES
                and self._parts(prefix.group(2))
                and self._looks_like_name(self._parts(prefix.group(2))[0])
            )
        ):
            line_organisation, text = prefix.group(1).strip(), prefix.group(2)
        parts = self._parts(text)
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
        reading = _LineReading(line=line, contacts=[], leading=_Details())
        current = None
        for position, part in enumerate(parts):
            emails, numbers, rest = self._split(part)
            if rest and not emails and not numbers and self._is_name(rest, first=position == 0, current=current):
                capitals = _CAPITALS_NAME.match(rest)
                given, family = (
                    (capitals.group("given"), capitals.group("family")) if capitals else rest.partition(" ")[::2]
                )
                current = ExtractedContact(
                    given_name=given,
                    family_name=normalise_family_name(family),
                    organisation=line_organisation or self.heading_organisation,
                    tie="line",
                    source=Source(line.start, line.end, 0.9),
                )
                reading.contacts.append(current)
                continue
            if current is None:
                reading.leading.emails += emails
                reading.leading.phones += numbers
                if rest and not emails and not numbers:
                    reading.leading.words.append(rest)
                continue
            _add(current, emails, numbers)
            if rest and not emails and not numbers:
                self._read_words(current, rest)
        if organisations and reading.contacts:
            contact = reading.contacts[-1]
            contact.organisation = contact.organisation or organisations[0]
        if reading.contacts:
            reading.had_details = bool(reading.contacts[-1].emails or reading.contacts[-1].phones)
        if line_organisation and not reading.contacts and not reading.leading:
            reading.leading.words.append(line_organisation)
        reading.organisation_only = (
            not reading.contacts
            and not reading.leading.emails
            and not reading.leading.phones
            and len(reading.leading.words) == 1
            and (self.is_organisation(reading.leading.words[0]) or _looks_like_organisation(reading.leading.words[0]))
        )
        return reading

    def _split(self, part: str) -> tuple[list[str], list[str], str]:
        emails = [normalise_email(email) for email in _EMAIL.findall(part)]
        rest = _EMAIL.sub(" ", part)
        numbers = [_e164(number) for number in find_phone_numbers(rest, self.region)]
        if numbers:
            rest = re.sub(r"\+?\(?\d[\d\s().-]{5,}\d", " ", rest)
        rest = " ".join(_LABELS.sub(" ", rest).split()).strip(" :.,/-–—()")
        return emails, numbers, rest

    def _looks_like_name(self, text: str) -> bool:
        return (
            bool(_CAPITALS_NAME.match(text) or _ORDINARY_NAME.match(text))
            and fold(text.split()[0]) not in _NOT_GIVEN_NAMES
            and not _looks_like_organisation(text)
        )

    @staticmethod
    def _parts(line: str) -> list[str]:
        # An address then a name: "vpautre@leem.org/ Elisa MAHDADI" holds two parts.
        line = _EMAIL.sub(lambda match: f"{match.group(0)} — ", line)
        # "Lucía Fernández (lucia@…; 981 …)": brackets around details separate them; "+33 (0)5 …" stays a number.
        line = re.sub(r"\((?=[^\d+\s])|(?<=[^\d\s])\)", " — ", line)
        return [part.strip(" :.,/()") for part in _SEPARATORS.split(line) if part and part.strip(" :.,/()")]

    def _is_name(self, text: str, *, first: bool, current) -> bool:
        first_word = fold(text.split()[0])
        if first_word in _NOT_GIVEN_NAMES or self.is_organisation(text) or _looks_like_organisation(text):
            return False
        capitals = _CAPITALS_NAME.match(text)
        if capitals:
            return not self.is_organisation(capitals.group("family"))
        # A name in ordinary case opens a line's description, or follows a contact already described.
        return bool(_ORDINARY_NAME.match(text)) and (first or current is None or bool(current.title))

    def _read_words(self, contact: ExtractedContact, text: str) -> None:
        if self.is_organisation(text):
            if not contact.organisation or contact.organisation == self.heading_organisation:
                contact.organisation = text
            return
        if contact.title:
            if not contact.organisation and not _looks_like_title(text):
                contact.organisation = text
            return
        title_of = _TITLE_OF_ORGANISATION.match(text)
        if title_of and self.is_organisation(title_of.group("organisation")):
            contact.title = _capitalised(title_of.group("title"))
            contact.organisation = contact.organisation or title_of.group("organisation")
            return
        title, organisation = title_and_organisation(text, self.is_organisation)
        if organisation and (
            self.is_organisation(organisation) or _looks_like_organisation(organisation) or organisation.isupper()
        ):  # "Chargée de communication du GIPSO"
            contact.title = title
            contact.organisation = contact.organisation or organisation
            return
        if not _looks_like_title(text) and _looks_like_organisation(text) and not contact.organisation:
            contact.organisation = text
            return
        if _ACRONYM.fullmatch(text) and fold(text) not in _TITLE_ACRONYMS and not contact.organisation:
            # "Emmanuelle PANGAUD – GIPSO – …": one word in capitals is an organisation's acronym, not a title,
            # even when the CRM does not know the organisation yet ("CEO", "DRH" are titles).
            contact.organisation = text
            return
        contact.title = _capitalised(text)

    # Deciding who owns what ----------------------------------------------------------------------------------
    def close_segment(self) -> None:
        """Give each detail line of the segment (the lines under one heading) to the contact the layout ties it
        to, or to nobody."""
        segment, self.segment = self.segment, []
        segment_organisation = ""
        for reading in segment:
            if reading.contacts:
                break
            if reading.organisation_only:
                segment_organisation = segment_organisation or reading.leading.words[0]
        for index, reading in enumerate(segment):
            self.contacts += reading.contacts
            if not reading.leading or (reading.organisation_only and not any(r.contacts for r in segment[:index])):
                continue
            owner, tie = self._owner(segment, index)
            if owner is None:
                self._unassign(reading.leading, reading.line)
                continue
            _add(owner, reading.leading.emails, reading.leading.phones)
            for words in reading.leading.words:
                self._read_words(owner, words)
            if owner.tie == "line" or (owner.tie == "block" and tie == "next_block"):
                owner.tie = tie
            owner.source = Source(owner.source.start, max(owner.source.end, reading.line.end), _TIES[owner.tie])
        for reading in segment:
            for contact in reading.contacts:
                contact.organisation = contact.organisation or self.heading_organisation or segment_organisation

    def _owner(self, segment: list[_LineReading], index: int) -> tuple[ExtractedContact | None, str]:
        reading = segment[index]
        if reading.contacts:  # details before the first name of a line with names: the layout does not say
            return None, ""
        previous = next((i for i in range(index - 1, -1, -1) if segment[i].contacts), None)
        if previous is None:
            return None, ""
        owner = segment[previous].contacts[-1]
        across_blank = segment[previous].line.paragraph != reading.line.paragraph
        own_details = segment[previous].had_details
        following = next((i for i in range(index + 1, len(segment)) if segment[i].contacts), None)
        if own_details:
            return None, ""  # the name's line holds its details: what follows may be anyone's ("inscriptions@…")
        if following is not None:
            blank_before_following = segment[following].line.paragraph != reading.line.paragraph
            if not blank_before_following and (across_blank or own_details):
                return None, ""  # opens the next name's block as much as it closes this one
            if not segment[following].had_details and not _details_follow(segment, following):
                return None, ""  # the next name has no details of its own: these may be its own
        if previous > 0 and segment[previous - 1].contacts and not segment[previous - 1].had_details:
            if segment[previous - 1].line.paragraph == segment[previous].line.paragraph:
                return None, ""  # a list of names, then details: whose?
        if across_blank:
            if own_details or _details_follow_in_paragraph(segment, previous):
                return None, ""  # the name's block already holds its details
            if reading.line.paragraph != segment[previous].line.paragraph + 1:
                return None, ""  # not the block right after the name's
            return owner, "next_block"
        return owner, "block"

    def _unassign(self, details: _Details, line: Line) -> None:
        source = Source(line.start, line.end, 0.0)
        self.unassigned += [Unassigned("email", email, source) for email in details.emails]
        self.unassigned += [Unassigned("phone", phone, source) for phone in details.phones]


def title_and_organisation(text: str, is_organisation=lambda name: False) -> tuple[str, str]:
    """ "Head of Communications at BioWales" → ("Head of Communications", "BioWales"); "jefa de prensa de
    Kresala" → ("Jefa de prensa", "Kresala"): the organisation is what follows the last "at", "of", "de"… when it
    is a known organisation, or a name in capitals that is not part of a title ("Head of Communications" stays)."""
    text = text.strip(" ,.;")
    at = re.search(r"^(?P<title>.+)\s(?:at|chez)\s+(?P<organisation>.+)$", text)
    candidates = [at] if at else []
    candidates += reversed(
        list(re.finditer(r"\s(?:of\s+the|of|de\s+la|de\s+l['’]|del|de\s+los|de\s+las|de|du|des|d['’])\s*(?=\S)", text))
    )
    for match in candidates:
        if match is None:
            continue
        if match is at:
            title, organisation = at.group("title"), at.group("organisation")
        else:
            title, organisation = text[: match.start()], text[match.end() :]
        first = fold(organisation.split()[0]) if organisation.split() else ""
        if is_organisation(organisation) or (
            organisation[:1].isupper() and first not in _TITLE_WORDS and not _looks_like_title(organisation)
        ):
            return _capitalised(title), organisation.strip()
    return _capitalised(text), ""


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


_TIES = {"line": 0.9, "block": 0.8, "next_block": 0.7, "sentence": 0.6}


def _details_follow(segment, index) -> bool:
    return index + 1 < len(segment) and not segment[index + 1].contacts and bool(segment[index + 1].leading)


def _details_follow_in_paragraph(segment, index) -> bool:
    return _details_follow(segment, index) and segment[index + 1].line.paragraph == segment[index].line.paragraph


def _add(contact: ExtractedContact, emails, phones) -> None:
    for email in emails:
        if email and email not in contact.emails:
            contact.emails.append(email)
    for phone in phones:
        if phone not in contact.phones:
            contact.phones.append(phone)


def _looks_like_organisation(text: str) -> bool:
    words = [fold(word) for word in re.findall(rf"[{_LETTER}]+", text)]
    return (
        bool(words)
        and any(word in _FOLDED_ORGANISATION_WORDS for word in words)
        and fold(text.split()[0]) not in _TITLE_WORDS
    )


def _looks_like_title(text: str) -> bool:
    words = [fold(word) for word in re.findall(rf"[{_LETTER}]+", text)]
    return bool(words) and (words[0] in _TITLE_WORDS or (len(words) > 1 and words[1] in _TITLE_WORDS))


def _is_table_header(text: str) -> bool:
    cells = [fold(cell.strip()) for cell in text.split("|")]
    headers = {"name", "nom", "nombre", "title", "titre", "fonction", "cargo", "organisation", "organization",
               "organizacion", "email", "e-mail", "courriel", "correo", "phone", "telephone", "telefono", "tel",
               "mobile", "contact", "contacto", "structure", "entidad", "company", "societe", "empresa"}  # fmt: skip
    return len(cells) > 1 and all(cell in headers for cell in cells if cell)


def _inline_contacts(lines: list[Line], section: ContactSection) -> set[int]:
    """Contacts named in a sentence ("contact Jane Doe, head of communications, at jane@example.org or …");
    returns the indexes of the lines read that way."""
    used = set()
    for index, line in enumerate(lines):
        match = _INLINE_CONTACT.search(line.text)
        if not match:
            continue
        rest = line.text[match.end() :]
        sentence_end = re.search(r"[.!?](?:\s+[A-ZÀ-Þ]|\s*$)", rest)
        rest = rest[: sentence_end.start()] if sentence_end else rest
        emails = [normalise_email(email) for email in _EMAIL.findall(rest)]
        numbers = [_e164(number) for number in find_phone_numbers(_EMAIL.sub(" ", rest), section.region)]
        if not emails and not numbers:
            continue
        used.add(index)
        source = Source(line.start, line.end, _TIES["sentence"])
        if re.search(rf"\b(?:and|et|y|or|ou|o)\s+{_NAME_IN_TEXT}", rest):
            details = _Details(emails=emails, phones=numbers)
            section._unassign(details, line)  # two people named: whose is which?
            continue
        name = match.group("name")
        capitals = re.match(rf"^(?P<given>{_GIVEN_NAME})\s+(?P<family>.+)$", name)
        contact = ExtractedContact(
            given_name=capitals.group("given") if capitals else name.split(" ", 1)[0],
            family_name=normalise_family_name(capitals.group("family") if capitals else name.split(" ", 1)[1]),
            emails=list(dict.fromkeys(emails)),
            phones=list(dict.fromkeys(numbers)),
            tie="sentence",
            source=source,
        )
        before_details = re.split(rf"{_EMAIL.pattern}|\+?\d[\d\s().-]{{5,}}\d", rest, maxsplit=1)[0]
        described = re.match(
            r"^\s*,\s*(?P<title>[^@()\d]{3,160}?)\s*,?\s*(?:(?:at|on|by|à|au|en\s+el|en|a|or|ou|o|via)\b\s*)*[:\s]*$",
            before_details,
        )
        if described:
            contact.title, contact.organisation = title_and_organisation(
                described.group("title"), section.is_organisation
            )
        section.contacts.append(contact)
    return used


# Quotes ------------------------------------------------------------------------------------------------------
_SPEECH_VERBS = (
    r"(?:(?:a\s+)?(?:d[ée]clar|soulign|expliqu|ajout|indiqu|pr[ée]cis|affirm|comment|rappel|t[ée]moign|assur|estim)"
    r"(?:e|é|ent)|rappell(?:e|ent)|rench[ée]rit|se\s+r[ée]jouit|conclut|poursuit|r[ée]sume|"
    r"(?:afirm|declar|se[ñn]al|explic|subray|a[ñn]ad|asegur|destac|indic|apunt|coment)ó|dijo|concluyó|"
    r"said|says|explains|explained|added|adds|"
    r"commented|comments|noted|notes|stated|states|underlined|concluded|declared|"
    r"(?:ha\s+)?(?:declarado|afirmado|se[ñn]alado|explicado|subrayado|a[ñn]adido|asegurado|destacado|indicado)|"
    r"declara|afirma|se[ñn]ala|explica|subraya|a[ñn]ade|asegura|destaca|indica|apunta|concluye)"
)
_QUOTE = r"(?P<open>[«“\"])\s*(?P<text>[^«»“”\"]{15,}?)\s*(?P<close>[»”\"])"
_QUOTE_THEN_SPEAKER = re.compile(
    _QUOTE + rf"\s*,?\s*{_SPEECH_VERBS}\s+(?P<name>{_NAME_IN_TEXT})(?:\s*,\s*(?P<title>[^.;«»“”\"]+))?",
)
_QUOTE_THEN_SPEAKER_INVERTED = re.compile(  # "“…,” Jane Doe, CEO of Y, said."
    _QUOTE + rf"\s*,?\s*(?P<name>{_NAME_IN_TEXT})(?:\s*,\s*(?P<title>[^.;«»“”\"]+?))?\s*,?\s+{_SPEECH_VERBS}\b",
)
_ACCORDING_TO_THEN_QUOTE = re.compile(  # "Según Lucía Fernández, responsable …, «…»"
    rf"\b(?:selon|según|according\s+to|d['’]apr[eè]s)\s+(?P<name>{_NAME_IN_TEXT})(?:\s*,\s*(?P<title>[^.;:«»“”\"]+?))?"
    r"\s*,?\s*:?\s*" + _QUOTE,
    re.IGNORECASE,
)
_SPEAKER_THEN_QUOTE = re.compile(
    rf"(?P<name>{_NAME_IN_TEXT})(?:\s*,\s*(?P<title>[^.;:«»“”\"]+?))?\s*,?\s+{_SPEECH_VERBS}\s*:\s*" + _QUOTE
)


def _speaker(name: str) -> str:
    name = re.sub(r"^(?:Dr|Mr|Mrs|Ms|Pr|Prof|M|Mme|Sr|Sra|D|Dña)\.?\s+", "", name)
    capitals = re.match(rf"^(?P<given>{_GIVEN_NAME})\s+(?P<family>.+)$", name)
    if capitals:
        return f"{capitals.group('given')} {normalise_family_name(capitals.group('family'))}"
    return name


def _quotes(lines: list[Line], is_organisation) -> list[ExtractedQuote]:
    quotes = []
    for line in lines:
        taken = []
        patterns = (_QUOTE_THEN_SPEAKER, _QUOTE_THEN_SPEAKER_INVERTED, _ACCORDING_TO_THEN_QUOTE, _SPEAKER_THEN_QUOTE)
        for pattern in patterns:
            for match in pattern.finditer(line.text):
                if any(start <= match.start("text") < end for start, end in taken):
                    continue
                name = match.group("name")
                if fold(name.split()[0]) in _NOT_GIVEN_NAMES:
                    continue
                taken.append((match.start(), match.end()))
                title = (match.group("title") or "").strip(" ,")
                organisation = title_and_organisation(title, is_organisation)[1]  # the title stays whole, as said
                quotes.append(
                    ExtractedQuote(
                        text=match.group("text").strip(" ,"),
                        speaker=_speaker(name),
                        title=title[:1].upper() + title[1:],
                        organisation=organisation,
                        source=_within(line, match.start(), match.end(), 0.8),
                    )
                )
    return sorted(quotes, key=lambda quote: quote.source.start)


# Agreements --------------------------------------------------------------------------------------------------
_AGREEMENT_KINDS = [  # written kind, Agreement.Kind value; the longest first
    (r"accords?\s+de\s+partenariat", "partnership"),
    (r"partnership\s+agreements?", "partnership"),
    (r"acuerdos?\s+de\s+(?:colaboraci[oó]n|partenariado|asociaci[oó]n)", "partnership"),
    (r"protocoles?\s+d['’]accord|m[ée]morandum|memorandum\s+of\s+understanding|memorando(?:\s+de\s+entendimiento)?"
     r"|\bmou\b", "memorandum"),
    (r"conventions?(?:\s+de\s+(?:partenariat|coop[ée]ration))?|convenios?(?:\s+de\s+colaboraci[oó]n)?",
     "convention"),
    (r"cooperation\s+agreements?|agreements?|accords?|acuerdos?", "other"),
    (r"partenariats?|partnerships?", "partnership"),
]  # fmt: skip
_SIGNING = re.compile(
    r"\b(?:sign\w*|formalis\w*|conclu\w*|firm\w*|suscri\w*|rubric\w*|entered\s+into|seal\w*)\b", re.IGNORECASE
)


def _sentences(text: str):
    start = 0
    for match in re.finditer(r"[.!?](?=\s+[A-ZÀ-Þ«“\"])|$", text):
        yield start, text[start : match.end()]
        start = match.end()


_ORGANISATION_NAME = rf"[{_UPPER}][\w'’-]*(?:\s+(?:de\s+)?[{_UPPER}][\w'’-]*){{0,3}}"
# "le clúster navarro Navarra Biomed": what a release may write before a party's name
_DESCRIPTORS = (
    r"(?:cl[uú]ster|p[oô]le|laboratoire|laboratorio|soci[ée]t[ée]|empresa|company|group[eo]?|network|r[ée]seau|red)"
)
# "Polepharma et Biocat ont signé", "Leem and BioWales signed", "Bioga y el Basque Health Cluster firman"
_SIGNING_PARTIES = re.compile(
    rf"(?:^|\b(?:le|la|l['’]|el|the)\s+|^(?:Le|La|L['’]|El|The)\s+)?(?P<first>{_ORGANISATION_NAME})\s+(?:et|and|y)\s+"
    rf"(?:(?:le|la|l['’]|el|the)\s+)?(?:{_DESCRIPTORS}\s+(?:[{_LOWER}]+\s+)?)?(?P<second>{_ORGANISATION_NAME})\s+"
    r"(?:\([^()]{1,20}\)\s+)?(?:ont\s+|have\s+|han\s+)?"
    r"(?:sign|firm|formalis|conclu|suscri|seal)",
)


def _agreement(lines, release, known_names, is_organisation, languages, headlines) -> ExtractedAgreement | None:
    """The agreement the release announces: the first sentence of the body that signs one, else the headline's."""
    body = [line for index, line in enumerate(lines[:60]) if index not in headlines]
    for line in [*body, *(lines[index] for index in headlines)]:
        if _CONTACT_HEADING.match(line.text) or _SECTION_END.match(line.text):
            continue
        for offset, sentence in _sentences(line.text):
            if not _SIGNING.search(sentence):
                continue
            for written, kind in _AGREEMENT_KINDS:
                kind_match = re.search(rf"\b(?:{written})", sentence, re.IGNORECASE)
                if not kind_match:
                    continue
                parties = _names_in(sentence, known_names)
                subject = _SIGNING_PARTIES.search(sentence)
                if subject:
                    for name in (subject.group("first"), subject.group("second")):
                        if not any(fold(name) in fold(party) or fold(party) in fold(name) for party in parties):
                            parties.append(name)
                    parties.sort(key=lambda name: fold(sentence).find(fold(name)))
                if not parties:
                    continue
                date = _agreement_date(sentence, release, languages)
                place_match = re.search(
                    rf"\b(?:à|in|en)\s+(?P<place>[{_UPPER}][{_LOWER}]+(?:[- ](?:de\s+)?[{_UPPER}][{_LOWER}]+)*)\b",
                    sentence[min(kind_match.start(), _SIGNING.search(sentence).start()) :],
                )
                place = place_match.group("place") if place_match else ""
                if place and (is_organisation(place) or fold(place) in {fold(name) for name in parties}):
                    place = ""
                agreement = ExtractedAgreement(
                    kind=kind,
                    written_kind=kind_match.group(0).lower(),
                    parties=parties,
                    date=date,
                    place=place,
                    source=_within(line, offset, offset + len(sentence), min(0.9, 0.5 + 0.1 * len(parties))),
                )
                agreement.signatories = _signatories(lines, parties)
                return agreement
    return None


_WEEKDAYS = {
    **dict.fromkeys(("lundi", "lunes", "monday"), 0), **dict.fromkeys(("mardi", "martes", "tuesday"), 1),
    **dict.fromkeys(("mercredi", "miercoles", "wednesday"), 2), **dict.fromkeys(("jeudi", "jueves", "thursday"), 3),
    **dict.fromkeys(("vendredi", "viernes", "friday"), 4), **dict.fromkeys(("samedi", "sabado", "saturday"), 5),
    **dict.fromkeys(("dimanche", "domingo", "sunday"), 6),
}  # fmt: skip


def _agreement_date(sentence, release, languages):
    found = find_date(sentence, languages)
    if found:
        return found
    if release.date is None:
        return None
    if re.search(r"\b(?:aujourd['’]hui|ce\s+jour|today|hoy)\b", sentence, re.IGNORECASE):
        return release.date
    # "ce jeudi", "este martes", "this Thursday": the day of the release when it is that day of the week.
    for match in re.finditer(r"\b(?:ce|este|this|on)\s+(\w+)", fold(sentence)):
        if _WEEKDAYS.get(match.group(1)) == release.date.weekday():
            return release.date
    day_month = re.search(rf"\b(1er|\d{{1,2}})\s+(?:de\s+)?([{_LETTER}]{{3,}})\b", sentence)
    if day_month:
        written = f"{day_month.group(1)} {day_month.group(2)} {release.date.year}"
        found = parse_date(written, languages)
        if found == release.date:
            return found
    return None


def _names_in(text: str, known_names) -> list[str]:
    """The known names written in ``text``, in the order written; where two overlap, the longer."""
    folded = fold(text)
    spans = []
    for name in sorted({name for name in known_names if name}, key=len, reverse=True):
        key = re.escape(fold(name)).replace(r"\-", r"[\s-]+").replace(r"\ ", r"[\s-]+")
        for match in re.finditer(rf"(?<![\w@./]){key}(?![\w@/])", folded):
            if any(start < match.end() and match.start() < end for start, end, _name in spans):
                continue
            spans.append((match.start(), match.end(), name))
    found = []
    for _start, _end, name in sorted(spans):
        if name not in found:
            found.append(name)
    return found


_ARTICLE = re.compile(r"^(?:[Ll]['’]\s*|(?:[Ll]es?|[Ll]a|[Tt]he|[Ee]l|[Ll]os|[Ll]as)\s+)(?=[A-Z0-9À-Þ])")


def without_article(name: str) -> str:
    """A name without the article a sentence may put before it: "le Leem", "The Basque Health Cluster", "el
    Basque Health Cluster" → "Leem", "Basque Health Cluster". Some names hold theirs ("La Poste"): the caller
    tries the name as written first."""
    return _ARTICLE.sub("", name.strip(), count=1) or name


def _signatories(lines, parties) -> list[ExtractedSignatory]:
    """People described as "Name, title of Party" in the release's body."""
    signatories = []
    pattern = re.compile(
        rf"(?P<name>{_NAME_IN_TEXT})\s*,\s*(?P<title>[^,.;«»“”\"]{{3,100}}?)(?=\s*(?:,|\.|\bet\b|\band\b|\by\b))"
    )
    for line in lines[:40]:
        if _CONTACT_HEADING.match(line.text):
            break
        for match in pattern.finditer(line.text):
            title = match.group("title").strip()
            organisations = _names_in(title, parties)
            if not organisations or fold(match.group("name").split()[0]) in _NOT_GIVEN_NAMES:
                continue
            name = _speaker(match.group("name"))
            if all(fold(s.name) != fold(name) for s in signatories):
                signatories.append(
                    ExtractedSignatory(name=name, title=title[:1].upper() + title[1:], organisation=organisations[0])
                )
    return signatories


# The release ---------------------------------------------------------------------------------------------------
def extract_release(text: str, is_organisation=lambda name: False, known_names=()) -> ExtractedRelease:
    """What ``text`` states. ``is_organisation(name)`` tells a known organisation's name; ``known_names``
    are the names to look for in the text (the organisations it names)."""
    cleaned = clean_text(text)
    lines = read_lines(cleaned)
    language, language_confidence = detect_language(" ".join(line.text for line in lines))
    languages = [language, *(other for other in LANGUAGES if other != language)]
    release = ExtractedRelease(language=language, text=cleaned)
    if lines:
        release.sources["language"] = Source(lines[0].start, lines[-1].end, language_confidence)
    dateline, release.date, release.place, date_confidence = _dateline(lines, languages)
    if dateline >= 0:
        source = lines[dateline]
        release.sources["date"] = Source(source.start, source.end, date_confidence)
        if release.place:
            release.sources["place"] = Source(source.start, source.start + len(release.place), date_confidence - 0.1)
    headings = _headings(lines, dateline)
    if headings:
        title_index = _title_index(lines, headings)
        position = headings.index(title_index)
        release.title = lines[title_index].text
        release.sources["title"] = Source(
            lines[title_index].start, lines[title_index].end, 0.9 if len(headings) == 1 else 0.7
        )
        if position > 0:
            release.kicker = lines[headings[position - 1]].text
            release.sources["kicker"] = Source(
                lines[headings[position - 1]].start, lines[headings[position - 1]].end, 0.6
            )
        if position + 1 < len(headings):
            following = lines[headings[position + 1]]
            if len(following.text) < 300 and not find_date(following.text, languages):
                release.subtitle = following.text
                release.sources["subtitle"] = Source(following.start, following.end, 0.6)

    section = ContactSection(is_organisation, language)
    inline = _inline_contacts(lines, section)
    in_block = False
    for index, line in enumerate(lines):
        if _is_contact_heading(line.text):
            in_block = True
        elif in_block and _SECTION_END.match(line.text):
            section.close_segment()
            in_block = False
        if in_block and index not in inline:
            section.read(line)
    section.close_segment()
    contacts = [contact for contact in section.contacts if contact.family_name]
    release.contacts = sorted(contacts, key=lambda contact: contact.source.start if contact.source else 0)
    release.unassigned = section.unassigned

    folded_text = f" {fold(' '.join(line.text for line in lines))} "
    named = []
    for name in known_names:
        key = fold(name)
        if len(key) >= 3 and f" {key} " in folded_text and name not in named:
            named.append(name)
    for contact in release.contacts:
        if contact.organisation and contact.organisation not in named:
            named.append(contact.organisation)
    release.organisations = named
    release.quotes = _quotes(lines, is_organisation)
    headlines = {index for index in headings if lines[index].text in (release.title, release.kicker)}
    release.agreement = _agreement(lines, release, known_names, is_organisation, languages, headlines)
    return release
