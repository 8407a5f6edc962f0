"""``manage.py ingest_release FILE [--dry-run] [--json] [--yes]``."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.guards import holds_nul
from core.tables import MixedEncodingError, text_encoding

from ...ingestion import review_release, save_release

MAX_RELEASE_BYTES = 1024 * 1024


class Command(BaseCommand):
    help = (
        "Read a press release (a UTF-8 text file): show its date, place, title, the organisations it names and "
        "its press contacts, each as new, matching a record or conflicting with one; then, once confirmed, "
        "store the release and what it adds. --dry-run writes nothing; --json prints the findings as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The press release, as a UTF-8 text file.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would be stored, store nothing.")
        parser.add_argument("--json", action="store_true", help="Print the findings as JSON.")
        parser.add_argument("--yes", action="store_true", help="Store without asking for confirmation.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No file at %(path)s.") % {"path": path})
        if path.stat().st_size > MAX_RELEASE_BYTES:
            raise CommandError(_("A press release is text of less than 1 MB; this file is bigger."))
        data = path.read_bytes()
        if holds_nul(data):
            raise CommandError(_("This file is not text: save the release as a UTF-8 text file."))
        # The spreadsheets' rule: UTF-8, or Windows-1252 for a file with no UTF-8 at all; a mix is refused.
        try:
            text = data.decode(text_encoding(data))
        except MixedEncodingError as error:
            raise CommandError(
                _(
                    "The file is in UTF-8 but line %(line)s holds a character in another encoding: "
                    "save the release again as a UTF-8 text file."
                )
                % {"line": error.line}
            ) from error
        except UnicodeDecodeError as error:
            raise CommandError(_("This file is not text: save the release as a UTF-8 text file.")) from error
        review = review_release(text)

        if options["json"]:
            self.stdout.write(json.dumps(review.as_json(), ensure_ascii=False, indent=2))
        else:
            self._print_review(review)
        if options["dry_run"]:
            return
        if not review.can_save:
            raise CommandError(" ".join(review.problems))
        if not options["yes"]:
            if not sys.stdin.isatty():
                raise CommandError(_("Nothing was stored: add --yes to store without being asked."))
            if input(_("Store this release? [y/N] ")).strip().lower() not in ("y", "o", "yes", "oui"):
                self.stdout.write(_("Nothing was stored."))
                return
        release = save_release(review)
        self.stderr.write(
            self.style.SUCCESS(_("Stored: %(release)s (%(slug)s).") % {"release": release, "slug": release.slug})
        )

    def _print_review(self, review):
        extracted = review.extracted
        self.stdout.write(f"{_('Title')}: {extracted.title}")
        self.stdout.write(f"{_('Date')}: {extracted.date or '—'}    {_('Place')}: {extracted.place or '—'}")
        for organisation in review.organisations:
            self.stdout.write(f"  [{organisation.status}] {organisation.display_name}")
        for contact in review.contacts:
            found = extracted_line(contact.extracted)
            self.stdout.write(f"  [{contact.status}] {found}")
            for note in contact.notes:
                self.stdout.write(f"      {note}")
        for problem in review.problems:
            self.stderr.write(problem)


def extracted_line(contact) -> str:
    parts = [contact.full_name, contact.title, contact.organisation, *contact.emails, *contact.phones]
    return " — ".join(part for part in parts if part)
