"""Contact exports: CSV, XLSX and vCard, streamed, logged, safe to open in a spreadsheet.

Every export goes through ``export_people``: the directory page (and the invitation and cluster member
exports, which are directory searches), a contact list, the API and the admin action. It leaves out the
people who asked not to be contacted, whatever the caller asked for, and says how many in the
``X-Left-Out-Do-Not-Contact`` header. It writes an ``ExportLog`` row (who, when, which filters, how many rows),
then streams the people in chunks so that memory stays flat however many rows there are.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import phonenumbers
import vobject
from django.db.models import Count, Q
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from crm import spreadsheets

from .models import ContactPoint, ExportLog

CHUNK_SIZE = 1000


@dataclass(frozen=True)
class ExportRow:
    given_name: str
    family_name: str
    organisation: str
    title: str
    emails: list[str]
    phones: list[tuple[str, str]]  # (international format, kind)

    @classmethod
    def from_person(cls, person) -> "ExportRow":
        """From a person fetched with ``Person.objects.directory()``: no query of its own."""
        position = person.current_positions[0] if person.current_positions else None
        press_roles = list(person.press_roles.all())
        if position:
            organisation = position.organisation.name
        elif press_roles:
            organisation = press_roles[0].organisation.name
        else:
            organisation = ""
        points = list(person.contact_points.all())
        return cls(
            given_name=person.given_name,
            family_name=person.family_name,
            organisation=organisation,
            title=position.title if position else "",
            emails=[point.email for point in points if point.medium == ContactPoint.Medium.EMAIL],
            phones=[
                (phonenumbers.format_number(point.phone, phonenumbers.PhoneNumberFormat.INTERNATIONAL), point.kind)
                for point in points
                if point.medium == ContactPoint.Medium.PHONE and point.phone
            ],
        )

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
    for person in people.iterator(chunk_size=CHUNK_SIZE):
        yield ExportRow.from_person(person)


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


def export_people(*, people, export_format: str, user, origin: str, filters: dict):
    """Log the export, then answer with the file, streamed. ``people`` comes from ``Person.objects.directory()``;
    those of them who asked not to be contacted are left out, always, and counted in the ``LEFT_OUT_HEADER``."""
    counts = people.aggregate(matching=Count("pk"), left_out=Count("pk", filter=Q(do_not_contact=True)))
    left_out = counts["left_out"]
    people = people.contactable()
    ExportLog.objects.create(
        user=user,
        username=user.get_username(),
        export_format=export_format,
        origin=origin,
        filters=filters,
        row_count=counts["matching"] - left_out,
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
