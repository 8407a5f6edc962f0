from django.core.management.base import BaseCommand

from contacts.models import Person
from contacts.search import refresh_search_text


class Command(BaseCommand):
    help = "Rebuild every person's search text (after a bulk import that bypassed the signals, for example)."

    def handle(self, *args, **options):
        ids = list(Person.objects.values_list("pk", flat=True))
        for start in range(0, len(ids), 1000):
            refresh_search_text(ids[start : start + 1000])
        self.stdout.write(self.style.SUCCESS(f"{len(ids)} people reindexed."))
