"""The import at scale: the CRM's own export of up to 100 000 people brought into an empty database, then again.

    DATABASE_URL=postgres://…/crm_bench_100000 .venv/bin/python -m tools.bench.importing export DIR [--people N]
    DATABASE_URL=postgres://…/crm_bench_import .venv/bin/python -m tools.bench.importing import DIR
    DATABASE_URL=postgres://…/crm_bench_orgs .venv/bin/python -m tools.bench.importing people DIR

``export`` writes the organisations' export and the first N people's export (by id) to DIR, as the pages and
the admin write them. ``import`` runs in a migrated, empty database: the organisations first, then the people
(``contacts.imports.import_people``, the code the job queue's workers and ``import_contacts`` run), then the same
people again (every row unchanged); it prints, as JSON, each step's seconds, rows and counts, and the process's
peak memory (its maximum resident set, read after each step). ``people`` imports the people file alone into a
database already holding the organisations, and prints its wall and CPU time and the peak memory.
"""

import json
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# As the other benches and the job queue's workers in production: with DEBUG on, Django keeps the text of every
# query, a few megabytes more at each ten thousand rows.
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.utils import translation  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export(directory: Path, people: int) -> None:
    from clusters.exports import organisation_rows
    from clusters.models import Organisation
    from clusters.organisation_sheet import SheetLabels
    from clusters.organisation_sheet import header as organisation_header
    from contacts import exports
    from contacts.models import Person
    from core import spreadsheets

    directory.mkdir(parents=True, exist_ok=True)
    organisations = Organisation.objects.for_sheet().order_by("pk")
    with open(directory / "organisations.csv", "wb") as output:
        rows = organisation_rows(organisations, SheetLabels.current())
        for chunk in spreadsheets.csv_chunks(organisation_header(), rows):
            output.write(chunk)
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True)[:people])
    chosen = Person.objects.filter(pk__lte=ids[-1]).order_by("pk") if ids else Person.objects.none()
    with open(directory / "people.csv", "wb") as output:
        for chunk in exports.csv_chunks(exports.rows(chosen)):
            output.write(chunk)


def bring_in(directory: Path) -> dict:
    from clusters.imports import import_organisations
    from contacts.imports import import_people
    from contacts.models import Person
    from core.tables import TableLimits

    limits = TableLimits.for_batch()
    if Person.objects.exists():
        raise SystemExit("The database must be empty of people: the import is measured into an empty one.")
    measured = {}
    steps = [
        ("organisations", import_organisations, "organisations.csv"),
        ("people", import_people, "people.csv"),
        ("people again", import_people, "people.csv"),
    ]
    for label, importer, name in steps:
        started = time.perf_counter()
        with open(directory / name, "rb") as file:
            report = importer(file, dry_run=False, skip_invalid_rows=False, limits=limits, file_name=name)
        seconds = time.perf_counter() - started
        measured[label] = {
            "seconds": round(seconds, 2),
            "bytes": (directory / name).stat().st_size,
            "counts": report.counts,
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "written": report.written,
        }
        print(f"{label}: {seconds:.1f} s, {report.summary()}", file=sys.stderr, flush=True)
    return measured


def people_alone(directory: Path) -> dict:
    """The people file imported alone, into a database holding the organisations (and nothing of the people):
    wall and CPU seconds of the import, and the process's peak memory."""
    from contacts.imports import import_people
    from core.tables import TableLimits

    wall, cpu = time.perf_counter(), time.process_time()
    with open(directory / "people.csv", "rb") as file:  # read as the job reads the stored upload: a stream
        report = import_people(file, dry_run=False, limits=TableLimits.for_batch(), file_name="people.csv")
    return {
        "seconds": round(time.perf_counter() - wall, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "counts": report.counts,
    }


def main() -> None:
    translation.activate("fr")
    step, directory = sys.argv[1], Path(sys.argv[2])
    if step == "people":
        print(json.dumps(people_alone(directory)))
    elif step == "export":
        people = int(sys.argv[sys.argv.index("--people") + 1]) if "--people" in sys.argv else 100_000
        export(directory, people)
    else:
        print(json.dumps(bring_in(directory)))


if __name__ == "__main__":
    main()
