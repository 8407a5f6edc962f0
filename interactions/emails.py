"""Emails saved as ``.eml`` files (what Outlook and Thunderbird write) logged as interactions, without a mail server.

``read_email`` reads a file's sender, recipients, date, subject, text and the names of its attachments with
Python's ``email`` package, within bounds: a file that is not an email, or too large, or holding NUL characters or
absurdly long headers, raises ``EmailFileError`` with a sentence for the user. ``import_email`` logs one
interaction of kind email, linked to every person whose address it names (and their organisations); an email
already logged (the same Message-ID) is not logged twice. Attachments are never kept: only their names are read.
"""

import codecs
import email.errors
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from clusters.models import Organisation
from contacts.models import RESERVED_PERSON_SLUGS, ContactPoint, Person, Position
from contacts.normalisation import normalise_email, normalise_family_name
from core.slugs import create_with_slug

from .models import Interaction
from .services import log_interaction

# The headers of a message Outlook or Thunderbird saves take a few kilobytes (their Received, DKIM and ARC lines
# included); beyond this, the file is not an email someone received. Reading 100 KB of addresses takes 0.3 s.
MAX_HEADER_BYTES = 100 * 1024
MAX_PARTS = 500  # a message with its alternatives, inline images and attachments
MAX_TEXT_CHARACTERS = 100_000  # what an interaction keeps of a long email's text
MAX_HTML_CHARACTERS = 1_000_000  # the markup read of an HTML email: a second and a half of reading
# Message-level headers an email always has: a file whose header block names none of them is not an email.
_MAIL_HEADERS = {"from", "to", "cc", "subject", "date", "message-id", "mime-version", "received", "return-path"}
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")
_DAMAGED = (
    ValueError,
    LookupError,
    IndexError,
    AttributeError,
    TypeError,
    AssertionError,
    RecursionError,
    OverflowError,
    email.errors.MessageError,
)


class EmailFileError(ValueError):
    """The file cannot be read as an email; the message says why, for the user."""


@dataclass(frozen=True)
class Address:
    email: str  # normalised: lower case, without punctuation around it
    name: str = ""  # the display name the message gives, if any

    def __str__(self):
        return f"{self.name} <{self.email}>" if self.name else self.email


@dataclass
class ReadEmail:
    """What a file says: ``occurred_at`` is None when its Date header is missing or unreadable."""

    sender: Address
    to: list[Address]
    cc: list[Address]
    occurred_at: datetime | None
    subject: str
    message_id: str
    text: str
    attachments: list[str]
    text_cut: bool = False

    @property
    def addresses(self) -> list[Address]:
        """The sender's, then the recipients' and the copies' addresses, each once."""
        seen: dict[str, Address] = {}
        for address in [self.sender, *self.to, *self.cc]:
            if address.email not in seen or (address.name and not seen[address.email].name):
                seen[address.email] = address
        return list(seen.values())


def max_file_bytes() -> int:
    return settings.EMAIL_IMPORT_MAX_BYTES


def size_error(size: int) -> str | None:
    """Why a file of ``size`` bytes is refused unread, or None."""
    if not size:
        return _("The file is empty.")
    if size > max_file_bytes():
        return _("The file weighs %(size)s; emails over %(limit)s are refused.") % {
            "size": filesizeformat(size),
            "limit": filesizeformat(max_file_bytes()),
        }
    return None


def read_email(data: bytes) -> ReadEmail:
    """The email saved in ``data`` (the bytes of an .eml file), or ``EmailFileError`` saying why it cannot be read."""
    error = size_error(len(data))
    if error:
        raise EmailFileError(error)
    if b"\x00" in data:
        raise EmailFileError(_("This file holds NUL characters: it is not an email saved as .eml."))
    _check_header_block(data)
    _check_parts(data)
    try:
        message = BytesParser(policy=email.policy.default).parsebytes(data)
        return _read(message, fallback_id=f"<sha256-{hashlib.sha256(data).hexdigest()}@eml>")
    except EmailFileError:
        raise
    except _DAMAGED as error:
        raise EmailFileError(_("This email is damaged and cannot be read: save it again as .eml.")) from error


def _check_header_block(data: bytes) -> None:
    """The file begins with a block of headers an email has, of a reasonable length."""
    end = re.search(rb"\r?\n\r?\n", data[: MAX_HEADER_BYTES + 4])
    if end is None and len(data) > MAX_HEADER_BYTES:
        raise _headers_too_long()
    block = data[: end.start()] if end else data
    names = set()
    for number, line in enumerate(block.splitlines()):
        if number == 0 and line.startswith(b"From "):  # an mbox separator
            continue
        if line[:1] in (b" ", b"\t") and names:  # a header folded on several lines
            continue
        if not _HEADER_LINE.match(line):
            raise EmailFileError(_("This file is not an email: save the message from your mail program as .eml."))
        names.add(line.split(b":", 1)[0].decode("ascii").lower())
    if "from" not in names or not names & (_MAIL_HEADERS - {"from"}):
        raise EmailFileError(_("This file is not an email: save the message from your mail program as .eml."))


def _check_parts(data: bytes) -> None:
    """Bounds checked before parsing, which reads every part's type as it goes: a part takes about a millisecond,
    and a type's header a few microseconds a character (seconds for a megabyte)."""
    if data.count(b"\n--") > 2 * MAX_PARTS:  # each part begins with a line "--boundary"
        raise _too_many_parts()
    length = 0
    for match in _PART_TYPE.finditer(data):
        end = _HEADER_END.search(data, match.end(), match.end() + MAX_HEADER_BYTES)
        length += (end.start() if end else len(data)) - match.start()
        if length > MAX_HEADER_BYTES:
            raise _headers_too_long()


_PART_TYPE = re.compile(rb"^content-(?:type|disposition):", re.IGNORECASE | re.MULTILINE)
_HEADER_END = re.compile(rb"\r?\n(?![ \t])")


def _headers_too_long() -> EmailFileError:
    return EmailFileError(
        _("The headers of this email are longer than %(limit)s: it cannot be read.")
        % {"limit": filesizeformat(MAX_HEADER_BYTES)}
    )


def _too_many_parts() -> EmailFileError:
    return EmailFileError(_("This email holds more than %(count)s parts: it cannot be read.") % {"count": MAX_PARTS})


def _read(message: EmailMessage, *, fallback_id: str) -> ReadEmail:
    senders = _addresses(message, "from")
    if not senders:
        raise EmailFileError(_("This email names no sender that can be read."))
    for number, part in enumerate(message.walk()):
        if number >= MAX_PARTS:
            raise _too_many_parts()
        # A part's headers are read when asked for (its type, its file name): bounded as the message's are.
        if sum(len(name) + len(str(value)) for name, value in part.raw_items()) > MAX_HEADER_BYTES:
            raise _headers_too_long()
    body = message.get_body(preferencelist=("plain", "html"))
    text = _part_text(body) if body is not None else ""
    if body is not None and not text.strip():  # an empty plain part beside the HTML one
        body = message.get_body(preferencelist=("html", "plain"))
        text = _part_text(body)
    text_cut = False
    if body is not None and body.get_content_subtype() == "html":
        text_cut = len(text) > MAX_HTML_CHARACTERS
        text = html_to_text(text[:MAX_HTML_CHARACTERS])
    text = _tidy(text)
    text_cut = text_cut or len(text) > MAX_TEXT_CHARACTERS
    if text_cut:
        text = text[:MAX_TEXT_CHARACTERS].rstrip() + "\n…"
    return ReadEmail(
        sender=senders[0],
        to=_addresses(message, "to"),
        cc=_addresses(message, "cc"),
        occurred_at=_date(message),
        subject=_one_line(_header(message, "subject")),
        message_id=_one_line(_header(message, "message-id"))[:300] or fallback_id,
        text=text,
        attachments=_attachments(message, body),
        text_cut=text_cut,
    )


def _header(message: EmailMessage, name: str) -> str:
    """A header's decoded value ("" if missing): encoded words in any charset Python knows are decoded."""
    try:
        value = message.get(name)
    except _DAMAGED:
        return ""
    return str(value or "").replace("\x00", "")


_C1 = re.compile("[\x80-\x9f]")


def _one_line(value: str) -> str:
    """``value`` on one line. Outlook labels windows-1252 text ISO-8859-1 in headers too: the control characters
    that would leave ("\\x96") are read as windows-1252 (an en dash)."""
    value = _C1.sub(lambda match: match.group().encode("latin-1").decode("windows-1252", errors="replace"), value)
    return " ".join(value.replace("\x00", "").split())


def _addresses(message: EmailMessage, name: str) -> list[Address]:
    """The valid addresses of every ``name`` header (To may be repeated), in order, each once."""
    found: dict[str, Address] = {}
    try:
        headers = message.get_all(name) or []
    except _DAMAGED:
        return []
    for header in headers:
        try:
            addresses = header.addresses
        except _DAMAGED:
            continue
        for address in addresses:
            value = normalise_email(address.addr_spec or "")
            try:
                validate_email(value)
            except ValidationError:
                continue
            if value not in found:
                found[value] = Address(email=value, name=_one_line(address.display_name or "").strip("'\" "))
    return list(found.values())


def _date(message: EmailMessage) -> datetime | None:
    try:
        header = message.get("date")
        when = getattr(header, "datetime", None)
    except _DAMAGED:
        return None
    if when is None:
        return None
    if timezone.is_naive(when):  # "-0000": a time in UTC whose sender's zone is unknown
        when = when.replace(tzinfo=UTC)
    try:
        when.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return when


# Charsets declared by mistake: Outlook writes windows-1252 characters (€, curly quotes) in parts it labels
# ISO-8859-1, as browsers assume too.
_CHARSET_ALIASES = {"iso-8859-1": "windows-1252", "latin-1": "windows-1252", "us-ascii": "utf-8", "ascii": "utf-8"}


def _part_text(part: EmailMessage) -> str:
    """A text part's content, decoded from its transfer encoding (quoted-printable, base64) and from the charset it
    declares; bytes that charset cannot read are replaced."""
    payload = part.get_payload(decode=True) or b""
    charset = (part.get_content_charset() or "").lower()
    try:
        codec = codecs.lookup(_CHARSET_ALIASES.get(charset, charset)).name if charset else ""
    except LookupError:
        codec = ""
    text = None
    if not codec:  # none declared or unknown: UTF-8 if it is, else what Windows writes
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            codec = "windows-1252"
    if text is None:
        try:
            text = payload.decode(codec, errors="replace")
        except LookupError:  # a codec that is not a text encoding ("rot13", "base64")
            text = payload.decode("utf-8", errors="replace")
    if (part.get_param("format") or "").lower() == "flowed":
        text = _unflowed(text, delete_space=(part.get_param("delsp") or "").lower() == "yes")
    return text


def _unflowed(text: str, *, delete_space: bool) -> str:
    """Text sent as format=flowed (RFC 3676, what Thunderbird sends) with its soft line breaks joined: a line ending
    with a space goes on with the next one, except the signature's separator."""
    lines: list[str] = []
    joining = False
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith(" "):  # space-stuffed
            line = line[1:]
        if joining:
            lines[-1] += line
        else:
            lines.append(line)
        joining = line.endswith(" ") and line != "-- "
        if joining and delete_space:
            lines[-1] = lines[-1][:-1]
    return "\n".join(lines)


def _tidy(text: str) -> str:
    """Lines without trailing spaces, at most one blank line in a row, no NUL (the database refuses it)."""
    lines = [line.rstrip() for line in text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    tidied: list[str] = []
    for line in lines:
        if line or (tidied and tidied[-1]):
            tidied.append(line)
    return "\n".join(tidied).strip()


def _attachments(message: EmailMessage, body: EmailMessage | None) -> list[str]:
    """The names of the files the email carries (attached, or shown inline such as a signature's logo)."""
    names = []
    for part in message.walk():
        if part is body or (part.is_multipart() and part.get_content_type() != "message/rfc822"):
            continue
        filename = part.get_filename()
        if filename or part.get_content_disposition() == "attachment":
            names.append(_one_line(filename or "") or _("unnamed attachment"))
    return names


# HTML: the visible text, a line per block.

_BLOCKS = {
    "address", "article", "blockquote", "br", "div", "dl", "dt", "dd", "footer", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hr", "li", "ol", "p", "pre", "section", "table", "tr", "ul",
}  # fmt: skip
_HIDDEN = {"head", "script", "style", "title", "template", "noscript"}


class _VisibleText(HTMLParser):
    """Reads markup as a stream (however deep its tags nest): text outside scripts and styles, a line break at
    each block; character references decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.chunks.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCKS:
            self.chunks.append("\n")

    def handle_endtag(self, tag):
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS and tag != "br":
            self.chunks.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.chunks.append(re.sub(r"\s+", " ", data))


def html_to_text(markup: str) -> str:
    """The text an HTML email shows, as plain text: no tag, no script, a line per paragraph."""
    reader = _VisibleText()
    reader.feed(markup)
    reader.close()
    return "\n".join(" ".join(line.split()) for line in "".join(reader.chunks).split("\n"))


def names_of(address: Address) -> tuple[str, str]:
    """(given name, family name) guessed from an address's display name ("Jean DUPONT", "Dupont, Jean"), else from
    the address itself ("jean.dupont@…"): a starting point for staff to correct."""
    name = address.name if "@" not in address.name else ""
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return given, normalise_family_name(family)
    words = name.split()
    if not words:
        local = address.email.split("@", 1)[0]
        words = [word.capitalize() for word in re.split(r"[._-]+", local) if word.isalpha()]
    if not words:
        return "", ""
    capitals = [word for word in words if word.isupper() and len(word) > 1]
    if capitals and len(capitals) < len(words):  # "Jean DUPONT", "DUPONT Jean": the family name is in capitals
        given = " ".join(word for word in words if word not in capitals)
        return given, normalise_family_name(" ".join(capitals))
    if len(words) == 1:
        return "", normalise_family_name(words[0])
    return " ".join(words[:-1]), normalise_family_name(words[-1])


# Logging an email as an interaction.


@dataclass
class EmailImport:
    """What became of one file: the interaction logged, or the one already logged from the same email, or the error
    that stopped it. ``unknown`` are the addresses that belong to no one; ``date_from_upload`` tells that the
    email had no readable date and the upload's time was used."""

    file_name: str
    interaction: Interaction | None = None
    already_logged: Interaction | None = None
    error: str = ""
    unknown: list[Address] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    date_from_upload: bool = False
    text_cut: bool = False


def our_addresses(addresses: list[str]) -> set[str]:
    """Those of ``addresses`` (normalised) that are ours: a user's address, or one at our organisation's domains."""
    domains = {domain.lower().lstrip("@") for domain in settings.EMAIL_IMPORT_OUR_DOMAINS}
    ours = {address for address in addresses if address.rsplit("@", 1)[-1] in domains}
    ours |= set(
        get_user_model()
        .objects.annotate(address=Lower("email"))
        .filter(address__in=addresses)
        .values_list("address", flat=True)
    )
    return ours


def people_by_address(addresses: list[str]) -> dict[str, list[Person]]:
    """{address: the people who have it}, for those of ``addresses`` (normalised) that someone has."""
    found: dict[str, list[Person]] = {}
    points = ContactPoint.objects.filter(medium=ContactPoint.Medium.EMAIL, email__in=addresses).select_related("person")
    for point in points.order_by("person__family_name", "person__given_name", "pk"):
        found.setdefault(point.email, []).append(point.person)
    return found


def organisations_of(people) -> list[Organisation]:
    """The organisations where ``people`` hold a position today."""
    keys = Position.objects.current().filter(person__in=people).values("organisation")
    return list(Organisation.objects.filter(pk__in=keys))


def header_summary(read: ReadEmail) -> str:
    """The lines put above an email's text in the interaction: who wrote to whom, and the attachments not kept."""
    lines = [_("From: %(addresses)s") % {"addresses": read.sender}]
    if read.to:
        lines.append(_("To: %(addresses)s") % {"addresses": ", ".join(map(str, read.to))})
    if read.cc:
        lines.append(_("Cc: %(addresses)s") % {"addresses": ", ".join(map(str, read.cc))})
    if read.attachments:
        lines.append(_("Attachments not kept: %(names)s") % {"names": ", ".join(read.attachments)})
    return "\n".join(lines)


def import_email(*, data: bytes, file_name: str, user, person: Person | None = None) -> EmailImport:
    """Log the email saved in ``data`` as an interaction of kind email, by ``user``, linked to the people whose
    addresses it names (sender, recipients, copies), to ``person`` (the page it was dropped on) and to their
    organisations. Nothing is written when the file cannot be read or the email is already logged."""
    result = EmailImport(file_name=file_name)
    try:
        read = read_email(data)
    except EmailFileError as error:
        result.error = str(error)
        return result
    result.attachments, result.text_cut = read.attachments, read.text_cut
    result.already_logged = Interaction.objects.filter(message_id=read.message_id).first()
    if result.already_logged:
        return result

    addresses = [address.email for address in read.addresses]
    ours = our_addresses(addresses)
    owners = people_by_address([address for address in addresses if address not in ours])
    people = {someone.pk: someone for found in owners.values() for someone in found}
    if person is not None:
        people.setdefault(person.pk, person)
    result.unknown = [address for address in read.addresses if address.email not in ours | owners.keys()]
    result.date_from_upload = read.occurred_at is None
    summary = header_summary(read)
    try:
        with transaction.atomic():
            result.interaction = log_interaction(
                kind=Interaction.Kind.EMAIL,
                direction=Interaction.Direction.OUTBOUND
                if read.sender.email in ours
                else Interaction.Direction.INBOUND,
                logged_by=user,
                people=people.values(),
                organisations=organisations_of(list(people)),
                occurred_at=read.occurred_at or timezone.now(),
                subject=read.subject[:300],
                text=f"{summary}\n\n{read.text}" if read.text else summary,
                message_id=read.message_id,
            )
    except (ValidationError, IntegrityError) as error:
        # Most likely logged meanwhile by another upload of the same email.
        result.already_logged = Interaction.objects.filter(message_id=read.message_id).first()
        if result.already_logged is None:
            messages = getattr(error, "messages", None)
            result.error = " ".join(messages) if messages else _("This email could not be logged.")
        result.unknown = []
    return result


@transaction.atomic
def link_person_by_address(
    *, interaction: Interaction, email: str, given_name: str = "", family_name: str = ""
) -> tuple[Person, bool]:
    """Link to ``interaction`` the person who has the address ``email``, and their organisations; if no one has it,
    a new person with that name and address (created: the second value is True)."""
    email = normalise_email(email)
    owners = people_by_address([email]).get(email)
    created = not owners
    if owners:
        person = owners[0]
    else:
        fields = {
            "given_name": given_name,
            "family_name": family_name,
            "data_source": Person.DataSource.MANUAL,
            "source_detail": (_("Email “%(subject)s”") % {"subject": interaction.subject})[:300],
        }
        Person(**fields).full_clean(exclude=["slug"])
        person = create_with_slug(
            Person,
            f"{given_name} {family_name}",
            max_length=100,
            fallback="personne",
            reserved=frozenset(RESERVED_PERSON_SLUGS),
            **fields,
        )
        point = ContactPoint(person=person, medium=ContactPoint.Medium.EMAIL, email=email, is_primary=True)
        point.full_clean()
        point.save()
    interaction.people.add(person)
    organisations = organisations_of([person.pk])
    if organisations:
        interaction.organisations.add(*organisations)
    return person, created
