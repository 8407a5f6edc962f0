"""The CSV export on PostgreSQL: one ``COPY … TO STDOUT`` of a line per person, its cells written ahead of time.

Reading a person's positions, contact points, press roles and tags, formatting their phones and joining it all
costs more than writing the file: the Python export (``contacts.exports.rows``) runs at about 8 000 people a
second, and aggregating the same in SQL at export time at about 12 000. ``ExportLine`` keeps each person's
derived cells, written by that same Python code, so an export is the people's own columns and their line, read in
the export's order and formatted by PostgreSQL (docs/benchmarks.md).

A line is kept current the way the search text is: every change to what it is made of (a position, a contact
point, a press role, a tag, an organisation's name or slug) deletes it (``forget``), and an export writes the lines
its people lack, or whose shown organisation changes on or before today, before it reads them (``complete``).
Both lock the people concerned first (``FOR NO KEY UPDATE``), so that a line written from data read before a
change cannot be kept after it: the change waits for the line to be written and deletes it, or the line is
written after the change and holds it.

SQLite, and the XLSX and vCard formats, use the Python export; the two CSV files hold the same cells, only their
line ends differ (a line feed here, CR LF in Python's) (tests/contacts/test_export_lines.py).
"""

import csv
import io
from collections.abc import Iterable, Iterator

from django.core.exceptions import EmptyResultSet
from django.db import connections, router, transaction
from django.db.models import Case, CharField, F, Func, Q, TextField, Value, When
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from core.spreadsheets import neutralise

from .models import ExportLine, Person

# The cells of ``ExportRow.cells()`` kept in the line, by their field in ``ExportLine``.
LINE_CELLS = {
    "organisation": 3,
    "title": 4,
    "email": 5,
    "work_emails": 6,
    "personal_emails": 7,
    "phone": 8,
    "work_phones": 9,
    "mobiles": 10,
    "switchboards": 11,
    "personal_phones": 12,
    "positions": 13,
    "press_for": 14,
    "tags": 15,
}
BATCH = 2_000


def forget(person_ids: Iterable[int], using: str = "default") -> None:
    """What the lines of ``person_ids`` are made of changed: they are deleted, after their people are locked
    (so that an export writing them now finishes first, and its lines go)."""
    ids = sorted(set(person_ids))
    if not ids or connections[using].vendor != "postgresql":
        return
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {ExportLine._meta.db_table} WHERE person_id IN ("  # noqa: S608 (the model's table)
            f"SELECT id FROM {Person._meta.db_table} WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE)",
            [ids],
        )


def _stale() -> Q:
    """People whose line is missing, or shows an organisation that changes on or before today."""
    return Q(export_line__isnull=True) | Q(export_line__changes_on__lte=timezone.localdate())


def complete(people, progress=None) -> int:
    """Write the lines that ``people`` (a queryset) lack or that changed since they were written; returns how
    many. In batches, each locking its people while their lines are read and written; ``progress(written)`` is
    told after each."""
    from .exports import rows

    written, after = 0, 0
    database = router.db_for_write(ExportLine)
    stale = people.filter(_stale()).order_by("pk").values_list("pk", flat=True)
    while ids := list(stale.filter(pk__gt=after)[:BATCH]):
        with transaction.atomic(using=database):
            list(Person.objects.filter(pk__in=ids).order_by("pk").select_for_update(no_key=True).values_list("pk"))
            lines = [line_of(row) for row in rows(Person.objects.filter(pk__in=ids).order_by("pk"))]
            ExportLine.objects.bulk_create(
                lines,
                batch_size=500,
                update_conflicts=True,
                unique_fields=["person"],
                update_fields=[*LINE_CELLS, "press_title", "changes_on"],
            )
        written, after = written + len(lines), ids[-1]
        if progress is not None:
            progress(written)
        if len(ids) < BATCH:
            break
    return written


def line_of(row) -> ExportLine:
    """The line of an ``ExportRow``: its cells as the file holds them, neutralised."""
    cells = row.cells()
    line = ExportLine(person_id=row.person_id, press_title=row.press_title, changes_on=row.changes_on)
    for name, index in LINE_CELLS.items():
        setattr(line, name, neutralise(cells[index]))
    if row.press_title:
        line.title = ""
    return line


class Neutralised(Func):
    """A column of the person as ``core.spreadsheets.neutralise`` writes it, in SQL: a quote before a value that a
    spreadsheet would run as a formula (``= + - @``, a tab or a carriage return first, or quotes then one of
    them), and an empty text as no value, which ``COPY`` writes unquoted as Python's csv does. The first letter
    decides for all but values that start with a quote: a pattern on every cell would cost a second per column
    at a million people. It names its column several times: for columns, which have no parameters."""

    template = (
        "CASE WHEN left(%(expressions)s, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN '''' || %(expressions)s "
        "WHEN left(%(expressions)s, 1) <> '''' THEN NULLIF(%(expressions)s, '') "
        "WHEN %(expressions)s ~ ('^''+[-=+@' || chr(9) || chr(13) || ']') THEN '''' || %(expressions)s "
        "ELSE %(expressions)s END"
    )
    output_field = TextField()


class Cell(Func):
    """A cell written already neutralised (an export line's), or words of the export: an empty text as no value."""

    template = "NULLIF(%(expressions)s, '')"
    output_field = TextField()


def _cells() -> list:
    """The cells of ``ExportRow.cells()``, in its order, as SQL expressions over a person and their line."""
    line = {name: Cell(F(f"export_line__{name}")) for name in LINE_CELLS}
    line["title"] = Case(
        When(export_line__press_title=True, then=Value(_("Press contact"))),
        default=line["title"],
        output_field=TextField(),
    )
    lawful_basis = Case(
        *[When(lawful_basis=value, then=Value(str(label))) for value, label in Person.LawfulBasis.choices],
        default=None,
        output_field=TextField(),
    )
    return [
        Neutralised(F("slug")),
        Neutralised(F("given_name")),
        Neutralised(F("family_name")),
        *line.values(),
        Case(When(do_not_contact=True, then=Value(_("yes"))), default=None, output_field=TextField()),
        lawful_basis,
        Neutralised(F("notes")),
        # The day, in the CRM's time zone (TruncDate's), written as ISO 8601 as PostgreSQL writes dates.
        Cast(TruncDate("last_contact__occurred_at"), CharField()),
    ]


def copy_csv_chunks(querysets, header: list[str], progress=None) -> Iterator[bytes]:
    """The CSV file of the people of ``querysets`` (each in its order, one after the other), as
    ``contacts.exports.csv_chunks`` writes it: the byte-order mark and the header from Python, then each
    queryset's lines from ``COPY … TO STDOUT``, streamed as they come. ``progress(count, exact)`` is told how many
    line ends have gone by (a cell may hold line ends too: an estimate, ``exact`` false), then, at the end of
    each ``COPY``, how many people it wrote (``exact`` true)."""
    # COPY ends its lines with a line feed alone: the header too, so that the file has one kind of line end.
    heading = io.StringIO()
    csv.writer(heading, delimiter=";", lineterminator="\n").writerow(header)
    yield ("\ufeff" + heading.getvalue()).encode()
    for people in querysets:
        complete(people)
        try:
            sql, params = export_query(people)
        except EmptyResultSet:  # chosen so that no one can match (an empty list of ids)
            continue
        with connections[people.db].cursor() as cursor:
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv, DELIMITER ';')", params) as copy:
                for block in copy:
                    block = bytes(block)
                    if progress is not None:
                        progress(block.count(b"\n"), exact=False)
                    yield block
            if progress is not None:
                progress(cursor.rowcount, exact=True)


def export_query(people) -> tuple[str, tuple]:
    """The SQL and parameters of the export's rows of ``people``, in its order: what ``COPY`` writes."""
    values = people.prefetch_related(None).select_related(None).values_list(*_cells())
    return values.query.sql_with_params()


def copied(querysets) -> bool:
    """Whether the CSV export of the people of ``querysets`` is a ``COPY`` (PostgreSQL) rather than written in
    Python: a query that selects distinct rows adds its order's columns to what it selects, so it is written in
    Python (the directory's filters never ask for distinct rows)."""
    return all(
        connections[people.db].vendor == "postgresql" and not people.query.distinct and not people.query.combinator
        for people in querysets
    )
