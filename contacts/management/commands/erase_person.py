"""``manage.py erase_person SLUG [--yes]``: erase a person's personal data (GDPR), after confirmation."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from contacts.models import Person
from contacts.privacy import erase_person


class Command(BaseCommand):
    help = (
        "Erase a person's personal data (GDPR right to erasure): their name, notes, tags, contact points, "
        "positions, press roles, list entries, invitations and history go; the agreements they signed stay signed "
        "by an anonymised signatory. See docs/privacy.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The person's slug, as in the address of their page.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, **options):
        person = Person.objects.filter(slug=options["slug"]).first()
        if person is None:
            raise CommandError(_("No person has the slug “%(slug)s”.") % {"slug": options["slug"]})
        name = person.full_name
        if not options["yes"]:
            answer = input(_("Erase the personal data of %(name)s? This cannot be undone. [y/N] ") % {"name": name})
            if answer.strip().lower() not in ("y", "yes", "o", "oui"):
                raise CommandError(_("Nothing was erased."))
        report = erase_person(person=person)
        person.refresh_from_db()
        self.stdout.write(
            self.style.SUCCESS(
                _("The personal data of %(name)s (record %(id)s) was erased; now %(slug)s. %(summary)s")
                % {"name": name, "id": person.pk, "slug": person.slug, "summary": report.summary()}
            )
        )
