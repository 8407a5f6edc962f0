"""Contact exports: CSV, XLSX and vCard, logged, safe to open in a spreadsheet.

Every export goes through ``export_people``: the directory page (and the invitation and cluster member
exports, which are directory searches), a contact list, the API and the admin action. It leaves out the
people who asked not to be contacted, whatever the caller asked for, and says how many in the
``X-Left-Out-Do-Not-Contact`` header; only a superuser's full export from the back office holds them, for a
complete round trip of the data. Up to ``EXPORT_DIRECT_MAX_ROWS`` people, it writes an ``ExportLog`` row
(who, when, which filters, how many rows) and answers the file at once, streamed. Beyond, the file is written
by a worker (``contacts.tasks.export_people_file``), and the answer is a ``303 See Other`` to the job's page,
where the person follows its progress and downloads the file once it is complete; the download is logged.
"""

import tempfile
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import vobject
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Count, F, Q, TextField
from django.db.models.functions import Cast
from django.http import FileResponse, QueryDict, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_countries import countries

from clusters.models import Organisation
from core import spreadsheets
from core.views import see_other
from jobs.models import Job
from jobs.services import JobFailed, JobOutcome, start_job

from . import export_lines
from .models import ContactPoint, ExportLog, Person, Position, PressContact
from .phones import international_format

CHUNK_SIZE = 2000
# The files an export can be; JSON is what the API's lists and the subject-access answer are logged as.
FILE_FORMATS = [ExportLog.Format.CSV, ExportLog.Format.XLSX, ExportLog.Format.VCARD]


@dataclass(frozen=True)
class Reachable:
    """An email address or a phone number, as an export writes it: ``value``, or ``value (label)``."""

    value: str
    kind: str
    preferred: bool
    label: str = ""

    def cell(self) -> str:
        return f"{self.value} ({self.label})" if self.label else self.value


@dataclass(frozen=True)
class HeldPosition:
    """A position, as ``Title (organisation-slug, 2021-03-01/2024-06-30, *)``: the dates when known, ``*`` on
    the primary position. Read from the right, so the title may hold anything but a line break."""

    title: str
    organisation: str  # slug
    started_on: date | None = None
    ended_on: date | None = None
    primary: bool = False

    def cell(self) -> str:
        parts = [self.organisation]
        if self.started_on or self.ended_on:
            parts.append(f"{_iso(self.started_on)}/{_iso(self.ended_on)}")
        if self.primary:
            parts.append("*")
        return f"{single_line(self.title)} ({', '.join(parts)})"


@dataclass(frozen=True)
class PressRole:
    """A press-contact role, as ``organisation-slug`` or ``organisation-slug (2021-03-01/)``."""

    organisation: str  # slug
    started_on: date | None = None
    ended_on: date | None = None

    def cell(self) -> str:
        if self.started_on or self.ended_on:
            return f"{self.organisation} ({_iso(self.started_on)}/{_iso(self.ended_on)})"
        return self.organisation


@dataclass(frozen=True)
class ExportRow:
    """One person as an export writes them: everything a person has that an import needs to bring them back
    (``contacts.imports`` reads every column; docs/import-export.md describes the layout)."""

    person_id: int
    updated_at: datetime | None
    slug: str
    given_name: str
    family_name: str
    organisation: str  # the organisation and title a directory row shows
    title: str
    emails: list[Reachable]  # the preferred first
    phones: list[Reachable]  # in international format, the preferred first
    positions: list[HeldPosition] = field(default_factory=list)  # the primary first
    press_roles: list[PressRole] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    do_not_contact: bool = False
    lawful_basis: str = ""
    notes: str = ""
    last_contact: datetime | None = None  # the latest interaction (interactions.PersonLastContact)
    press_title: bool = False  # the title shown is "Press contact": no current position, a press role
    changes_on: date | None = None  # the next day a position starts or ends, changing what is shown

    def cells(self) -> list[str]:
        emails, phones = self.emails, self.phones
        preferred_email = next((email.value for email in emails if email.preferred), "")
        preferred_phone = next((phone.value for phone in phones if phone.preferred), "")
        return [
            self.slug,
            self.given_name,
            self.family_name,
            self.organisation,
            self.title,
            preferred_email,
            join_items(email.cell() for email in emails if email.kind != ContactPoint.Kind.PERSONAL),
            join_items(email.cell() for email in emails if email.kind == ContactPoint.Kind.PERSONAL),
            preferred_phone,
            *(join_items(phone.cell() for phone in phones if phone.kind == kind) for kind in PHONE_KINDS),
            "\n".join(position.cell() for position in self.positions),
            "\n".join(role.cell() for role in self.press_roles),
            "\n".join(self.tags),
            _("yes") if self.do_not_contact else "",
            Person.LawfulBasis(self.lawful_basis).label if self.lawful_basis else "",
            self.notes,
            _iso(timezone.localdate(self.last_contact)) if self.last_contact else "",
        ]


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def single_line(text: str) -> str:
    return " ".join(text.split())


def join_items(items: Iterable[str]) -> str:
    return "; ".join(items)


PHONE_KINDS = [
    ContactPoint.Kind.WORK,
    ContactPoint.Kind.MOBILE,
    ContactPoint.Kind.SWITCHBOARD,
    ContactPoint.Kind.PERSONAL,
]


# The import's column (contacts.layouts) each heading of header() is read back as.
EXPORT_COLUMNS = [
    "slug",
    "given_name",
    "family_name",
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
    "positions",
    "press_for",
    "tags",
    "do_not_contact",
    "lawful_basis",
    "notes",
    "last_contact",  # written, never read back (contacts.layouts.EXPORT_ONLY_COLUMNS)
]


def header() -> list[str]:
    return [
        _("Identifier"),
        _("Given name"),
        _("Family name"),
        _("Organisation"),
        _("Job title"),
        _("Email"),
        _("Work emails"),
        _("Personal emails"),
        _("Phone"),
        _("Work phones"),
        _("Mobiles"),
        _("Switchboards"),
        _("Personal phones"),
        _("Positions"),
        _("Press contact for"),
        _("Tags"),
        _("Do not contact"),
        _("Lawful basis"),
        _("Notes"),
        _("Last contact"),
    ]


def rows(people) -> Iterator[ExportRow]:
    """The export's rows for ``people`` (a queryset of people, in its own order), read as plain values, not model
    instances: 2 000 people at a time, then their positions, press roles, tags and contact points in one
    query each. A million people stream at a steady, small memory (docs/benchmarks.md)."""
    # The last contact is kept beside the person by the interactions app, and read by its reverse relation's name.
    people = people.prefetch_related(None).values_list(
        "pk",
        "slug",
        "given_name",
        "family_name",
        "updated_at",
        "do_not_contact",
        "lawful_basis",
        "notes",
        "last_contact__occurred_at",
    )
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
    today = timezone.localdate()
    positions: dict[int, list[HeldPosition]] = {}
    # What a directory row shows: the primary current position first, else the first press role by name.
    shown: dict[int, tuple[str, str]] = {}
    held = (
        Position.objects.filter(person_id__in=ids)
        .order_by("person_id", "-is_primary", F("ended_on").desc(nulls_first=True), "started_on", "pk")
        .values_list(
            "person_id", "organisation__slug", "organisation__name", "title", "started_on", "ended_on", "is_primary"
        )
    )
    changes_on: dict[int, date] = {}
    for person_id, slug, organisation, title, started_on, ended_on, primary in held:
        positions.setdefault(person_id, []).append(HeldPosition(title, slug, started_on, ended_on, primary))
        current = (started_on is None or started_on <= today) and (ended_on is None or ended_on >= today)
        if current:
            shown.setdefault(person_id, (organisation, title))
        upcoming = [day for day in (started_on, ended_on and ended_on + timedelta(days=1)) if day and day > today]
        if upcoming:
            changes_on[person_id] = min(changes_on.get(person_id, upcoming[0]), *upcoming)
    press: dict[int, list[PressRole]] = {}
    press_titled: set[int] = set()
    roles = PressContact.objects.filter(person_id__in=ids).order_by("person_id", "organisation__name", "pk")
    for person_id, slug, organisation, started_on, ended_on in roles.values_list(
        "person_id", "organisation__slug", "organisation__name", "started_on", "ended_on"
    ):
        press.setdefault(person_id, []).append(PressRole(slug, started_on, ended_on))
        if person_id not in shown:
            shown[person_id] = (organisation, _("Press contact"))
            press_titled.add(person_id)
    tags: dict[int, list[str]] = {}
    tagged = Person.tags.through.objects.filter(person_id__in=ids).order_by("person_id", "tag__name")
    for person_id, name in tagged.values_list("person_id", "tag__name"):
        tags.setdefault(person_id, []).append(name)
    emails: dict[int, list[Reachable]] = {}
    phones: dict[int, list[Reachable]] = {}
    # The phone as stored (E.164 text): a PhoneNumberField would parse every number into an object first.
    points = (
        ContactPoint.objects.filter(person_id__in=ids)
        .order_by("person_id", "medium", "-is_primary", "pk")
        .values_list("person_id", "medium", "email", Cast("phone", TextField()), "kind", "is_primary", "label")
    )
    for person_id, medium, email, phone, kind, is_primary, label in points:
        if medium == ContactPoint.Medium.EMAIL:
            emails.setdefault(person_id, []).append(Reachable(email, kind, is_primary, single_line(label)))
        elif phone:
            number = international_format(phone)
            phones.setdefault(person_id, []).append(Reachable(number, kind, is_primary, single_line(label)))
    for pk, slug, given_name, family_name, updated_at, do_not_contact, lawful_basis, notes, last_contact in batch:
        organisation, title = shown.get(pk) or ("", "")
        yield ExportRow(
            person_id=pk,
            updated_at=updated_at,
            slug=slug,
            given_name=given_name,
            family_name=family_name,
            organisation=organisation,
            title=title,
            emails=emails.get(pk, []),
            phones=phones.get(pk, []),
            positions=positions.get(pk, []),
            press_roles=press.get(pk, []),
            tags=tags.get(pk, []),
            do_not_contact=do_not_contact,
            lawful_basis=lawful_basis,
            notes=notes,
            last_contact=last_contact,
            press_title=pk in press_titled,
            changes_on=changes_on.get(pk),
        )


def csv_chunks(export_rows: Iterable[ExportRow]) -> Iterator[bytes]:
    return spreadsheets.csv_chunks(header(), (row.cells() for row in export_rows))


def xlsx_file(export_rows: Iterable[ExportRow]):
    return spreadsheets.xlsx_file(_("Contacts"), header(), (row.cells() for row in export_rows))


_VCARD_PHONE_TYPES = {
    ContactPoint.Kind.MOBILE: ["CELL", "VOICE"],
    ContactPoint.Kind.SWITCHBOARD: ["MAIN", "WORK", "VOICE"],
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
    for email in row.emails:
        line = card.add("email")
        line.value = email.value
        where = "HOME" if email.kind == ContactPoint.Kind.PERSONAL else "WORK"
        line.params["TYPE"] = ["INTERNET", where] + (["PREF"] if email.preferred else [])
    for phone in row.phones:
        line = card.add("tel")
        line.value = phone.value
        line.params["TYPE"] = _VCARD_PHONE_TYPES.get(phone.kind, ["WORK", "VOICE"]) + (
            ["PREF"] if phone.preferred else []
        )
    if row.tags:
        card.add("categories").value = row.tags
    if row.notes:
        card.add("note").value = row.notes
    return card.serialize()


def vcard_chunks(export_rows: Iterable[ExportRow]) -> Iterator[bytes]:
    for row in export_rows:
        yield vcard(row).encode()


def export_filename(extension: str, stem: str = "") -> str:
    """``stem-2026-12-01-1530.csv``; ``stem`` says what the file holds (``search_file_stem``), "contacts" if
    nothing more precise."""
    return spreadsheets.timestamped_filename(stem or pgettext("file name", "contacts"), extension)


def search_file_stem(filterset) -> str:
    """What a directory search holds, for the name of its export: a contact list, an edition's invitations or
    a cluster's members by name, else "contacts"; then the words searched and the filters chosen, by name."""
    chosen = filterset.form.cleaned_data if filterset.is_valid() else {}
    parts = []
    if contact_list := chosen.get("contact_list"):
        parts += [pgettext("file name", "list"), contact_list.name]
    if edition := chosen.get("invited_to"):
        parts += [pgettext("file name", "invitations"), str(edition.event), str(edition)]
    if cluster := chosen.get("member_of"):
        parts += [pgettext("file name", "members"), cluster.name]
    if not parts:
        parts.append(pgettext("file name", "contacts"))
    parts.append(chosen.get("q") or "")
    if organisation := chosen.get("organisation"):
        parts.append(organisation.name)
    if tag := chosen.get("tag"):
        parts.append(tag.name)
    if kind := chosen.get("kind"):
        parts.append(Organisation.Kind(kind).label)
    if country := chosen.get("country"):
        parts.append(countries.name(country))
    parts.append(chosen.get("region") or "")
    if chosen.get("press_only"):
        parts.append(pgettext("file name", "press"))
    return spreadsheets.file_stem(*parts)


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


def export_people(
    *,
    people,
    export_format: str,
    user,
    origin: str,
    filters: dict,
    source: dict,
    file_stem: str = "",
    include_do_not_contact: bool = False,
):
    """Answer the export of ``people`` (from ``Person.objects.directory()``): the file itself, streamed, up to
    ``EXPORT_DIRECT_MAX_ROWS`` people, else a 303 to the page of the job that writes it. Those who asked not
    to be contacted are left out, and counted in the ``LEFT_OUT_HEADER``; only a superuser's full export
    (``include_do_not_contact``, a round trip of the data, marked so in the log) holds them.

    ``source`` says how a worker finds the same people again: ``{"query": {filter: [values]}}``, the
    directory's filters (``PersonExportFilterSet``), or ``{"ids": [pk, …]}`` in the export's order; or a
    function returning it, called only if a job is needed. ``file_stem`` says what the file holds, for its
    name (``search_file_stem``), the job's file too.

    The request of a large export only records the job: whether there are more people than the limit is asked
    with a LIMIT (counting a million matches takes a second); the job counts them, and the people it leaves out,
    and its page says both."""
    if export_format not in FILE_FORMATS:
        raise ValueError(f"Unknown export format: {export_format!r}")
    if include_do_not_contact:
        if not user.is_superuser:
            raise PermissionDenied
        filters = {**filters, "include_do_not_contact": True}
    exported = people if include_do_not_contact else people.contactable()
    limit = settings.EXPORT_DIRECT_MAX_ROWS
    if exported.order_by()[: limit + 1].count() > limit:
        job = start_export_job(
            user=user,
            export_format=export_format,
            origin=origin,
            filters=filters,
            source=source() if callable(source) else source,
            file_stem=file_stem,
            include_do_not_contact=include_do_not_contact,
        )
        url = reverse("api:job-detail", args=[job.pk]) if origin == ExportLog.Origin.API else job.get_absolute_url()
        return see_other(url)
    counts = people.aggregate(matching=Count("pk"), left_out=Count("pk", filter=Q(do_not_contact=True)))
    left_out = 0 if include_do_not_contact else counts["left_out"]
    row_count = counts["matching"] - left_out
    log_export(user=user, export_format=export_format, origin=origin, filters=filters, row_count=row_count)
    if export_format == ExportLog.Format.XLSX:
        response = FileResponse(
            xlsx_file(rows(exported)),
            as_attachment=True,
            filename=export_filename("xlsx", file_stem),
            content_type=spreadsheets.XLSX_CONTENT_TYPE,
        )
        response[LEFT_OUT_HEADER] = str(left_out)
        return response
    response = StreamingHttpResponse(_chunks(export_format, [exported]), content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = f'attachment; filename="{export_filename(export_format, file_stem)}"'
    response[LEFT_OUT_HEADER] = str(left_out)
    return response


CONTENT_TYPES = {
    ExportLog.Format.CSV: "text/csv; charset=utf-8",
    ExportLog.Format.XLSX: spreadsheets.XLSX_CONTENT_TYPE,
    ExportLog.Format.VCARD: "text/vcard; charset=utf-8",
}


def _chunks(export_format: str, querysets: list, progress=None) -> Iterator[bytes]:
    """The file of the people of ``querysets``, one after the other. ``progress(count, exact)`` is told of the
    rows as they are written (``export_lines.copy_csv_chunks`` says how)."""
    if export_format == ExportLog.Format.CSV and export_lines.copied(querysets):
        return export_lines.copy_csv_chunks(querysets, header(), progress)
    export_rows = (row for people in querysets for row in rows(people))
    if progress is not None:
        export_rows = _counted(export_rows, progress)
    if export_format == ExportLog.Format.CSV:
        return csv_chunks(export_rows)
    return vcard_chunks(export_rows)


def _counted(export_rows: Iterable[ExportRow], progress) -> Iterator[ExportRow]:
    for row in export_rows:
        yield row
        progress(1, exact=True)


def query_source(filterset) -> dict:
    """The ``source`` of an export chosen by the directory's filters: the filterset's data, as lists."""
    return {"query": {key: list(values) for key, values in filterset.data.lists() if key in filterset.filters}}


def start_export_job(
    *,
    user,
    export_format: str,
    origin: str,
    filters: dict,
    source: dict,
    file_stem: str = "",
    include_do_not_contact: bool = False,
) -> Job:
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
            "file_stem": file_stem,
            "include_do_not_contact": include_do_not_contact,
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
    include_do_not_contact = job.params.get("include_do_not_contact", False)
    if include_do_not_contact and not owner.is_superuser:
        raise JobFailed(
            _(
                "The person who asked for this export is no longer a superuser: only superusers may export the "
                "people who asked not to be contacted."
            )
        )
    export_format = job.params["format"]
    chosen = people_of(job.params["source"])
    if include_do_not_contact:
        left_out, querysets = 0, chosen
    else:
        left_out = sum(people.filter(do_not_contact=True).count() for people in chosen)
        querysets = [people.contactable() for people in chosen]
    total = sum(people.count() for people in querysets)
    progress.update(0, total=total, force=True)
    written = estimated = 0

    def advanced(count: int, exact: bool) -> None:
        nonlocal written, estimated
        before = max(written, estimated)
        if exact:
            written += count
            estimated = written
        else:
            estimated = min(estimated + count, total)
        if max(written, estimated) // 250 != before // 250:
            progress.update(max(written, estimated))

    file_name = export_filename(export_format, job.params.get("file_stem", ""))
    if export_format == ExportLog.Format.XLSX:
        output = xlsx_file(_counted((row for people in querysets for row in rows(people)), advanced))
    else:
        output = tempfile.TemporaryFile()
        for chunk in _chunks(export_format, querysets, advanced):
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
