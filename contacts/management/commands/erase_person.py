"""``manage.py erase_person SLUG_OR_ID [--yes]``: erase a person's personal data (GDPR), after confirmation."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from contacts.erasure import erase_person, find_erasable
from contacts.models import Person


class Command(BaseCommand):
    help = (
        "Erase a person's personal data (GDPR right to erasure): their name, notes, tags, contact points, "
        "positions, press roles, list entries, invitations and history go, and their name, addresses and numbers "
        "are blanked wherever the CRM keeps text; the agreements they signed stay signed by an anonymised "
        "signatory. Works for a person deleted since, by the slug or record number their history holds. "
        "See docs/privacy.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("person", help="The person's slug (as in the address of their page) or record number.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, **options):
        key = options["person"]
        person_id = find_erasable(key)
        if person_id is None:
            raise CommandError(_("No person has, or ever had, the slug or record number “%(key)s”.") % {"key": key})
        person = Person.objects.filter(pk=person_id).first()
        if person is not None:
            name = person.full_name
        else:
            latest = Person.history.filter(id=person_id).order_by("-history_date", "-history_id").first()
            name = _("%(name)s (deleted)") % {"name": f"{latest.given_name} {latest.family_name}".strip()}
        if not options["yes"]:
            answer = input(_("Erase the personal data of %(name)s? This cannot be undone. [y/N] ") % {"name": name})
            if answer.strip().lower() not in ("y", "yes", "o", "oui"):
                raise CommandError(_("Nothing was erased."))
        report = erase_person(person_id=person_id)
        now = Person.objects.filter(pk=person_id).values_list("slug", flat=True).first()
        self.stdout.write(
            self.style.SUCCESS(
                _("The personal data of %(name)s (record %(id)s) was erased; now %(slug)s. %(summary)s")
                % {"name": name, "id": person_id, "slug": now or _("deleted"), "summary": report.summary()}
            )
        )
