"""Contact exports: CSV, XLSX and vCard, logged, safe to open in a spreadsheet.

Every export goes through ``export_people``: the directory page (and the invitation and cluster member
exports, which are directory searches), a contact list, the API and the admin action. It leaves out the
people who asked not to be contacted, whatever the caller asked for, and says how many in the
``X-Left-Out-Do-Not-Contact`` header. Up to ``EXPORT_DIRECT_MAX_ROWS`` people, it writes an ``ExportLog`` row
(who, when, which filters, how many rows) and answers the file at once, streamed. Beyond, the file is written
by a worker (``contacts.tasks.export_people_file``), and the answer is a ``303 See Other`` to the job's page,
where the person follows its progress and downloads the file once it is complete; the download is logged.
"""

import tempfile
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import vobject
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Count, Q, TextField
from django.db.models.functions import Cast
from django.http import FileResponse, QueryDict, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from core import spreadsheets
from core.views import see_other
from jobs.models import Job
from jobs.services import JobFailed, JobOutcome, start_job

from .models import ContactPoint, ExportLog, Position, PressContact
from .phones import international_format

CHUNK_SIZE = 2000
# The files an export can be; JSON is what the API's lists and the subject-access answer are logged as.
FILE_FORMATS = [ExportLog.Format.CSV, ExportLog.Format.XLSX, ExportLog.Format.VCARD]


@dataclass(frozen=True)
class ExportRow:
    person_id: int
    updated_at: datetime | None
    given_name: str
    family_name: str
    organisation: str
    title: str
    emails: list[tuple[str, str, bool]]  # (address, kind, preferred), the preferred first
    phones: list[tuple[str, str, bool]]  # (international format, kind, preferred), the preferred first

    def cells(self) -> list[str]:
        return [
            self.given_name,
            self.family_name,
            self.organisation,
            self.title,
            self.emails[0][0] if self.emails else "",
            "; ".join(email for email, _kind, _preferred in self.emails[1:]),
            self.phones[0][0] if self.phones else "",
            "; ".join(number for number, _kind, _preferred in self.phones[1:]),
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
    people = people.prefetch_related(None).values_list("pk", "given_name", "family_name", "updated_at")
    batch: list[tuple] = []
    for person in people.iterator(chunk_size=CHUNK_SIZE):
        batch.append(person)
        if len(batch) == CHUNK_SIZE:
            yield from _batch_rows(batch)
            batch = []
    yield from _batch_rows(batch)


def _batch_rows(batch: list[tuple]) -> Iterator[ExportRow]:
    if not batch:
        return
    ids = [person[0] for person in batch]
    # What a directory row shows: the primary current position first, else the first press role by name.
    positions: dict[int, tuple[str, str]] = {}
    current = Position.objects.current().filter(person_id__in=ids).order_by("person_id", "-is_primary", "pk")
    for person_id, organisation, title in current.values_list("person_id", "organisation__name", "title"):
        positions.setdefault(person_id, (organisation, title))
    press: dict[int, str] = {}
    roles = PressContact.objects.filter(person_id__in=ids).order_by("person_id", "organisation__name")
    for person_id, organisation in roles.values_list("person_id", "organisation__name"):
        press.setdefault(person_id, organisation)
    emails: dict[int, list[tuple[str, str, bool]]] = {}
    phones: dict[int, list[tuple[str, str, bool]]] = {}
    # The phone as stored (E.164 text): a PhoneNumberField would parse every number into an object first.
    points = (
        ContactPoint.objects.filter(person_id__in=ids)
        .order_by("person_id", "medium", "-is_primary", "pk")
        .values_list("person_id", "medium", "email", Cast("phone", TextField()), "kind", "is_primary")
    )
    for person_id, medium, email, phone, kind, is_primary in points:
        if medium == ContactPoint.Medium.EMAIL:
            emails.setdefault(person_id, []).append((email, kind, is_primary))
        elif phone:
            phones.setdefault(person_id, []).append((international_format(phone), kind, is_primary))
    for pk, given_name, family_name, updated_at in batch:
        organisation, title = positions.get(pk) or (press.get(pk, ""), "")
        yield ExportRow(
            person_id=pk,
            updated_at=updated_at,
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
    ContactPoint.Kind.SWITCHBOARD: ["WORK", "VOICE"],
    ContactPoint.Kind.PERSONAL: ["HOME", "VOICE"],
}
# The namespace of the people's vCard UIDs: one UID per person, whatever the export, so that a phone or a mail
# client importing a second export updates the cards of the first instead of adding everyone again.
VCARD_UID_NAMESPACE = uuid.UUID("0b9c3f8e-6d1a-5c4e-9a57-3f1e2d8c7b60")


def vcard_uid(person_id: int) -> str:
    return f"urn:uuid:{uuid.uuid5(VCARD_UID_NAMESPACE, f'person:{person_id}')}"


def vcard(row: ExportRow) -> str:
    card = vobject.vCard()
    card.add("uid").value = vcard_uid(row.person_id)
    if row.updated_at is not None:
        card.add("rev").value = row.updated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    card.add("n").value = vobject.vcard.Name(family=row.family_name, given=row.given_name)
    card.add("fn").value = " ".join(part for part in (row.given_name, row.family_name) if part)
    if row.organisation:
        card.add("org").value = [row.organisation]
    if row.title:
        card.add("title").value = row.title
    for email, kind, preferred in row.emails:
        line = card.add("email")
        line.value = email
        where = "HOME" if kind == ContactPoint.Kind.PERSONAL else "WORK"
        line.params["TYPE"] = ["INTERNET", where] + (["PREF"] if preferred else [])
    for number, kind, preferred in row.phones:
        line = card.add("tel")
        line.value = number
        line.params["TYPE"] = _VCARD_PHONE_TYPES.get(kind, ["WORK", "VOICE"]) + (["PREF"] if preferred else [])
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


def export_people(*, people, export_format: str, user, origin: str, filters: dict, source: dict):
    """Answer the export of ``people`` (from ``Person.objects.directory()``): the file itself, streamed, up to
    ``EXPORT_DIRECT_MAX_ROWS`` people, else a 303 to the page of the job that writes it. Those who asked not
    to be contacted are left out, always, and counted in the ``LEFT_OUT_HEADER``.

    ``source`` says how a worker finds the same people again: ``{"query": {filter: [values]}}``, the
    directory's filters (``PersonExportFilterSet``), or ``{"ids": [pk, …]}`` in the export's order; or a
    function returning it, called only if a job is needed.

    The request of a large export only records the job: whether there are more people than the limit is asked
    with a LIMIT (counting a million matches takes a second); the job counts them, and the people it leaves out,
    and its page says both."""
    if export_format not in FILE_FORMATS:
        raise ValueError(f"Unknown export format: {export_format!r}")
    limit = settings.EXPORT_DIRECT_MAX_ROWS
    if people.contactable().order_by()[: limit + 1].count() > limit:
        job = start_export_job(
            user=user,
            export_format=export_format,
            origin=origin,
            filters=filters,
            source=source() if callable(source) else source,
        )
        url = reverse("api:job-detail", args=[job.pk]) if origin == ExportLog.Origin.API else job.get_absolute_url()
        return see_other(url)
    counts = people.aggregate(matching=Count("pk"), left_out=Count("pk", filter=Q(do_not_contact=True)))
    left_out = counts["left_out"]
    row_count = counts["matching"] - left_out
    people = people.contactable()
    log_export(user=user, export_format=export_format, origin=origin, filters=filters, row_count=row_count)
    if export_format == ExportLog.Format.XLSX:
        response = FileResponse(
            xlsx_file(rows(people)),
            as_attachment=True,
            filename=export_filename("xlsx"),
            content_type=spreadsheets.XLSX_CONTENT_TYPE,
        )
        response[LEFT_OUT_HEADER] = str(left_out)
        return response
    response = StreamingHttpResponse(_chunks(export_format, rows(people)), content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = f'attachment; filename="{export_filename(export_format)}"'
    response[LEFT_OUT_HEADER] = str(left_out)
    return response


CONTENT_TYPES = {
    ExportLog.Format.CSV: "text/csv; charset=utf-8",
    ExportLog.Format.XLSX: spreadsheets.XLSX_CONTENT_TYPE,
    ExportLog.Format.VCARD: "text/vcard; charset=utf-8",
}


def _chunks(export_format: str, export_rows: Iterable[ExportRow]) -> Iterator[bytes]:
    if export_format == ExportLog.Format.CSV:
        return csv_chunks(export_rows)
    return vcard_chunks(export_rows)


def query_source(filterset) -> dict:
    """The ``source`` of an export chosen by the directory's filters: the filterset's data, as lists."""
    return {"query": {key: list(values) for key, values in filterset.data.lists() if key in filterset.filters}}


def start_export_job(*, user, export_format: str, origin: str, filters: dict, source: dict) -> Job:
    from .tasks import export_people_file

    return start_job(
        task_function=export_people_file,
        kind=Job.Kind.EXPORT,
        title=_("%(format)s export — %(origin)s")
        % {"format": ExportLog.Format(export_format).label, "origin": ExportLog.Origin(origin).label},
        owner=user,
        params={
            "format": export_format,
            "origin": origin,
            "filters": filters,
            "source": source,
            "permission": "contacts.export_contacts",
        },
    )


def people_of(source: dict):
    """The people an export job writes, from its ``source`` (``export_people``), in their order: a queryset,
    or for a list of ids, one queryset per batch of ids."""
    from .filters import PersonExportFilterSet
    from .models import Person

    if "ids" in source:
        ids = source["ids"]
        return [
            Person.objects.directory().filter(pk__in=ids[start : start + CHUNK_SIZE])
            for start in range(0, len(ids), CHUNK_SIZE)
        ]
    query = QueryDict(mutable=True)
    for key, values in source.get("query", {}).items():
        query.setlist(key, values)
    filterset = PersonExportFilterSet(query, queryset=Person.objects.directory())
    if not filterset.is_valid():
        raise JobFailed(_("The filters of this export are no longer valid: search again and export."))
    return [filterset.qs]


def write_export_file(job: Job, progress) -> JobOutcome:
    """The export job's work (``contacts.tasks.export_people_file``): the file written to a temporary file as
    the rows come, reporting progress, then saved into the storage under the job's folder. Complete, or
    nothing: the job offers the file only once this returns."""
    owner = job.owner
    if owner is None or not owner.is_active or not owner.has_perm("contacts.export_contacts"):
        raise JobFailed(_("The person who asked for this export may no longer export contacts."))
    export_format = job.params["format"]
    chosen = people_of(job.params["source"])
    left_out = sum(people.filter(do_not_contact=True).count() for people in chosen)
    querysets = [people.contactable() for people in chosen]
    total = sum(people.count() for people in querysets)
    progress.update(0, total=total, force=True)
    written = 0

    def counted(export_rows: Iterable[ExportRow]) -> Iterator[ExportRow]:
        nonlocal written
        for row in export_rows:
            yield row
            written += 1
            if written % 250 == 0:
                progress.update(written)

    all_rows = counted(row for people in querysets for row in rows(people))
    file_name = export_filename(export_format)
    if export_format == ExportLog.Format.XLSX:
        output = xlsx_file(all_rows)
    else:
        output = tempfile.TemporaryFile()
        for chunk in _chunks(export_format, all_rows):
            output.write(chunk)
        output.seek(0)
    with output:
        progress.update(written, force=True)
        if erased_since(job.started_at):
            # Rows read before an erasure committed may hold the person erased, and the erasure looked for
            # them in the stored files before this one existed: the job starts again, after it.
            raise ErasedMeanwhile
        stored = default_storage.save(job.file_path(file_name), File(output, name=file_name))
    if erased_since(job.started_at):
        default_storage.delete(stored)
        raise ErasedMeanwhile
    return JobOutcome(
        rows=written,
        file=stored,
        file_name=file_name,
        content_type=CONTENT_TYPES[export_format],
        result={"format": export_format, "left_out": left_out},
    )


class ErasedMeanwhile(Exception):
    """A person's data was erased while the export was written: the job is tried again (jobs.services)."""


def erased_since(moment) -> bool:
    from .models import Erasure

    return moment is not None and Erasure.objects.filter(erased_at__gte=moment).exists()


def log_download(job: Job, user) -> ExportLog | None:
    """A download of an export job's file is an export: logged as one, with the job's filters and row count."""
    if job.kind != Job.Kind.EXPORT:
        return None
    return log_export(
        user=user,
        export_format=job.params.get("format", ""),
        origin=job.params.get("origin", ""),
        filters={**job.params.get("filters", {}), "job": job.pk},
        row_count=job.rows,
    )
