"""Import one file as the admin does (upload, preview job, import job) or as ``import_contacts`` does, in this process,
and print how long each step took, its peak memory and what the user was told. Nothing stays written.

    DATABASE_URL=... .venv/bin/python manage.py migrate && .venv/bin/python manage.py loaddata seed
    DATABASE_URL=... .venv/bin/python -m tools.measure_import FILE [--command] [--organisations]

The peak is this process's maximum resident set (the interpreter and Django included); the baseline is printed
before the file is read. Figures: docs/benchmarks.md, "Hostile files".
"""

import argparse
import html
import io
import os
import re
import resource
import time


def peak_megabytes() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Rollback(Exception):
    pass


def through_the_admin(path: str, organisations: bool) -> None:
    """The admin's import: the upload (a request), its preview and the import itself (jobs, run here)."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.test import Client

    from jobs.imports import run_import
    from jobs.models import Job

    model = "clusters/organisation" if organisations else "contacts/person"
    records = apps.get_model(*model.split("/")).objects
    before = records.count()
    user, _created = get_user_model().objects.get_or_create(
        username="measure-import", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    upload = io.BytesIO(open(path, "rb").read())  # noqa: SIM115
    upload.name = os.path.basename(path)
    print(f"baseline: {peak_megabytes():.0f} MB")
    start = time.perf_counter()
    response = client.post(f"/admin/{model}/import/", {"import_file": upload})
    print(f"upload: {response.status_code} in {time.perf_counter() - start:.1f} s, peak {peak_megabytes():.0f} MB")
    if response.status_code != 303:
        refused = re.search(r'<ul class="errorlist[^"]*"[^>]*>\s*<li>(.*?)</li>', response.content.decode(), re.S)
        print("refused: " + html.unescape(refused.group(1)) if refused else "refused")
        return
    for step in ("preview", "import"):
        job = Job.objects.order_by("-pk").first()
        start = time.perf_counter()
        run_import.call(job.pk)
        job.refresh_from_db()
        print(
            f"{step}: {job.status} in {time.perf_counter() - start:.1f} s, peak {peak_megabytes():.0f} MB; "
            f"{job.result.get('summary') or job.error}"
        )
        if step == "preview":
            response = client.post(f"/jobs/{job.pk}/import/")
            if response.status_code != 303:
                print("no import offered")
                return
    print(f"{records.count() - before} new records")


def through_the_command(path: str, organisations: bool) -> None:
    from django.core.management import CommandError, call_command

    print(f"baseline: {peak_megabytes():.0f} MB")
    start = time.perf_counter()
    options = ["--organisations"] if organisations else []
    try:
        call_command("import_contacts", path, *options, stdout=io.StringIO(), stderr=io.StringIO())
        outcome = "imported"
    except CommandError as error:
        outcome = f"refused: {error}"
    print(f"import_contacts: {time.perf_counter() - start:.1f} s, peak {peak_megabytes():.0f} MB; {outcome}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--command", action="store_true", help="Run import_contacts instead of the admin's import.")
    parser.add_argument("--organisations", action="store_true")
    arguments = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.utils import translation

    translation.activate("fr")
    measure = through_the_command if arguments.command else through_the_admin
    try:
        with transaction.atomic():
            measure(arguments.file, arguments.organisations)
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
