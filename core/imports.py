"""What every spreadsheet import shares, on the job queue (``jobs.imports``) and on the command line.

- Files are read by ``core.tables.read_table`` (CSV in any encoding Excel writes, or XLSX), within the limits of a
  batch (``TableLimits.for_batch``): imports run on the job queue's workers or on the command line, never in a
  web request.
- People are imported by ``contacts.imports`` (its own engine, in batches); organisations through a
  django-import-export resource (``SpreadsheetResource``). Both end with an ``ImportReport``.
- Columns may be named in French or English: each resource lists the spellings it accepts.
- Rows are numbered as the spreadsheet shows them: the column names are row 1.
- All or nothing: one transaction, and a file with an invalid row writes nothing, unless the user asks
  to leave the invalid rows out (``skip_invalid_rows``); those rows are then listed, not written.
"""

from dataclasses import dataclass, field
from typing import BinaryIO

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.utils.translation import gettext
from import_export.resources import Diff, ModelResource
from import_export.results import Result

from .tables import TableError, TableLimits, canonical_headers, read_table


class ImportResult(Result):
    """A Result that numbers rows as the spreadsheet does and keeps the rows left out on request."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.left_out_rows = []

    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(number + 1, row, validation_error)

    def append_error_row(self, number, row, errors):
        super().append_error_row(number + 1, row, errors)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "new": self.totals.get("new", 0),
            "update": self.totals.get("update", 0),
            "skip": self.totals.get("skip", 0),
            "invalid": len(self.invalid_rows) + len(self.left_out_rows),
        }


class PreviewDiff(Diff):
    """The preview's before and after, read through the resource's ``dehydrate_<field>`` methods (the
    stock Diff reads model attributes only, so a person's email or organisation would show empty)."""

    def __init__(self, resource, instance, new):
        self.left = self.values(resource, instance)
        self.right = []
        self.new = new

    def compare_with(self, resource, instance):
        self.right = self.values(resource, instance)

    @staticmethod
    def values(resource, instance):
        return [resource.export_field(field, instance) for field in resource.get_import_fields()]


class SpreadsheetResource(ModelResource):
    """A ModelResource fed from a spreadsheet whose columns may be named in French or English.

    ``column_names`` maps each column the resource reads to the headers it may be written as;
    ``required_columns`` must be present for the file to be read at all.
    """

    column_names: dict[str, list[str]] = {}
    column_labels: dict[str, str] = {}
    required_columns: tuple[str, ...] = ()

    def get_result_class(self):
        return ImportResult

    def get_diff_class(self):
        return PreviewDiff

    def get_diff_headers(self):
        return [str(self.column_labels.get(name, name)) for name in self._meta.fields]

    def column_label(self, name: str) -> str:
        if name in self.column_labels:
            return str(self.column_labels[name])
        try:
            return str(self._meta.model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            return name

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        error = row_result.validation_error
        if error is not None and hasattr(error, "error_dict"):
            # Errors named as the user names the columns ("E-mail"), not as the code does ("email").
            row_result.validation_error = ValidationError(
                {
                    name if name == NON_FIELD_ERRORS else self.column_label(name): messages
                    for name, messages in error.message_dict.items()
                }
            )
        return row_result

    @classmethod
    def read_file(cls, data: bytes | BinaryIO, *, limits: TableLimits | None = None):
        """The rows of ``data`` as a dataset this resource imports; ``TableError`` when it cannot be read."""
        return read_table(data, limits=limits)

    @classmethod
    def missing_columns(cls, dataset) -> list[str]:
        present, _unknown = canonical_headers(dataset.headers, cls.column_names)
        return [column for column in cls.required_columns if column not in present]

    def before_import(self, dataset, **kwargs):
        dataset.headers, _unknown = canonical_headers(dataset.headers, self.column_names)
        for column in self.column_names:
            if column not in dataset.headers:
                dataset.append_col([""] * len(dataset), header=column)
        super().before_import(dataset, **kwargs)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # Empty rows stay in the dataset so that row numbers match the spreadsheet; they import nothing.
        if not any((value or "").strip() for value in row.values()):
            return True
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if kwargs.get("skip_invalid_rows"):
            result.left_out_rows, result.invalid_rows = result.invalid_rows, []


def import_file(
    resource: SpreadsheetResource,
    data: bytes | BinaryIO,
    *,
    dry_run: bool,
    skip_invalid_rows: bool,
    limits: TableLimits | None = None,
    **kwargs,
):
    """Import ``data`` (a CSV or XLSX file, or its bytes: ``core.tables.read_table``) with ``resource``, in one
    transaction.

    Raises ``TableError`` when the file cannot be read within ``limits`` (by default a web request's) or lacks a
    required column; nothing is written then.
    """
    dataset = resource.read_file(data, limits=limits)
    missing = resource.missing_columns(dataset)
    if missing:
        raise TableError(missing_columns_message(resource, missing))
    return resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=not skip_invalid_rows,
        skip_invalid_rows=skip_invalid_rows,
        **kwargs,
    )


def missing_columns_message(resource, missing: list[str]) -> str:
    spellings = " / ".join(" / ".join(resource.column_names[column][:2]) for column in missing)
    return gettext("The file has no “%(columns)s” column.") % {"columns": spellings}


PREVIEW_ROWS = 200
REPORTED_ERRORS = 500


@dataclass
class ImportReport:
    """What an import did, or would do: counts, how the file was read, each row's outcome (the first
    ``PREVIEW_ROWS`` of them described, field by field), the rejected rows with their reasons. Kept as a job's
    result (``as_dict``) and shown by the preview, the report page and ``import_contacts``."""

    layout: str = ""
    unused_columns: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {"new": 0, "update": 0, "unchanged": 0, "flagged": 0, "rejected": 0}
    )
    rows: list[dict] = field(default_factory=list)
    rejected: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    remarks: dict[int, list[str]] = field(default_factory=dict)
    flagged: list[int] = field(default_factory=list)
    written: bool = False
    rejected_file: bytes = b""  # the rejected rows, as a CSV file to correct and import again
    columns: list[list[str]] = field(default_factory=list)  # a spreadsheet's headers and the column each fills

    def add(self, number: int, action: str, description: str, changes, *, flagged: str = "") -> None:
        """Count a row; describe it if it is one of the first. ``changes``: (what, before, after) triples, or a
        function giving them, called only for a row described."""
        self.counts[action] += 1
        if flagged:
            self.counts["flagged"] += 1
            self.flagged.append(number)
        if len(self.rows) < PREVIEW_ROWS:
            changes = changes() if callable(changes) else changes
            self.rows.append(
                {"row": number, "action": action, "description": description, "changes": [list(c) for c in changes]}
            )

    def reject(self, number: int, errors: dict[str, list[str]]) -> None:
        self.counts["rejected"] += 1
        self.rejected[number] = {
            str(column): [str(message) for message in messages] for column, messages in errors.items()
        }
        if len(self.rows) < PREVIEW_ROWS:
            self.rows.append({"row": number, "action": "rejected", "description": "", "errors": self.rejected[number]})

    def summary(self) -> str:
        return (
            gettext(
                "%(new)s new, %(update)s updated, %(unchanged)s unchanged, %(rejected)s rejected; "
                "%(flagged)s new flagged as possible duplicates."
            )
            % self.counts
        )

    def as_dict(self) -> dict:
        return {
            "summary": self.summary(),
            "layout": self.layout,
            "unused_columns": self.unused_columns,
            "counts": self.counts,
            "rows": self.rows,
            "rejected": [
                {"row": number, "errors": errors} for number, errors in list(self.rejected.items())[:REPORTED_ERRORS]
            ],
            "remarks": [
                {"row": number, "remarks": remarks} for number, remarks in list(self.remarks.items())[:REPORTED_ERRORS]
            ],
            "flagged": self.flagged[:REPORTED_ERRORS],
            "written": self.written,
            "columns": self.columns,
        }


def report_of_result(result, resource) -> ImportReport:
    """An ``ImportReport`` of a django-import-export result (the organisations' import)."""
    report = ImportReport(
        layout=str(getattr(result, "layout", "")) or gettext("spreadsheet"),
        unused_columns=list(getattr(result, "unused_columns", [])),
    )
    kinds = {"new": "new", "update": "update", "skip": "unchanged"}
    descriptions = {
        "new": gettext("New: %(name)s"),
        "update": gettext("Updated: %(reason)s"),
        "unchanged": gettext("Unchanged: %(reason)s"),
    }
    for number, row in enumerate(result.rows, 2):  # the column names are row 1
        action = kinds.get(row.import_type)
        if action is not None:
            name = str(row.object_repr or "")
            report.add(number, action, descriptions[action] % {"name": name, "reason": name}, [])
    for row in [*result.invalid_rows, *getattr(result, "left_out_rows", [])]:
        report.reject(row.number, row.error_dict)
    for number, errors in result.row_errors():
        report.reject(number, {"": [str(error.error) for error in errors]})
    return report
