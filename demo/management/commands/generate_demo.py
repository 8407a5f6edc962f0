import time

from django.core.management.base import BaseCommand, CommandError

from demo.generation import DemoDataExists, generate_demo


class Command(BaseCommand):
    help = (
        "Fill the database with synthetic demo data: organisations of every kind, French, Spanish and Basque "
        "people with positions and contact points, memberships and agreements, about three interactions per "
        "person, follow-ups and consents, logged by six demo members of staff. The same --seed gives the same "
        "rows. Refuses a database that already holds demo data; writes no history."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, required=True, help="How many people to create.")
        parser.add_argument(
            "--organisations", type=int, default=None, help="How many organisations (default: one per 50 people)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random generator (default 1).")

    def handle(self, *args, people, organisations, seed, **options):
        started = time.monotonic()
        try:
            counts = generate_demo(people=people, organisations=organisations, seed=seed, progress=self._progress)
        except (DemoDataExists, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"{counts} in {time.monotonic() - started:.1f} s"))

    def _progress(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()
