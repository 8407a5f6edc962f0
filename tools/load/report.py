"""Read what locust measured (``--csv``), print it as a table, fail on any failed request, and keep the figures
in docs/benchmarks.md: ``.ci/load`` runs it after locust.

    .venv/bin/python -m tools.load.report STATS_CSV [--failures FAILURES_CSV] [--docs docs/benchmarks.md]

Exits 1 if a request failed or a request of the scenario was never made; the docs are only written on success.
The run's settings are read from the ``LOAD_*`` variables ``.ci/load`` exports.
"""

import argparse
import csv
import os
import platform
import re
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

# The locustfile's request names, in the order the table lists them.
SCENARIO = [
    "directory: name",
    "directory: name without accents",
    "directory: email",
    "directory: phone",
    "directory: filter, no search",
    "directory: page 2",
    "person page",
]
TOTAL = "Aggregated"
HEADER = ["Request", "Requests", "Failures", "Median (ms)", "p95 (ms)", "p99 (ms)", "Requests/s"]

START_MARKER = "<!-- load:start -->"
END_MARKER = "<!-- load:end -->"
INTRO = """# Benchmarks

Figures measured on this machine by the commands named below. Each section says when, on which machine (CPU,
memory, PostgreSQL version) and with which command it was measured, and that command rewrites its own section
only. Compare runs made on one machine; the figures promise nothing about another.
"""


def read_rows(stats_csv: Path) -> dict[str, dict[str, str]]:
    with stats_csv.open(newline="") as stream:
        return {row["Name"]: row for row in csv.DictReader(stream)}


def table_row(label: str, row: dict[str, str]) -> list[str]:
    return [
        label,
        row["Request Count"],
        row["Failure Count"],
        str(round(float(row["50%"]))),
        str(round(float(row["95%"]))),
        str(round(float(row["99%"]))),
        f"{float(row['Requests/s']):.1f}",
    ]


def table(rows: dict[str, dict[str, str]]) -> list[list[str]]:
    others = sorted(name for name in rows if name not in SCENARIO and name != TOTAL)
    lines = [table_row(name, rows[name]) for name in [*SCENARIO, *others] if name in rows]
    if TOTAL in rows:
        lines.append(table_row("all requests", rows[TOTAL]))
    return lines


def markdown(lines: list[list[str]], header: list[str] = HEADER) -> str:
    """A Markdown table: the first column left-aligned, the others (figures) right-aligned."""
    widths = [max(len(cells[column]) for cells in [header, *lines]) for column in range(len(header))]

    def render(cells: list[str]) -> str:
        padded = [
            cell.ljust(width) if column == 0 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "| " + " | ".join("-" * (width - 1) + (":" if column else "-") for column, width in enumerate(widths)) + " |"
    return "\n".join([render(header), rule, *(render(cells) for cells in lines)])


def problems(rows: dict[str, dict[str, str]]) -> list[str]:
    found = [
        f"{name!r} was never requested" for name in SCENARIO if int(rows.get(name, {}).get("Request Count", 0)) == 0
    ]
    found += [
        f"{name!r}: {row['Failure Count']} failed"
        for name, row in rows.items()
        if name != TOTAL and int(row["Failure Count"])
    ]
    return found


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    models = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo, flags=re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    memory = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, flags=re.MULTILINE)
    cpu = f"{os.cpu_count()} × {models[0] if models else platform.processor() or 'unknown CPU'}"
    ram = f"{int(memory.group(1)) / 1024 / 1024:.1f} GiB RAM" if memory else "unknown RAM"
    return f"{cpu}, {ram}, {platform.system()} {platform.release()}"


def section(lines: list[list[str]], postgres_version: str) -> str:
    env = os.environ.get
    measured_on = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    facts = [
        f"Measured on {measured_on} with `{env('LOAD_COMMAND', '.ci/load')}` (`.ci/load`, `tools/load/locustfile.py`).",
        f"- Machine: {machine()}; PostgreSQL {postgres_version} on 127.0.0.1. Load average (1, 5, 15 min) when "
        f"locust started: {env('LOAD_AVERAGE_BEFORE', 'unknown')} (other work on the machine slows everything).",
        f"- Server: gunicorn with {env('LOAD_WORKERS', '?')} sync workers on 127.0.0.1, `DEBUG` off; a fresh database "
        f"holding the seed and {env('LOAD_PEOPLE', '?')} made-up people (`tools.sample_contacts`).",
        f"- Load: locust {env('LOAD_LOCUST_VERSION', '')} on the same machine, {env('LOAD_USERS', '?')} users "
        f"(started {env('LOAD_SPAWN_RATE', '?')} a second) for {env('LOAD_SECONDS', '?')} s. Each user logs in "
        "through the login form, makes each request once, then picks requests at random (searches by name 4, "
        "without accents 2, email 2, phone 2, filter 1, page 2 1, person page 4), waiting 0.1–0.5 s between "
        "them. A request fails unless it answers 2xx with the results table or the person's header.",
        "- Times in milliseconds as locust measures them (its own waits for the shared CPUs included); requests "
        "per second over the whole run.",
    ]
    wrapped = "\n".join(
        textwrap.fill(fact, width=100, subsequent_indent="  " if fact.startswith("- ") else "") for fact in facts
    ).replace(".\n- Machine", ".\n\n- Machine", 1)
    return f"""{START_MARKER}
## Load: search and person pages (make load)

{wrapped}

{markdown(lines)}
{END_MARKER}
"""


def write_docs(docs: Path, text: str, markers: tuple[str, str] = (START_MARKER, END_MARKER)) -> None:
    """Replace the section of ``docs`` between ``markers`` (the load section by default), or add it; leave the
    rest as it is."""
    start_marker, end_marker = markers
    current = docs.read_text() if docs.exists() else INTRO
    start, end = current.find(start_marker), current.find(end_marker)
    if start != -1 and end > start:
        updated = current[:start] + text.rstrip("\n") + current[end + len(end_marker) :]
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    docs.write_text(updated)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stats_csv", type=Path, help="locust's <prefix>_stats.csv")
    parser.add_argument("--failures", type=Path, help="locust's <prefix>_failures.csv, printed when requests failed")
    parser.add_argument("--docs", type=Path, help="write the figures into this file's load section")
    parser.add_argument("--postgres-version", default="unknown", help="the server's version, for the docs")
    options = parser.parse_args(argv)

    rows = read_rows(options.stats_csv)
    lines = table(rows)
    print(markdown(lines))
    found = problems(rows)
    if found:
        print("\nLoad test FAILED:", *found, sep="\n  ", file=sys.stderr)
        if options.failures and options.failures.exists():
            print("\nFailures (locust):", options.failures.read_text(), sep="\n", file=sys.stderr)
        return 1
    if options.docs:
        write_docs(options.docs, section(lines, options.postgres_version))
        print(f"\nFigures written to {options.docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
