"""``manage.py import_contacts FILE [--dry-run] [--skip-errors] [--organisations]``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from clusters.imports import OrganisationBatchResource
from core.imports import import_file
from core.tables import TableError, TableLimits

from ...imports import PersonBatchResource


class Command(BaseCommand):
    help = (
        "Import people (or, with --organisations, organisations) from a CSV or XLSX file, with French or English "
        "column names. A row matching a known person (by email, then by name at the same organisation) updates "
        "them. A file with an invalid row writes nothing unless --skip-errors is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV or XLSX file.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report, write nothing.")
        parser.add_argument(
            "--skip-errors", action="store_true", help="Import the valid rows and leave out the invalid ones."
        )
        parser.add_argument("--organisations", action="store_true", help="The file lists organisations, not people.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No file at %(path)s.") % {"path": path})
        # A batch's limits, larger than a web request's (IMPORT_BATCH_* settings).
        limits = TableLimits.for_batch()
        size_error = limits.size_error(path.stat().st_size)
        if size_error:
            raise CommandError(size_error)
        resource = OrganisationBatchResource() if options["organisations"] else PersonBatchResource()
        try:
            result = import_file(
                resource,
                path.read_bytes(),
                dry_run=options["dry_run"],
                skip_invalid_rows=options["skip_errors"],
                limits=limits,
                file_name=path.name,
            )
        except TableError as error:
            raise CommandError(str(error)) from error

        for line, errors in result.row_errors():
            for error in errors:
                self.stderr.write(_("Row %(row)s: %(error)s") % {"row": line, "error": error.error})
        for error in result.base_errors:
            self.stderr.write(str(error.error))
        for row in [*result.invalid_rows, *result.left_out_rows]:
            for column, messages in row.error_dict.items():
                for message in messages:
                    self.stderr.write(
                        _("Row %(row)s, %(column)s: %(message)s")
                        % {"row": row.number, "column": column, "message": message}
                    )

        counts = result.counts
        summary = _("%(new)s new, %(update)s updated, %(invalid)s rejected.") % counts
        if result.has_errors():
            raise CommandError(_("The import failed: nothing was written.") + " " + summary)
        if result.invalid_rows:
            raise CommandError(
                _("Nothing was written: correct the rows above, or run again with --skip-errors to import the others.")
                + " "
                + summary
            )
        if options["dry_run"]:
            self.stdout.write(_("Dry run, nothing was written: %(summary)s") % {"summary": summary})
        else:
            self.stdout.write(self.style.SUCCESS(summary))
