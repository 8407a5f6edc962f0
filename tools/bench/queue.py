"""The job queue with real workers (`manage.py worker`), on a database `make bench` prepared:

- click to done: the directory's CSV of every person asked for through the view as a user does (the request only
  records the job: its time is reported), one worker writing it; the time until the job is done, its rows per
  second, and the worker's peak resident memory;
- throughput: 100 small jobs (the CSV of one person each) through two workers, in jobs per second.

    DATABASE_URL=postgres://…/crm_bench_10000 .venv/bin/python -m tools.bench.queue

Prints one JSON object.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MEDIA_ROOT = tempfile.mkdtemp(prefix="crm-bench-queue-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DEBUG", "false")
os.environ["MEDIA_ROOT"] = MEDIA_ROOT

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

from contacts.exports import start_export_job  # noqa: E402
from contacts.models import Person  # noqa: E402
from jobs.models import Job  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
SMALL_JOBS = 100


def start_worker() -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603  (our interpreter, our manage.py)
        [sys.executable, "manage.py", "worker", "--no-reload", "--no-startup-delay", "--verbosity", "0"],
        cwd=PROJECT_ROOT,
        env=os.environ.copy(),
        # What the worker prints (the console email backend's emails: the demo's follow-ups bring daily digests)
        # goes to stderr: stdout carries this module's JSON.
        stdout=sys.stderr,
    )


def peak_rss_mb(process: subprocess.Popen) -> float:
    """The process's maximum resident set so far (VmHWM), in MB."""
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_done(jobs, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while Job.objects.filter(pk__in=jobs).exclude(status__in=Job.FINISHED).exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"The jobs did not finish within {timeout} s.")
        time.sleep(0.05)
    failed = Job.objects.filter(pk__in=jobs).exclude(status=Job.Status.DONE)
    if failed.exists():
        raise SystemExit(f"A job failed: {failed.first().error}")


def click_to_done(user) -> dict:
    client = Client()
    client.force_login(user)
    client.get("/contacts/", {"q": "a"})  # warm the process, as a running server is
    worker = start_worker()
    try:
        time.sleep(3)  # the worker's start-up (Django, the apps) is not the job's time
        started = time.perf_counter()
        response = client.get("/contacts/export/", {"format": "csv"})
        request_seconds = time.perf_counter() - started
        if response.status_code != 303:
            raise SystemExit(f"The export answered {response.status_code}, not 303 to a job.")
        job = Job.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])
        wait_until_done([job.pk], timeout=3600)
        seconds = time.perf_counter() - started
        job.refresh_from_db()
        memory = peak_rss_mb(worker)
    finally:
        stop(worker)
    return {
        "rows": job.rows,
        "request_ms": request_seconds * 1000,
        "seconds": seconds,
        "rows_per_second": job.rows / seconds,
        "worker_peak_rss_mb": memory,
    }


def throughput(user) -> dict:
    slugs = list(Person.objects.contactable().order_by("pk").values_list("slug", flat=True)[:SMALL_JOBS])
    workers = [start_worker(), start_worker()]
    time.sleep(3)  # their start-up
    started = time.perf_counter()
    jobs = [
        start_export_job(
            user=user,
            export_format="csv",
            origin="directory",
            filters={"q": slug},
            source={"query": {"q": [slug]}},
        ).pk
        for slug in slugs
    ]
    try:
        wait_until_done(jobs, timeout=600)
    finally:
        for worker in workers:
            stop(worker)
    seconds = time.perf_counter() - started
    return {"jobs": len(jobs), "seconds": seconds, "jobs_per_second": len(jobs) / seconds}


def main() -> None:
    user, _created = get_user_model().objects.get_or_create(
        username="bench-superuser", defaults={"is_staff": True, "is_superuser": True}
    )
    try:
        result = {"click_to_done": click_to_done(user), "throughput": throughput(user)}
    finally:
        shutil.rmtree(MEDIA_ROOT, ignore_errors=True)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
