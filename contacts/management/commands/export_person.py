"""``manage.py export_person SLUG [--output FILE]``: everything held about a person, as JSON."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from contacts.models import Person
from contacts.privacy import person_data


class Command(BaseCommand):
    help = (
        "Print everything the CRM holds about a person (GDPR subject access) as JSON: their record, positions, "
        "contact points, press-contact roles, lists, invitations, signatures, quotes, sources and history."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The person's slug, as in the address of their page.")
        parser.add_argument("--output", help="Write the JSON to this file instead of the standard output.")

    def handle(self, *args, **options):
        person = Person.objects.filter(slug=options["slug"]).first()
        if person is None:
            raise CommandError(_("No person has the slug “%(slug)s”.") % {"slug": options["slug"]})
        text = json.dumps(person_data(person), ensure_ascii=False, indent=2)
        if options["output"]:
            Path(options["output"]).write_text(text + "\n", encoding="utf-8")
            self.stderr.write(_("Written to %(path)s.") % {"path": options["output"]})
        else:
            self.stdout.write(text)
