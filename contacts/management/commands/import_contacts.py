"""``manage.py import_contacts FILE [--organisations] [--dry-run] [--skip-errors] [--background [--user NAME]]``."""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core.tables import TableError, TableLimits
from jobs.imports import start_import, store_upload

IMPORTERS = {
    False: ("contacts.imports.import_people", "contacts", "person"),
    True: ("clusters.imports.import_organisations", "clusters", "organisation"),
}


class Command(BaseCommand):
    help = (
        "Import people (or, with --organisations, organisations) from a CSV, XLSX or vCard file: the CRM's own "
        "exports, spreadsheets with French or English column names, Google Contacts and Outlook files. A row "
        "updates the person it names by identifier, email or phone (a row without either: by name, title and "
        "organisation); any other row is a new person. A file with an invalid row writes nothing unless "
        "--skip-errors is given. With --background, the import runs on the job queue's workers."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV, XLSX or vCard file.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report, write nothing.")
        parser.add_argument(
            "--skip-errors", action="store_true", help="Import the valid rows and leave out the invalid ones."
        )
        parser.add_argument("--organisations", action="store_true", help="The file lists organisations, not people.")
        parser.add_argument(
            "--background", action="store_true", help="Run the import on the job queue and print the job's address."
        )
        parser.add_argument("--user", help="With --background: the user the job belongs to (who may follow it).")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No file at %(path)s.") % {"path": path})
        # A batch's limits, larger than a web request's (IMPORT_BATCH_* settings).
        limits = TableLimits.for_batch()
        size_error = limits.size_error(path.stat().st_size)
        if size_error:
            raise CommandError(size_error)
        importer, app_label, model_name = IMPORTERS[options["organisations"]]
        if options["background"]:
            return self.start_job(path, importer, app_label, model_name, options)
        try:
            with path.open("rb") as file:
                report = import_string(importer)(
                    file,
                    dry_run=options["dry_run"],
                    skip_invalid_rows=options["skip_errors"],
                    limits=limits,
                    file_name=path.name,
                    progress=self.progress,
                )
        except TableError as error:
            raise CommandError(str(error)) from error
        if sys.stderr.isatty():
            self.stderr.write("")
        self.describe(report)
        if report.counts["rejected"] and not options["skip_errors"]:
            raise CommandError(
                _("Nothing was written: correct the rows above, or run again with --skip-errors to import the others.")
                + " "
                + report.summary()
            )
        if options["dry_run"]:
            self.stdout.write(_("Dry run, nothing was written: %(summary)s") % {"summary": report.summary()})
        else:
            self.stdout.write(self.style.SUCCESS(report.summary()))
        if report.rejected_file:
            rejected = path.with_name(f"{path.stem}-{_('rejected')}.csv")
            rejected.write_bytes(report.rejected_file)
            self.stdout.write(_("The rejected rows, with their errors, are in %(path)s.") % {"path": rejected})

    def progress(self, done: int, total: int) -> None:
        if sys.stderr.isatty():
            self.stderr.write(f"\r{done:>9,} / {total:,}".replace(",", " "), ending="")

    def describe(self, report) -> None:
        self.stdout.write(_("Read as: %(layout)s.") % {"layout": report.layout})
        if report.unused_columns:
            self.stdout.write(
                _("Columns not used (their content is not imported): %(columns)s")
                % {"columns": ", ".join(report.unused_columns)}
            )
        for number, remarks in report.remarks.items():
            for remark in remarks:
                self.stdout.write(_("Row %(row)s: %(error)s") % {"row": number, "error": remark})
        for number, errors in report.rejected.items():
            for column, messages in errors.items():
                for message in messages:
                    self.stderr.write(
                        _("Row %(row)s, %(column)s: %(message)s")
                        % {"row": number, "column": column, "message": message}
                        if column
                        else _("Row %(row)s: %(error)s") % {"row": number, "error": message}
                    )
        if report.flagged:
            self.stdout.write(
                _(
                    "New people bearing the name of someone at the same organisation (rows %(rows)s): kept apart, "
                    "listed on the duplicates page to check."
                )
                % {"rows": ", ".join(str(number) for number in report.flagged[:50])}
            )

    def start_job(self, path, importer, app_label, model_name, options):
        owner = None
        if options["user"]:
            owner = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: options["user"]}).first()
            if owner is None:
                raise CommandError(_("No user is called %(name)s.") % {"name": options["user"]})
        job = start_import(
            importer=importer,
            upload=store_upload(path.read_bytes(), path.name),
            file_name=path.name,
            owner=owner,
            apply=not options["dry_run"],
            skip_invalid_rows=options["skip_errors"],
            permissions=[f"{app_label}.add_{model_name}", f"{app_label}.change_{model_name}"],
            subject=_("organisations") if options["organisations"] else _("people"),
        )
        self.stdout.write(
            _("Import queued as job %(id)s: follow it at %(url)s (a worker runs it: manage.py worker).")
            % {"id": job.pk, "url": job.get_absolute_url()}
        )
