"""The job queue with real worker processes (`manage.py worker`, as `make worker` starts them), on SQLite and on
PostgreSQL: a large export completes with every row; two workers share twenty jobs and each runs once; a worker
killed with SIGKILL in the middle of an export never leaves a partial file offered as complete."""

import csv
import io
import os
import signal
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client, override_settings

from contacts.models import Person
from contacts.search import search_text_of
from jobs import services
from jobs.models import Job
from tests.processes import connected_to, copy_of_the_test_database, start_worker, stop, wait_for

from .tasks import note_the_run

# One test process runs them all, one after the other: they share a copy of its database and start processes.
pytestmark = [pytest.mark.xdist_group("workers"), pytest.mark.django_db]

# A worker that reports often and is declared dead quickly, so that a test takes seconds.
FAST = {
    "JOBS_PROGRESS_EVERY": 0.05,
    "JOBS_HEARTBEAT": 0.5,
    "JOBS_STALLED_AFTER": 2,
    "JOBS_SCHEDULER_INTERVAL": 0.2,
    "JOBS_RETRY_PAUSE": 0,
}


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("workers")
    with django_db_blocker.unblock(), copy_of_the_test_database(folder) as database:
        yield {"database": database, "media": folder / "media", "folder": folder}


@pytest.fixture
def workers(shared, request):
    """Starts workers on the copy of the test database, which the test itself writes to."""
    started = []
    log = shared["folder"] / f"{request.node.name}.log"

    def start(**settings):
        process = start_worker(database_url, shared["media"], log, **{**FAST, **settings})
        started.append(process)
        return process

    start.log = log
    with connected_to(shared["database"]) as database_url:
        with override_settings(MEDIA_ROOT=shared["media"], EXPORT_DIRECT_MAX_ROWS=10):
            yield start
        for process in started:
            stop(process)
        Job.objects.all().delete()


def exporter_client(username) -> Client:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username, f"{username}@example.org", "correct-horse-battery-staple")
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_person", "export_contacts"], content_type__app_label="contacts")
    )
    client = Client()
    client.force_login(user)
    return client


def make_people(count: int, prefix: str) -> None:
    """``count`` people the directory finds by ``prefix``, written at once, their search text as the signals
    would write it."""
    Person.objects.bulk_create(
        (
            Person(
                given_name=f"{prefix}{number}",
                family_name="Worker",
                slug=f"{prefix.lower()}-{number}",
                search_text=search_text_of(
                    given_name=f"{prefix}{number}", family_name="Worker", titles=[], organisations=[], contact_values=[]
                ),
            )
            for number in range(count)
        ),
        batch_size=5_000,
    )


def csv_lines(client, job: Job) -> list[dict]:
    response = client.get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200
    data = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(data), delimiter=";"))


def test_an_export_larger_than_the_direct_threshold_completes_with_every_row(workers):
    make_people(250, "Large")
    client = exporter_client("large-exporter")
    workers()
    response = client.get("/contacts/export/", {"format": "csv", "q": "large"})
    assert response.status_code == 303
    job = Job.objects.get(pk=response["Location"].split("/")[2])
    wait_for(lambda: Job.objects.filter(pk=job.pk, status="done").exists(), what="the export", log=workers.log)
    status = client.get(response["Location"], HTTP_ACCEPT="application/json").json()
    assert (status["status"], status["rows"], status["total"], status["progress"]) == ("done", 250, 250, 1.0)
    rows = csv_lines(client, job)
    assert sorted(row["Prénom"] for row in rows) == sorted(f"Large{number}" for number in range(250))


def test_two_workers_share_twenty_jobs_and_each_job_runs_once(workers, shared):
    runs = shared["folder"] / "runs.txt"
    jobs = [
        services.start_job(
            task_function=note_the_run,
            kind=Job.Kind.OTHER,
            title=f"Job {number}",
            owner=None,
            params={"runs_file": str(runs), "pause": 0.4},
        )
        for number in range(20)
    ]
    first, second = workers(), workers()
    wait_for(lambda: Job.objects.filter(status="done").count() == 20, timeout=90, what="twenty jobs", log=workers.log)
    lines = [line.split() for line in runs.read_text().splitlines()]
    assert Counter(job for job, _pid in lines) == {str(job.pk): 1 for job in jobs}
    assert {pid for _job, pid in lines} == {str(first.pid), str(second.pid)}
    assert set(Job.objects.values_list("attempts", flat=True)) == {1}


def test_a_worker_killed_mid_export_never_leaves_a_partial_file_offered_as_complete(workers):
    make_people(30_000, "Killed")
    client = exporter_client("killed-exporter")
    first = workers()
    response = client.get("/contacts/export/", {"format": "csv", "q": "killed"})
    job = Job.objects.get(pk=response["Location"].split("/")[2])
    running = wait_for(
        lambda: Job.objects.filter(pk=job.pk, status="running", rows__gt=0).first(),
        what="the export to be under way",
        log=workers.log,
    )
    first.send_signal(signal.SIGKILL)
    first.wait()
    job.refresh_from_db()
    assert job.rows < job.total == 30_000, "the export finished before the worker was killed"
    assert (job.status, job.file) == (Job.Status.RUNNING, "")
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 302
    # Another worker's reaper finds the job without a heartbeat and gives it to a worker: it starts again.
    workers()
    wait_for(
        lambda: Job.objects.filter(pk=job.pk, status="done").exists(), timeout=120, what="the retry", log=workers.log
    )
    job.refresh_from_db()
    assert (job.attempts, job.rows) == (2, 30_000)
    assert running.attempts == 1
    rows = csv_lines(client, job)
    assert len(rows) == 30_000
    assert len({row["Prénom"] for row in rows}) == 30_000


def test_an_export_cancelled_while_a_worker_writes_it_stops_and_leaves_no_file(workers, shared):
    make_people(30_000, "Cancelled")
    client = exporter_client("cancelling-exporter")
    workers()
    response = client.get("/contacts/export/", {"format": "csv", "q": "cancelled"})
    job = Job.objects.get(pk=response["Location"].split("/")[2])
    wait_for(
        lambda: Job.objects.filter(pk=job.pk, status="running", rows__gt=0).exists(),
        what="the export to be under way",
        log=workers.log,
    )
    assert client.post(f"/jobs/{job.pk}/cancel/").status_code == 302
    # The worker stops at its next report and is free for the next job.
    make_people(20, "After")
    response = client.get("/contacts/export/", {"format": "csv", "q": "after"})
    after = Job.objects.get(pk=response["Location"].split("/")[2])
    wait_for(lambda: Job.objects.filter(pk=after.pk, status="done").exists(), what="the next job", log=workers.log)
    job.refresh_from_db()
    assert (job.status, job.file, job.attempts) == (Job.Status.CANCELLED, "", 1)
    assert job.rows < 30_000
    assert not (shared["media"] / "jobs" / str(job.pk)).exists() or not any(
        (shared["media"] / "jobs" / str(job.pk)).rglob("*.csv")
    )


def test_a_worker_deletes_expired_files_and_files_no_job_offers(workers, shared):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from jobs.models import Schedule

    expired = Job.objects.create(kind=Job.Kind.EXPORT, title="old", task_path="t", status=Job.Status.DONE, attempts=1)
    name = default_storage.save(expired.file_path("old.csv"), ContentFile(b"old"))
    Job.objects.filter(pk=expired.pk).update(file=name, expires_at=timezone.now())
    orphan = default_storage.save(f"{Job.FILES_FOLDER}/0/1/lost.csv", ContentFile(b"lost"))
    an_hour_ago = (timezone.now() - timedelta(hours=1, seconds=1)).timestamp()
    os.utime(default_storage.path(orphan), (an_hour_ago, an_hour_ago))
    # Every periodic task due now, as on a new deployment.
    Schedule.objects.all().delete()
    workers()
    wait_for(
        lambda: not default_storage.exists(name) and not default_storage.exists(orphan),
        what="the expired files to go",
        log=workers.log,
    )
    expired.refresh_from_db()
    assert expired.file == ""
