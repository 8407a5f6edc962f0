"""``manage.py ingest_release FILE [--dry-run] [--json] [--yes]``."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...documents import ReleaseFileError, check_file_size, read_release
from ...ingestion import review_release, save_release


class Command(BaseCommand):
    help = (
        "Read a press release (a PDF, a Word .docx document, an HTML page, an e-mail saved as .eml or .msg, or a "
        "text file in UTF-8 or Windows-1252): show its date, place, title, the organisations it names and "
        "its press contacts, each as new, matching a record or conflicting with one; then, once confirmed, "
        "store the release and what it adds. --dry-run writes nothing; --json prints the findings as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The press release: a .pdf, .docx, .html, .eml, .msg or text file.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would be stored, store nothing.")
        parser.add_argument("--json", action="store_true", help="Print the findings as JSON.")
        parser.add_argument("--yes", action="store_true", help="Store without asking for confirmation.")
        parser.add_argument(
            "--confirm",
            action="append",
            default=[],
            metavar="KEY",
            help=(
                "Store this change the review proposes (repeat for each): a new address or number of a known person, "
                "a quote or the agreement, by the key the review prints in brackets. Quotes of known people are "
                "confirmed unless --no-default-confirmations."
            ),
        )
        parser.add_argument(
            "--no-default-confirmations",
            action="store_true",
            help="Confirm only what --confirm names, not the quotes of known people.",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No file at %(path)s.") % {"path": path})
        try:
            check_file_size(path.stat().st_size)
            text = read_release(path.read_bytes(), path.name).text
        except ReleaseFileError as error:
            raise CommandError(str(error)) from error
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
        confirmed = [*options["confirm"], *([] if options["no_default_confirmations"] else review.checked_by_default)]
        release = save_release(review, confirmed=confirmed)
        self.stderr.write(
            self.style.SUCCESS(_("Stored: %(release)s (%(slug)s).") % {"release": release, "slug": release.slug})
        )

    def _print_review(self, review):
        extracted = review.extracted
        self.stdout.write(f"{_('Title')}: {extracted.title}")
        self.stdout.write(f"{_('Date')}: {extracted.date or '—'}    {_('Place')}: {extracted.place or '—'}")
        self.stdout.write(f"{_('Language')}: {extracted.language}")
        for organisation in review.organisations:
            self.stdout.write(f"  [{organisation.status}] {organisation.display_name}")
        for contact in review.contacts:
            found = extracted_line(contact.extracted)
            self.stdout.write(f"  [{contact.status}] {found}")
            for note in contact.notes:
                self.stdout.write(f"      {note}")
        for item in review.extracted.unassigned:
            self.stdout.write("  " + _("Unassigned (no contact owns it for sure): %(value)s") % {"value": item.value})
        for quote in review.quotes:
            self.stdout.write(f"  « {quote.extracted.text[:80]} » — {quote.extracted.speaker}")
        if review.agreement is not None:
            self.stdout.write(
                f"  {review.agreement.title} — {review.agreement.extracted.date or '—'} — "
                f"{review.agreement.extracted.place or '—'}"
            )
        for confirmation in review.confirmations:
            mark = "x" if confirmation.checked else " "
            self.stdout.write(f"  [{mark}] {confirmation.label} [{confirmation.key}]")
        for problem in review.problems:
            self.stderr.write(problem)


def extracted_line(contact) -> str:
    parts = [contact.full_name, contact.title, contact.organisation, *contact.emails, *contact.phones]
    return " — ".join(part for part in parts if part)
