"""Contact exports: CSV, XLSX and vCard, streamed, logged, safe to open in a spreadsheet.

Every export goes through ``export_people``: the directory page (and the invitation and cluster member
exports, which are directory searches), a contact list, the API and the admin action. It leaves out the
people who asked not to be contacted, whatever the caller asked for, and says how many in the
``X-Left-Out-Do-Not-Contact`` header. It writes an ``ExportLog`` row (who, when, which filters, how many rows),
then streams the people in chunks so that memory stays flat however many rows there are.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import vobject
from django.db.models import Count, Q, TextField
from django.db.models.functions import Cast
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from core import spreadsheets

from .models import ContactPoint, ExportLog, Position, PressContact
from .phones import international_format

CHUNK_SIZE = 2000
# The files an export can be; JSON is what the API's lists and the subject-access answer are logged as.
FILE_FORMATS = [ExportLog.Format.CSV, ExportLog.Format.XLSX, ExportLog.Format.VCARD]


@dataclass(frozen=True)
class ExportRow:
    given_name: str
    family_name: str
    organisation: str
    title: str
    emails: list[str]
    phones: list[tuple[str, str]]  # (international format, kind)

    def cells(self) -> list[str]:
        return [
            self.given_name,
            self.family_name,
            self.organisation,
            self.title,
            self.emails[0] if self.emails else "",
            "; ".join(self.emails[1:]),
            self.phones[0][0] if self.phones else "",
            "; ".join(number for number, _kind in self.phones[1:]),
        ]


def header() -> list[str]:
    return [
        _("Given name"),
        _("Family name"),
        _("Organisation"),
        _("Job title"),
        _("Email"),
        _("Other emails"),
        _("Phone"),
        _("Other phones"),
    ]


def rows(people) -> Iterator[ExportRow]:
    """The export's rows for ``people`` (a queryset of people, in its own order), read as plain values, not model
    instances: 2 000 people at a time, then their current positions, press roles and contact points in one
    query each. A million people stream at a steady, small memory (docs/benchmarks.md)."""
    people = people.prefetch_related(None).values_list("pk", "given_name", "family_name")
    batch: list[tuple[int, str, str]] = []
    for person in people.iterator(chunk_size=CHUNK_SIZE):
        batch.append(person)
        if len(batch) == CHUNK_SIZE:
            yield from _batch_rows(batch)
            batch = []
    yield from _batch_rows(batch)


def _batch_rows(batch: list[tuple[int, str, str]]) -> Iterator[ExportRow]:
    if not batch:
        return
    ids = [pk for pk, _given, _family in batch]
    # What a directory row shows: the primary current position first, else the first press role by name.
    positions: dict[int, tuple[str, str]] = {}
    current = Position.objects.current().filter(person_id__in=ids).order_by("person_id", "-is_primary", "pk")
    for person_id, organisation, title in current.values_list("person_id", "organisation__name", "title"):
        positions.setdefault(person_id, (organisation, title))
    press: dict[int, str] = {}
    roles = PressContact.objects.filter(person_id__in=ids).order_by("person_id", "organisation__name")
    for person_id, organisation in roles.values_list("person_id", "organisation__name"):
        press.setdefault(person_id, organisation)
    emails: dict[int, list[str]] = {}
    phones: dict[int, list[tuple[str, str]]] = {}
    # The phone as stored (E.164 text): a PhoneNumberField would parse every number into an object first.
    points = (
        ContactPoint.objects.filter(person_id__in=ids)
        .order_by("person_id", "medium", "-is_primary", "pk")
        .values_list("person_id", "medium", "email", Cast("phone", TextField()), "kind")
    )
    for person_id, medium, email, phone, kind in points:
        if medium == ContactPoint.Medium.EMAIL:
            emails.setdefault(person_id, []).append(email)
        elif phone:
            phones.setdefault(person_id, []).append((international_format(phone), kind))
    for pk, given_name, family_name in batch:
        organisation, title = positions.get(pk) or (press.get(pk, ""), "")
        yield ExportRow(
            given_name=given_name,
            family_name=family_name,
            organisation=organisation,
            title=title,
            emails=emails.get(pk, []),
            phones=phones.get(pk, []),
        )


def csv_chunks(export_rows: Iterable[ExportRow]) -> Iterator[bytes]:
    return spreadsheets.csv_chunks(header(), (row.cells() for row in export_rows))


def xlsx_file(export_rows: Iterable[ExportRow]):
    return spreadsheets.xlsx_file(_("Contacts"), header(), (row.cells() for row in export_rows))


_VCARD_PHONE_TYPES = {
    ContactPoint.Kind.MOBILE: ["CELL", "VOICE"],
    ContactPoint.Kind.SWITCHBOARD: ["WORK", "VOICE", "PREF"],
    ContactPoint.Kind.PERSONAL: ["HOME", "VOICE"],
}


def vcard(row: ExportRow) -> str:
    card = vobject.vCard()
    card.add("n").value = vobject.vcard.Name(family=row.family_name, given=row.given_name)
    card.add("fn").value = " ".join(part for part in (row.given_name, row.family_name) if part)
    if row.organisation:
        card.add("org").value = [row.organisation]
    if row.title:
        card.add("title").value = row.title
    for index, email in enumerate(row.emails):
        line = card.add("email")
        line.value = email
        line.params["TYPE"] = ["INTERNET", "WORK"] + (["PREF"] if index == 0 else [])
    for number, kind in row.phones:
        line = card.add("tel")
        line.value = number
        line.params["TYPE"] = _VCARD_PHONE_TYPES.get(kind, ["WORK", "VOICE"])
    return card.serialize()


def vcard_chunks(export_rows: Iterable[ExportRow]) -> Iterator[bytes]:
    for row in export_rows:
        yield vcard(row).encode()


def export_filename(extension: str) -> str:
    return spreadsheets.timestamped_filename("contacts", extension)


LEFT_OUT_HEADER = "X-Left-Out-Do-Not-Contact"


def log_export(*, user, export_format: str, origin: str, filters: dict, row_count: int) -> ExportLog:
    """Who took which people's contact details out of the CRM, when, chosen how, and how many."""
    return ExportLog.objects.create(
        user=user,
        username=user.get_username(),
        export_format=export_format,
        origin=origin,
        filters=filters,
        row_count=row_count,
    )


def export_people(*, people, export_format: str, user, origin: str, filters: dict):
    """Log the export, then answer with the file, streamed. ``people`` comes from ``Person.objects.directory()``;
    those of them who asked not to be contacted are left out, always, and counted in the ``LEFT_OUT_HEADER``."""
    counts = people.aggregate(matching=Count("pk"), left_out=Count("pk", filter=Q(do_not_contact=True)))
    left_out = counts["left_out"]
    people = people.contactable()
    log_export(
        user=user, export_format=export_format, origin=origin, filters=filters, row_count=counts["matching"] - left_out
    )
    if export_format == ExportLog.Format.CSV:
        response = StreamingHttpResponse(csv_chunks(rows(people)), content_type="text/csv; charset=utf-8")
    elif export_format == ExportLog.Format.XLSX:
        response = FileResponse(
            xlsx_file(rows(people)),
            as_attachment=True,
            filename=export_filename("xlsx"),
            content_type=spreadsheets.XLSX_CONTENT_TYPE,
        )
        response[LEFT_OUT_HEADER] = str(left_out)
        return response
    elif export_format == ExportLog.Format.VCARD:
        response = StreamingHttpResponse(vcard_chunks(rows(people)), content_type="text/vcard; charset=utf-8")
    else:
        raise ValueError(f"Unknown export format: {export_format!r}")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(export_format)}"'
    response[LEFT_OUT_HEADER] = str(left_out)
    return response
