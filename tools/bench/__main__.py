"""``make bench``: the CRM at 10 000, 100 000 and 1 000 000 people on PostgreSQL, measured side by side with raw
SQL, Django admin's stock search, PostgreSQL's COPY and django-import-export; figures into docs/benchmarks.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm .venv/bin/python -m tools.bench [--sizes 10000 100000]

For each size: a throw-away database ``crm_bench_<size>`` (``--database-prefix``) on DATABASE_URL's server (dropped
before and after, unless --keep), migrated, seeded, filled by ``generate_demo`` with one organisation per
``PEOPLE_PER_ORGANISATION`` people; then ``tools.bench.measure`` (searches, every list page, query counts) and
``tools.bench.exporting`` (one process per export, for its peak memory) run against it.
Writes the section between ``<!-- bench:start -->`` and ``<!-- bench:end -->`` of the docs.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from tools.bench.report import RANDOM_PAGE_COST, section
from tools.load.report import write_docs

PYTHON = sys.executable
MARKERS = ("<!-- bench:start -->", "<!-- bench:end -->")
# The targets' proportion: 20 000 organisations for 1 000 000 people (issue 21); generate_demo wants at least 20.
PEOPLE_PER_ORGANISATION = 50


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        raise SystemExit("make bench needs PostgreSQL: set DATABASE_URL=postgres://user@host:port/any-database")
    return f"postgresql://{urlsplit(url).netloc}"


def psql(server: str, sql: str, database: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-qtA", "-v", "ON_ERROR_STOP=1", f"{server}/{database}", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def run(command: list[str], database_url: str, label: str) -> str:
    started = time.monotonic()
    print(f"--> {label}", file=sys.stderr, flush=True)
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "false", "ALLOWED_HOSTS": "testserver"}
    done = subprocess.run(command, env=env, check=False, capture_output=True, text=True)
    if done.returncode:
        print(done.stdout[-3000:], done.stderr[-5000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"{label}: failed (exit {done.returncode})")
    print(f"    {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
    return done.stdout


def prepare(server: str, size: int, keep: bool, prefix: str) -> tuple[str, float | None]:
    """The database for ``size`` people, and how long generate_demo took (None if an earlier --keep run's
    database was reused)."""
    name = f"{prefix}{size}"
    url = f"{server}/{name}"
    exists = psql(server, f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
    if keep and exists:
        run([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], url, f"{name}: migrate (kept from an earlier run)")
        return url, None
    psql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(server, f'CREATE DATABASE "{name}"')
    # What docs/operations.md advises for a server whose data is on SSD or in memory (the rest is the default).
    psql(server, f'ALTER DATABASE "{name}" SET random_page_cost = {RANDOM_PAGE_COST}')
    run([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], url, f"{name}: migrate")
    run([PYTHON, "manage.py", "loaddata", "seed", "-v0"], url, f"{name}: seed")
    organisations = max(20, size // PEOPLE_PER_ORGANISATION)
    started = time.monotonic()
    run(
        [PYTHON, "manage.py", "generate_demo", "--people", str(size), "--organisations", str(organisations)],
        url,
        f"{name}: generate_demo --people {size} --organisations {organisations}",
    )
    return url, time.monotonic() - started


def exports(url: str, size: int, runs: int, import_export_limit: int) -> dict:
    """Each kind of export ``runs`` times (django-import-export once, and only up to ``import_export_limit``
    people: it holds every row in memory); the run with the median time of each."""
    found = {}
    for kind in ("ours", "copy", "import-export"):
        if kind == "import-export" and size > import_export_limit:
            continue
        times = 1 if kind == "import-export" else runs
        results = [
            json.loads(run([PYTHON, "-m", "tools.bench.exporting", kind], url, f"export: {kind}")) for _ in range(times)
        ]
        found[kind] = sorted(results, key=lambda result: result["seconds"])[len(results) // 2]
    return found


def importing(server: str, url: str, rows: int, prefix: str) -> dict:
    """The people export of ``rows`` people imported into an empty database (``tools.bench.importing``)."""
    name = f"{prefix}import"
    with tempfile.TemporaryDirectory() as directory:
        run([PYTHON, "-m", "tools.bench.importing", "export", directory, "--people", str(rows)], url, "import: export")
        psql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        psql(server, f'CREATE DATABASE "{name}"')
        try:
            run([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], f"{server}/{name}", f"{name}: migrate")
            output = run([PYTHON, "-m", "tools.bench.importing", "import", directory], f"{server}/{name}", "import")
        finally:
            psql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return json.loads(output)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=30, help="timed requests of each search and page")
    parser.add_argument("--slow-runs", type=int, default=3, help="timed runs of the stock admin search")
    parser.add_argument("--per-kind", type=int, default=100, help="searches drawn from the data for each kind")
    parser.add_argument("--export-runs", type=int, default=3, help="runs of each export (the median is kept)")
    parser.add_argument(
        "--import-export-limit",
        type=int,
        default=100_000,
        help="largest size django-import-export exports at (it holds every row in memory: minutes and GBs)",
    )
    parser.add_argument("--import-rows", type=int, default=100_000, help="people in the import measured")
    parser.add_argument("--keep", action="store_true", help="keep the databases and reuse them next time")
    parser.add_argument(
        "--database-prefix", default="crm_bench_", help="name of the databases made on the server: PREFIX<size>"
    )
    parser.add_argument("--docs", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--command", default="make bench", help="the command named in the docs")
    options = parser.parse_args(argv)
    server = server_url()
    postgres_version = psql(server, "SHOW server_version")
    load_average = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    results = {}
    for size in options.sizes:
        url, generated_in = prepare(server, size, options.keep, options.database_prefix)
        measured = json.loads(
            run(
                [
                    PYTHON,
                    "-m",
                    "tools.bench.measure",
                    "--runs",
                    str(options.runs),
                    "--slow-runs",
                    str(options.slow_runs),
                    "--per-kind",
                    str(options.per_kind),
                ],
                url,
                f"measure {size} people",
            )
        )
        measured["generate_seconds"] = generated_in
        measured["exports"] = exports(url, size, options.export_runs, options.import_export_limit)
        measured["queue"] = json.loads(run([PYTHON, "-m", "tools.bench.queue"], url, "the job queue"))
        measured["import"] = importing(server, url, min(size, options.import_rows), options.database_prefix)
        results[size] = measured
        if not options.keep:
            psql(server, f'DROP DATABASE IF EXISTS "{options.database_prefix}{size}" WITH (FORCE)')
    text = section(results, postgres_version=postgres_version, command=options.command, load_average=load_average)
    print(text)
    write_docs(options.docs, text, MARKERS)
    print(f"Figures written to {options.docs}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
