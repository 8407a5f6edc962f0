"""The job queue in one process: large exports through a job, their page, the download, cancel, retries with
backoff, the reaper, periodic tasks, expired files. Real worker processes: test_workers.py."""

import csv
import io
import os
import re
from datetime import timedelta

import openpyxl
import pytest
import vobject
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from contacts.models import ExportLog, Person
from jobs import schedule, services
from jobs.models import Job, Schedule
from tests.factories import ContactListFactory, EmailFactory, OrganisationFactory, PersonFactory, PositionFactory

from .conftest import run_queued_tasks
from .tasks import always_fails

pytestmark = pytest.mark.django_db


def downloaded_rows(response) -> list[dict]:
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def people(db):
    organisation = OrganisationFactory(name="Azkue Biotech")
    made = []
    for number in range(8):
        person = PersonFactory(given_name=f"Ane{number}", family_name="Arana")
        PositionFactory(person=person, organisation=organisation, title="Chercheuse")
        EmailFactory(person=person, email=f"ane{number}@azkue.example")
        made.append(person)
    PersonFactory(given_name="Left", family_name="Alone", do_not_contact=True)
    return made


def start_export(client, django_capture_on_commit_callbacks, url="/contacts/export/", **query):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url, {"format": "csv", **query})
    assert response.status_code == 303, response.status_code
    return response


def status_of(client, url) -> dict:
    response = client.get(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_a_large_export_goes_to_a_job_whose_page_follows_it_and_offers_every_row(
    exporter_client, exporter, people, large_exports, django_capture_on_commit_callbacks
):
    response = start_export(exporter_client, django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    # The request only records the job: the worker counts the people, and those it leaves out.
    assert (job.owner, job.kind, job.total, job.language) == (exporter, Job.Kind.EXPORT, None, "fr")
    assert job.title == "Export CSV — Recherche dans l’annuaire"
    assert status_of(exporter_client, response["Location"]) == {
        "id": job.pk,
        "title": job.title,
        "status": "queued",
        "progress": 0.0,
        "rows": 0,
        "total": None,
        "download_url": None,
        "error": None,
    }
    page = exporter_client.get(response["Location"])
    assert "En attente d’un worker." in page.content.decode()
    assert b'hx-trigger="every 1s"' in page.content
    assert b'http-equiv="refresh"' in page.content
    # Nothing has left the CRM yet: the download is what is logged.
    assert not ExportLog.objects.exists()

    assert run_queued_tasks() == 1

    status = status_of(exporter_client, response["Location"])
    assert (status["status"], status["progress"], status["rows"]) == ("done", 1.0, 8)
    assert status["download_url"] == f"/jobs/{job.pk}/download/"
    page = exporter_client.get(response["Location"]).content.decode()
    assert f'href="/jobs/{job.pk}/download/"' in page
    assert b'hx-trigger="every 1s"' not in page.encode()
    assert "8 sur 8 lignes" in page
    assert "1 personne qui a demandé à ne pas être contactée est exclue de l’export." in page

    download = exporter_client.get(status["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"].startswith('attachment; filename="contacts-')
    rows = downloaded_rows(download)
    assert sorted(row["Prénom"] for row in rows) == [f"Ane{number}" for number in range(8)]
    assert {row["Organisation"] for row in rows} == {"Azkue Biotech"}
    log = ExportLog.objects.get()
    assert (log.user, log.origin, log.export_format, log.row_count) == (exporter, "directory", "csv", 8)
    assert log.filters["job"] == job.pk


def test_the_job_writes_what_the_filters_choose(
    exporter_client, people, large_exports, django_capture_on_commit_callbacks
):
    PersonFactory(given_name="Other", family_name="Person")
    start_export(exporter_client, django_capture_on_commit_callbacks, q="arana")
    run_queued_tasks()
    job = Job.objects.get()
    assert job.rows == job.total == 8
    rows = downloaded_rows(exporter_client.get(f"/jobs/{job.pk}/download/"))
    assert {row["Nom"] for row in rows} == {"Arana"}


def test_a_jobs_xlsx_and_vcard_files_hold_every_person(
    exporter_client, people, large_exports, django_capture_on_commit_callbacks
):
    for export_format in ("xlsx", "vcf"):
        with django_capture_on_commit_callbacks(execute=True):
            assert exporter_client.get("/contacts/export/", {"format": export_format}).status_code == 303
    run_queued_tasks()
    xlsx_job, vcard_job = Job.objects.order_by("pk")
    workbook = openpyxl.load_workbook(
        io.BytesIO(b"".join(exporter_client.get(f"/jobs/{xlsx_job.pk}/download/").streaming_content))
    )
    names = sorted(row[1] for row in workbook.active.iter_rows(min_row=2, values_only=True))
    assert names == [f"Ane{number}" for number in range(8)]
    download = exporter_client.get(f"/jobs/{vcard_job.pk}/download/")
    assert download["Content-Type"] == "text/vcard; charset=utf-8"
    cards = list(vobject.readComponents(b"".join(download.streaming_content).decode()))
    assert sorted(card.n.value.given for card in cards) == [f"Ane{number}" for number in range(8)]


def test_every_way_out_of_a_large_export_goes_through_a_job(
    client, exporter, admin_user, people, large_exports, django_capture_on_commit_callbacks
):
    from django.test import Client

    client.force_login(exporter)
    # The API: a 303 to the job in the API, whose download is the API's too.
    response = start_export(client, django_capture_on_commit_callbacks, url="/api/people/export/")
    api_job = Job.objects.latest("pk")
    assert response["Location"] == f"/api/jobs/{api_job.pk}/"
    # A contact list.
    contact_list = ContactListFactory(name="Presse santé", slug="presse-sante")
    for person in people[:5]:
        contact_list.entries.create(person=person)
    start_export(client, django_capture_on_commit_callbacks, url="/contacts/lists/presse-sante/export/")
    # The back office's action on a selection.
    admin = Client()
    admin.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/admin/contacts/person/",
            {"action": "export_csv", "_selected_action": [person.pk for person in people[:4]]},
        )
    assert response.status_code == 303
    admin_job = Job.objects.latest("pk")
    assert response["Location"] == f"/jobs/{admin_job.pk}/"
    assert admin_job.params["source"] == {"ids": sorted(person.pk for person in people[:4])}

    assert run_queued_tasks() == 3
    api_status = client.get(f"/api/jobs/{api_job.pk}/").json()
    assert (api_status["status"], api_status["rows"]) == ("done", 8)
    assert api_status["download_url"] == f"http://testserver/api/jobs/{api_job.pk}/download/"
    assert len(downloaded_rows(client.get(api_status["download_url"]))) == 8
    list_job = Job.objects.get(params__origin="contact_list")
    assert len(downloaded_rows(client.get(f"/jobs/{list_job.pk}/download/"))) == 5
    assert len(downloaded_rows(admin.get(f"/jobs/{admin_job.pk}/download/"))) == 4
    assert sorted(ExportLog.objects.values_list("origin", "row_count")) == [
        ("admin", 4),
        ("api", 8),
        ("contact_list", 5),
    ]


def test_only_the_person_who_asked_downloads_and_only_while_they_may_export(
    exporter_client, exporter, user_with, people, large_exports, django_capture_on_commit_callbacks
):
    from django.test import Client

    start_export(exporter_client, django_capture_on_commit_callbacks)
    run_queued_tasks()
    job = Job.objects.get()
    other = Client()
    other.force_login(user_with("export_contacts"))
    # Someone else's job does not exist for them, in the pages and in the API.
    assert other.get(f"/jobs/{job.pk}/").status_code == 404
    assert other.get(f"/jobs/{job.pk}/download/").status_code == 404
    assert other.get(f"/api/jobs/{job.pk}/download/").status_code == 404
    assert other.get("/api/jobs/").json()["results"] == []
    # Anonymous visitors go to the login page.
    assert Client().get(f"/jobs/{job.pk}/download/").status_code == 302
    # The owner, once the permission is gone, is refused the file.
    exporter.user_permissions.remove(*exporter.user_permissions.filter(codename="export_contacts"))
    refused = exporter_client.get(f"/jobs/{job.pk}/download/", follow=True)
    assert refused.redirect_chain == [(f"/jobs/{job.pk}/", 302)]
    assert "Seule la personne qui a demandé ce fichier peut le télécharger." in refused.content.decode()
    assert not ExportLog.objects.exists()


def test_a_job_started_by_someone_who_lost_the_permission_fails_with_a_reason(
    exporter_client, exporter, people, large_exports, django_capture_on_commit_callbacks
):
    start_export(exporter_client, django_capture_on_commit_callbacks)
    exporter.user_permissions.remove(*exporter.user_permissions.filter(codename="export_contacts"))
    run_queued_tasks()
    job = Job.objects.get()
    assert (job.status, job.attempts, job.file) == (Job.Status.FAILED, 1, "")
    assert status_of(exporter_client, f"/jobs/{job.pk}/")["error"] == job.error
    assert job.error == "La personne qui a demandé cet export n’a plus le droit d’exporter des contacts."


def test_a_jobs_file_is_named_after_what_it_holds_as_a_direct_export_would_be(
    exporter_client, people, large_exports, django_capture_on_commit_callbacks
):
    contact_list = ContactListFactory(name="Chercheuses d’Azkue", slug="chercheuses")
    for person in people:
        contact_list.entries.create(person=person)
    start_export(exporter_client, django_capture_on_commit_callbacks, url="/en/contacts/lists/chercheuses/export/")
    run_queued_tasks()
    job = Job.objects.get()
    download = exporter_client.get(f"/en/jobs/{job.pk}/download/")
    pattern = r"list-chercheuses-d-azkue-\d{4}-\d{2}-\d{2}-\d{4}\.csv"
    assert re.fullmatch(rf'attachment; filename="{pattern}"', download["Content-Disposition"])
    assert re.search(rf"Download {pattern}", exporter_client.get(f"/en/jobs/{job.pk}/").content.decode())


def start_full_export(client, people, django_capture_on_commit_callbacks):
    with translation.override("en"):
        url = reverse("admin:contacts_person_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"action": "export_everyone_csv", "_selected_action": [person.pk for person in people]}
        )
    assert response.status_code == 303, response.status_code
    return Job.objects.get()


def test_a_superusers_full_export_through_a_job_holds_everyone_and_is_logged_as_such(
    admin_client, admin_user, people, large_exports, django_capture_on_commit_callbacks
):
    job = start_full_export(
        admin_client, [*people, Person.objects.get(given_name="Left")], django_capture_on_commit_callbacks
    )
    assert run_queued_tasks() == 1
    job.refresh_from_db()
    assert (job.status, job.rows, job.total) == (Job.Status.DONE, 9, 9)
    page = admin_client.get(f"/en/jobs/{job.pk}/").content.decode()
    assert "9 of 9 rows" in page and "left out" not in page
    download = admin_client.get(f"/en/jobs/{job.pk}/download/")
    assert re.fullmatch(
        r'attachment; filename="contacts-full-selection-\d{4}-\d{2}-\d{2}-\d{4}\.csv"', download["Content-Disposition"]
    )
    rows = downloaded_rows(download)
    assert sorted(row["Given name"] for row in rows) == sorted([*(f"Ane{number}" for number in range(8)), "Left"])
    log = ExportLog.objects.get()
    assert (log.user, log.origin, log.row_count) == (admin_user, "admin", 9)
    assert log.filters == {"selected": 9, "include_do_not_contact": True, "job": job.pk}


def test_a_full_export_fails_if_its_owner_is_no_longer_a_superuser_when_it_runs(
    admin_client, admin_user, people, large_exports, django_capture_on_commit_callbacks
):
    job = start_full_export(
        admin_client, [*people, Person.objects.get(given_name="Left")], django_capture_on_commit_callbacks
    )
    admin_user.is_superuser = False
    admin_user.save()
    # Still a member of staff who may export: the people who asked not to be contacted are what is refused.
    admin_user.user_permissions.set(Permission.objects.filter(codename__in=["view_person", "export_contacts"]))
    run_queued_tasks()
    job.refresh_from_db()
    assert (job.status, job.file) == (Job.Status.FAILED, "")
    assert job.error == (
        "The person who asked for this export is no longer a superuser: only superusers may export the people who "
        "asked not to be contacted."
    )
    assert not ExportLog.objects.exists()


def test_cancelling_a_queued_job_means_it_never_runs(
    exporter_client, people, large_exports, django_capture_on_commit_callbacks, media
):
    start_export(exporter_client, django_capture_on_commit_callbacks)
    job = Job.objects.get()
    response = exporter_client.post(f"/jobs/{job.pk}/cancel/", follow=True)
    assert response.redirect_chain == [(f"/jobs/{job.pk}/", 302)]
    run_queued_tasks()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.file) == (Job.Status.CANCELLED, 0, "")
    assert status_of(exporter_client, f"/jobs/{job.pk}/")["status"] == "cancelled"
    assert not (media / "jobs").exists()


def test_a_running_job_cancelled_stops_at_its_next_report_and_leaves_no_file(exporter, media):
    job = services.start_job(
        task_function=always_fails, kind=Job.Kind.OTHER, title="Long work", owner=exporter, params={}
    )
    written = []

    def work(job, progress):
        name = default_storage.save(job.file_path("half.csv"), ContentFile(b"half"))
        written.append(name)
        services.cancel_job(job)
        progress.update(1, force=True)
        raise AssertionError("the work should have stopped")

    assert services.run_job(job.pk, work) == "interrupted"
    job.refresh_from_db()
    assert (job.status, job.file) == (Job.Status.CANCELLED, "")
    # The half-written file is no job's: the periodic clean-up takes it, once it is an hour old.
    assert services.delete_expired_files() == 0
    assert services.delete_expired_files(orphans_older_than=timedelta(0)) == 1
    assert not default_storage.exists(written[0])


def test_a_failed_attempt_is_retried_after_a_pause_that_doubles_then_the_job_fails(
    exporter, settings, django_capture_on_commit_callbacks
):
    settings.JOBS_RETRY_PAUSE = 30
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_job(
            task_function=always_fails, kind=Job.Kind.OTHER, title="Doomed", owner=exporter, params={}
        )
    pauses = []
    for attempt in (1, 2):
        before = timezone.now()
        with django_capture_on_commit_callbacks(execute=True):
            assert run_queued_tasks() == 1
        job.refresh_from_db()
        assert (job.status, job.attempts) == (Job.Status.QUEUED, attempt)
        assert job.error == f"La tentative {attempt} a échoué ; la tâche sera relancée."
        assert "the disk is full" in job.error_detail
        entry = DBTaskResult.objects.get(id=job.task_id)
        pauses.append(round((entry.run_after - before).total_seconds()))
        # Not before its time.
        assert run_queued_tasks() == 0
        DBTaskResult.objects.filter(id=job.task_id).update(run_after=timezone.now())
    assert pauses == [30, 60]
    run_queued_tasks()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.FAILED, 3)
    assert job.error == "La tâche a échoué après 3 tentatives."


def test_the_reaper_gives_a_dead_workers_job_to_another_and_the_dead_one_can_no_longer_touch_it(
    exporter, settings, django_capture_on_commit_callbacks
):
    settings.JOBS_STALLED_AFTER = 60
    job = services.start_job(task_function=always_fails, kind=Job.Kind.OTHER, title="Work", owner=exporter, params={})
    stale = timezone.now() - timedelta(seconds=61)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=1, heartbeat_at=stale)
    job.refresh_from_db()
    alive = services.start_job(
        task_function=always_fails, kind=Job.Kind.OTHER, title="Alive", owner=exporter, params={}
    )
    Job.objects.filter(pk=alive.pk).update(status=Job.Status.RUNNING, attempts=1, heartbeat_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reap_stalled_jobs() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.QUEUED, 1)
    assert job.error == "Le worker qui exécutait cette tâche s’est arrêté (tentative 1)."
    assert DBTaskResult.objects.filter(id=job.task_id, status="READY").exists()
    # The worker thought dead, if it was only slow, stops at its next report.
    with pytest.raises(services.JobInterrupted):
        services.Progress(Job(pk=job.pk, attempts=1)).update(5, force=True)
    # After its last attempt, a stalled job fails.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=3, heartbeat_at=stale)
    services.reap_stalled_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert Job.objects.get(pk=alive.pk).status == Job.Status.RUNNING


def test_periodic_tasks_are_enqueued_once_per_period_whoever_asks(settings):
    settings.JOBS_STALLED_AFTER = 60
    settings.JOBS_PERIODIC_TASKS = {}  # the queue's own tasks only (the apps' are tested with them)
    now = timezone.now()
    assert sorted(schedule.enqueue_due_tasks(now)) == [
        "jobs.tasks.delete_expired_files",
        "jobs.tasks.prune_queue",
        "jobs.tasks.reap_stalled_jobs",
    ]
    # A second worker looking at the same moment finds nothing due.
    assert schedule.enqueue_due_tasks(now) == []
    assert schedule.enqueue_due_tasks(now + timedelta(seconds=31)) == ["jobs.tasks.reap_stalled_jobs"]
    assert schedule.enqueue_due_tasks(now + timedelta(hours=1, seconds=1)) == [
        "jobs.tasks.reap_stalled_jobs",
        "jobs.tasks.delete_expired_files",
    ]
    assert DBTaskResult.objects.filter(task_path="jobs.tasks.reap_stalled_jobs").count() == 3
    assert Schedule.objects.count() == 3
    assert run_queued_tasks() == 6
    # A day later, the queue forgets the runs finished more than a week before.
    DBTaskResult.objects.filter(task_path="jobs.tasks.reap_stalled_jobs").update(finished_at=now - timedelta(days=8))
    assert services.prune_queue() == 3
    assert DBTaskResult.objects.count() == 3


def test_expired_files_and_files_no_job_offers_are_deleted(exporter, media):
    def job_with_file(status, expires_at=None, attempts=1):
        job = Job.objects.create(
            kind=Job.Kind.EXPORT, title="x", owner=exporter, task_path="t", status=status, attempts=attempts
        )
        name = default_storage.save(job.file_path("contacts.csv"), ContentFile(b"data"))
        if status == Job.Status.DONE:
            Job.objects.filter(pk=job.pk).update(file=name, expires_at=expires_at)
        return job, name

    expired, expired_file = job_with_file(Job.Status.DONE, timezone.now() - timedelta(minutes=1))
    kept, kept_file = job_with_file(Job.Status.DONE, timezone.now() + timedelta(days=1))
    _failed, failed_file = job_with_file(Job.Status.FAILED)
    _running, running_file = job_with_file(Job.Status.RUNNING)
    # An earlier attempt's partial file, beside the file a later attempt completed.
    partial = default_storage.save(kept.file_path("contacts.csv").replace("/1/", "/0/"), ContentFile(b"da"))
    orphan = default_storage.save(f"{Job.FILES_FOLDER}/999999/1/contacts.csv", ContentFile(b"lost"))

    # Files no job offers go once they are an hour old: younger, one may be about to be offered.
    assert services.delete_expired_files() == 1
    assert default_storage.exists(partial) and default_storage.exists(orphan)
    an_hour_ago = (timezone.now() - timedelta(hours=1, seconds=1)).timestamp()
    for name in (failed_file, partial, orphan):
        os.utime(default_storage.path(name), (an_hour_ago, an_hour_ago))
    assert services.delete_expired_files() == 3
    assert not any(default_storage.exists(name) for name in (expired_file, failed_file, partial, orphan))
    assert default_storage.exists(kept_file) and default_storage.exists(running_file)
    expired.refresh_from_db()
    assert (expired.status, expired.file, expired.has_file) == (Job.Status.DONE, "", False)


def test_the_header_shows_a_badge_while_a_job_of_mine_runs(exporter_client, exporter, seed):
    page = exporter_client.get("/contacts/").content.decode()
    assert 'href="/jobs/"' in page
    assert 'class="badge"' not in page.split("</nav>")[0]
    Job.objects.create(kind=Job.Kind.EXPORT, title="x", owner=exporter, task_path="t", status=Job.Status.RUNNING)
    Job.objects.create(kind=Job.Kind.EXPORT, title="y", owner=exporter, task_path="t", status=Job.Status.DONE)
    header = exporter_client.get("/contacts/").content.decode().split("</nav>")[0]
    assert '<span class="badge"' in header
    assert ">1</span>" in header


def test_my_exports_lists_my_jobs_only(exporter_client, exporter, user_with):
    mine = Job.objects.create(kind=Job.Kind.EXPORT, title="Mon export", owner=exporter, task_path="t")
    Job.objects.create(kind=Job.Kind.EXPORT, title="Pas le mien", owner=user_with(), task_path="t")
    page = exporter_client.get("/jobs/").content.decode()
    assert f'href="/jobs/{mine.pk}/"' in page
    assert "Mon export" in page and "Pas le mien" not in page


def test_administrators_see_every_job_and_run_a_failed_one_again_or_cancel_one(
    admin_client, exporter, django_capture_on_commit_callbacks
):
    failed = Job.objects.create(
        kind=Job.Kind.OTHER,
        title="Échoué",
        owner=exporter,
        task_path=always_fails.module_path,
        status=Job.Status.FAILED,
        attempts=3,
        error="The job failed after 3 attempts.",
    )
    queued = Job.objects.create(kind=Job.Kind.OTHER, title="En attente", owner=exporter, task_path="t")
    changelist = admin_client.get("/admin/jobs/job/").content.decode()
    assert "Échoué" in changelist and "En attente" in changelist
    assert admin_client.get(f"/jobs/{failed.pk}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/jobs/job/", {"action": "retry", "_selected_action": [failed.pk, queued.pk]})
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == (Job.Status.QUEUED, 0, "")
    assert DBTaskResult.objects.filter(id=failed.task_id, status="READY").exists()
    admin_client.post("/admin/jobs/job/", {"action": "cancel", "_selected_action": [queued.pk]})
    queued.refresh_from_db()
    assert queued.status == Job.Status.CANCELLED


def test_erasing_a_person_removes_the_export_files_that_name_them(
    exporter_client, people, large_exports, django_capture_on_commit_callbacks
):
    from contacts.erasure import erase_person

    start_export(exporter_client, django_capture_on_commit_callbacks)
    run_queued_tasks()
    job = Job.objects.get()
    stored = job.file
    erase_person(person=Person.objects.get(given_name="Ane3"))
    job.refresh_from_db()
    assert job.file == "" and not default_storage.exists(stored)
    assert status_of(exporter_client, f"/jobs/{job.pk}/")["download_url"] is None


def test_a_job_speaks_the_language_of_the_person_who_asked(
    exporter_client, people, large_exports, django_capture_on_commit_callbacks
):
    start_export(exporter_client, django_capture_on_commit_callbacks, url="/en/contacts/export/")
    job = Job.objects.get()
    assert (job.language, job.title) == ("en", "CSV export — Directory search")
    run_queued_tasks()
    rows = downloaded_rows(exporter_client.get(f"/en/jobs/{job.pk}/download/"))
    # The file's headings too.
    assert list(rows[0])[:9] == [
        "Identifier",
        "Given name",
        "Family name",
        "Organisation",
        "Job title",
        "Email",
        "Work emails",
        "Personal emails",
        "Phone",
    ]
    page = exporter_client.get(f"/en/jobs/{job.pk}/").content.decode()
    assert "8 of 8 rows" in page and "Download contacts-" in page


def test_an_export_written_while_someone_was_erased_is_written_again(
    exporter_client, people, large_exports, django_capture_on_commit_callbacks, media
):
    """The rows read before an erasure committed may hold the person; the file is dropped and the job retried."""
    from contacts.erasure import erase_person
    from contacts.exports import ErasedMeanwhile, write_export_file

    start_export(exporter_client, django_capture_on_commit_callbacks)
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, attempts=1, started_at=timezone.now() - timedelta(minutes=1)
    )
    job.refresh_from_db()
    erase_person(person=people[0])
    with pytest.raises(ErasedMeanwhile):
        write_export_file(job, services.Progress(job))
    assert not any(media.rglob("*.csv"))
    # Tried again, after the erasure: the person erased is not in the file.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, attempts=1)
    run_queued_tasks()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    names = {row["Prénom"] for row in downloaded_rows(exporter_client.get(f"/jobs/{job.pk}/download/"))}
    assert names == {f"Ane{number}" for number in range(1, 8)}
