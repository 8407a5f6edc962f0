"""One CSV export of every person, in a process of its own so that its peak memory is the export's: the
directory's export (``ours``: asked through the view, which answers 303 to a job, then the job's work done in
this process as a worker does it), django-import-export's (``import-export``) or PostgreSQL's own ``COPY`` of the
query ours copies (``copy``).

    DATABASE_URL=postgres://…/crm_bench_10000 .venv/bin/python -m tools.bench.exporting ours

Prints one JSON object: rows, bytes, seconds, rows per second, peak resident memory of the process (MB) and
its resident memory before the export began. The rows are read and thrown away, as a client downloading
the file would.
"""

import atexit
import json
import os
import resource
import shutil
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The job's file goes to a folder of this run, removed at its end.
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="crm-bench-"))
atexit.register(shutil.rmtree, os.environ["MEDIA_ROOT"], ignore_errors=True)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

import phonenumbers  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from import_export import fields, resources  # noqa: E402

from contacts.exports import header  # noqa: E402
from contacts.models import ContactPoint, Person, PressContact  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1024 / 1024


def ours() -> tuple[int, int]:
    """The directory's own CSV export as a user with the export permission asks for it: through the view, then,
    beyond EXPORT_DIRECT_MAX_ROWS, the job's work (``contacts.tasks.export_people_file``) in this process, as a
    worker runs it; the file read back from the storage."""
    from django.contrib.auth import get_user_model
    from django.core.files.storage import default_storage

    from contacts.tasks import export_people_file
    from jobs.models import Job

    user, _created = get_user_model().objects.get_or_create(
        username="bench-superuser", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    response = client.get("/contacts/export/", {"format": "csv"})
    if response.status_code == 200:
        chunks = response.streaming_content
    elif response.status_code == 303:
        job = Job.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])
        if export_people_file.call(job.pk) != "done":
            raise SystemExit(f"The export job failed: {Job.objects.get(pk=job.pk).error}")
        job.refresh_from_db()
        chunks = default_storage.open(job.file, "rb").chunks()
    else:
        raise SystemExit(f"The export answered {response.status_code}.")
    size = lines = 0
    for chunk in chunks:
        size += len(chunk)
        lines += chunk.count(b"\n")
    # A cell may hold line breaks (a person's positions): the job counts the people it wrote.
    return (job.rows if response.status_code == 303 else lines - 1), size


def row_of(person) -> list[str]:
    """A directory CSV row, the same columns as ours, from a person fetched with ``Person.objects.directory()``
    (and every position, tags), from model instances, as a team writing a django-import-export resource would."""
    from contacts.exports import ExportRow, HeldPosition, PressRole, Reachable

    position = person.current_positions[0] if person.current_positions else None
    press_roles = list(person.press_roles.all())
    organisation = position.organisation.name if position else press_roles[0].organisation.name if press_roles else ""
    points = list(person.contact_points.all())
    emails = [
        Reachable(p.email, p.kind, p.is_primary, p.label) for p in points if p.medium == ContactPoint.Medium.EMAIL
    ]
    phones = [
        Reachable(
            phonenumbers.format_number(p.phone, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
            p.kind,
            p.is_primary,
            p.label,
        )
        for p in points
        if p.medium == ContactPoint.Medium.PHONE and p.phone
    ]
    return ExportRow(
        person_id=person.pk,
        updated_at=person.updated_at,
        slug=person.slug,
        given_name=person.given_name,
        family_name=person.family_name,
        organisation=organisation,
        title=position.title if position else "",
        emails=emails,
        phones=phones,
        positions=[
            HeldPosition(p.title, p.organisation.slug, p.started_on, p.ended_on, p.is_primary)
            for p in person.positions.all()
        ],
        press_roles=[PressRole(role.organisation.slug, role.started_on, role.ended_on) for role in press_roles],
        tags=[tag.name for tag in person.tags.all()],
        do_not_contact=person.do_not_contact,
        lawful_basis=person.lawful_basis,
        notes=person.notes,
    ).cells()


class ExportResource(resources.ModelResource):
    """The directory's columns as a django-import-export resource, each row filled from the same prefetched
    records."""

    given_name = fields.Field(attribute="given_name", column_name="given_name")

    class Meta:
        model = Person
        fields = ("given_name",)

    def export_resource(self, instance, *args, **kwargs):
        return row_of(instance)

    def get_export_headers(self, *args, **kwargs):
        return header()


def import_export() -> tuple[int, int]:
    """django-import-export's export of the same people with the same prefetching: a tablib Dataset, then CSV."""
    people = Person.objects.directory().contactable().prefetch_related("positions__organisation", "tags")
    dataset = ExportResource().export(queryset=people)
    text = dataset.export("csv", delimiter=";")
    return len(dataset), len(text.encode())


def copy() -> tuple[int, int]:
    """PostgreSQL's ``COPY … TO STDOUT`` of the very query our export copies (its export lines written first, as
    ours does), read by psycopg as fast as it comes: what the database alone costs."""
    from contacts.export_lines import complete, export_query
    from contacts.filters import PersonExportFilterSet

    people = PersonExportFilterSet({}, queryset=Person.objects.directory()).qs.contactable()
    complete(people)
    sql, params = export_query(people)
    size = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv, DELIMITER ';')", params) as copying:
            for block in copying:
                size += len(block)
        return cursor.rowcount, size


KINDS = {"ours": ours, "import-export": import_export, "copy": copy}


def main() -> None:
    kind = sys.argv[1]
    connection.ensure_connection()
    Person.objects.exists(), ContactPoint.objects.exists(), PressContact.objects.exists()  # warm the connection
    before = current_rss_mb()
    started = time.perf_counter()
    rows, size = KINDS[kind]()
    seconds = time.perf_counter() - started
    json.dump(
        {
            "kind": kind,
            "rows": rows,
            "bytes": size,
            "seconds": seconds,
            "rows_per_second": rows / seconds if seconds else 0,
            "peak_rss_mb": peak_rss_mb(),
            "rss_before_mb": before,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
