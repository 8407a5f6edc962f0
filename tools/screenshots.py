"""``make screenshots``: a full-page screenshot of every page (tools/pages.py) at 1366 and 390 px, for review.

    .venv/bin/python -m tools.screenshots [--out screenshots] [--people 300] [--check] [--json FILE]

Builds a throw-away SQLite database (migrate, the seed, ``generate_demo``, one record of each kind the two leave
empty, a superuser), serves it with ``manage.py runserver`` on a free port, and writes
``<out>/<width>/<page name>.png`` (``screenshots/1366/admin-clusters-organisation-change.png``) with Debian's
chromium. ``--check`` also runs the browser gate's checks (width, header links, axe-core) and prints what fails;
``--json`` writes every visit's findings. Nothing of the project's own database is touched.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SUPERUSER = "revue"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_database(people: int):
    """Migrate, load the seed and the demo data, add the pages' records; the superuser and its session cookie."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from tools.pages import add_page_data

    call_command("migrate", verbosity=0, interactive=False)
    call_command("loaddata", "seed", verbosity=0)
    call_command("generate_demo", people=people, verbosity=0)
    superuser = get_user_model().objects.create_superuser(SUPERUSER, "revue@example.org", None)
    add_page_data(superuser)
    client = Client()
    client.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")
    name = settings.SESSION_COOKIE_NAME
    return superuser, {"name": name, "value": client.cookies[name].value}


def serve(database_url: str, media: Path, port: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media),
        "DJANGO_ENV": "development",
        "DEBUG": "true",
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("ab") as output:
        server = subprocess.Popen(  # noqa: S603  (our interpreter, our manage.py)
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2):  # noqa: S310  (ours)
                return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"The server did not start:\n{log.read_text(errors='replace')[-3000:]}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "screenshots")
    parser.add_argument("--people", type=int, default=300, help="people made by generate_demo (default 300)")
    parser.add_argument("--widths", type=int, nargs="+", default=[1366, 390])
    parser.add_argument("--check", action="store_true", help="also run the browser gate's checks")
    parser.add_argument("--json", type=Path, help="write every visit's findings here")
    parser.add_argument("--only", nargs="*", default=[], help="only the pages whose name contains one of these")
    parser.add_argument("--concurrency", type=int, default=3)
    parser.add_argument("--no-screenshots", action="store_true", help="with --check: only check the pages")
    options = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="crm-screenshots-"))
    database_url = f"sqlite:///{folder / 'db.sqlite3'}"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_ENV"] = "development"
    import django

    django.setup()
    from django.db import connections

    from tools.page_checks import visit_pages
    from tools.pages import pages

    started = time.monotonic()
    print(f"Building a throw-away database in {folder}", flush=True)
    superuser, cookie = build_database(options.people)
    visited, left_out = pages(superuser)
    if options.only:
        visited = [page for page in visited if any(part in page.name for part in options.only)]
    connections.close_all()
    server = serve(database_url, folder / "media", free_port(), folder / "server.log")
    base_url = f"http://127.0.0.1:{server.args[-1].rsplit(':', 1)[1]}"
    try:
        print(f"{len(visited)} pages at {', '.join(map(str, options.widths))} px, from {base_url}", flush=True)
        visits = visit_pages(
            base_url,
            [{**cookie, "url": base_url}],
            visited,
            widths=tuple(options.widths),
            concurrency=options.concurrency,
            screenshots=None if options.no_screenshots else options.out,
            check=options.check,
            progress=lambda visit: print(
                f"  {visit.page.name}@{visit.width} {visit.seconds:.1f} s"
                + (f" FAIL {len(visit.problems)}" if options.check and visit.problems else ""),
                flush=True,
            ),
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
    failing = 0
    for (name, width), visit in sorted(visits.items(), key=lambda item: (item[0][1], item[0][0])):
        print(f"{options.out / str(width) / (visit.page.file_stem + '.png')}  {visit.page.path}")
        problems = visit.problems if options.check else ([f"error: {visit.error}"] if visit.error else [])
        failing += bool(problems)
        for problem in problems:
            print(f"    FAIL {name}@{width}: {problem}")
    for name, reason in left_out.items():
        if reason.startswith("GAP"):
            print(f"    NOT VISITED {name}: {reason}")
    if options.json:
        options.json.write_text(
            json.dumps(
                [
                    {**asdict(visit), "page": asdict(visit.page), "problems": visit.problems}
                    for visit in visits.values()
                ],
                indent=1,
                ensure_ascii=False,
            )
        )
    print(f"{len(visits)} screenshots in {options.out}, {failing} with problems, {time.monotonic() - started:.0f} s")
    return 1 if failing and options.check else 0


if __name__ == "__main__":
    sys.exit(main())
