"""Our layer over django-tasks: jobs people can follow, retried with backoff, recovered when a worker dies.

django-tasks (and its database backend, django-tasks-db) queues a task and runs it once on a worker process.
What a CRM needs besides, and the library leaves to its users, is here:

- ``start_job`` records a ``Job`` and enqueues its task once the transaction commits;
- ``job_task`` turns a function ``(job, progress) -> JobOutcome`` into a django-tasks task that claims the job,
  keeps it alive with a heartbeat, records its progress, and finishes, retries or fails it;
- ``reap_stalled_jobs`` gives the jobs of a worker that stopped beating (killed, out of memory, machine gone)
  to another worker, or fails them when they have had all their attempts;
- ``cancel_job``, ``retry_job``; ``delete_expired_files``.

Every change of a job's state is one conditional UPDATE that names the state it leaves (and the attempt, for a
running job), so a worker, the reaper and a person cancelling can never both win.
"""

import functools
import logging
import os
import socket
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import task

from .models import Job

logger = logging.getLogger(__name__)


class JobInterrupted(Exception):
    """The job was cancelled, or given to another worker: this run stops and leaves no file."""


class JobFailed(Exception):
    """A failure that a retry cannot mend (the person lost the permission, the list was deleted): the job fails
    at once, and its message is what the person who asked is told."""


@dataclass
class JobOutcome:
    """What a finished job leaves: its file in the storage (already complete), how many rows, anything else."""

    rows: int = 0
    file: str = ""
    file_name: str = ""
    content_type: str = ""
    result: dict = field(default_factory=dict)


def merge_job(merge, model, job: Job, open_label: str) -> JobOutcome:
    """The work of a merge job (``params``: the keys of the record kept and of the other): the merge service
    ``merge`` of ``model``, and a link to the record kept, labelled ``open_label``."""
    from core.merging import merge_by_keys

    merged = merge_by_keys(merge, model, keep_pk=job.params["keep"], other_pk=job.params["other"], user=job.owner)
    if merged is None:
        raise JobFailed(_("These two records cannot be merged: one no longer exists."))
    message, keep = merged
    return JobOutcome(
        rows=1, result={"summary": message, "links": [{"url": keep.get_absolute_url(), "label": open_label}]}
    )


def start_merge_job(task_function, *, keep, other, user) -> Job:
    return start_job(
        task_function=task_function,
        kind=Job.Kind.OTHER,
        title=_("Merge of “%(other)s” into “%(keep)s”") % {"other": other, "keep": keep},
        owner=user,
        params={"keep": keep.pk, "other": other.pk},
    )


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def start_job(*, task_function, kind: str, title: str, owner, params: dict, total: int | None = None) -> Job:
    """Record a job and enqueue it when the current transaction commits (at once outside one)."""
    job = Job.objects.create(
        kind=kind,
        title=title[:200],
        owner=owner,
        task_path=task_function.module_path,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        params=params,
        total=total,
        max_attempts=settings.JOBS_MAX_ATTEMPTS,
    )
    transaction.on_commit(functools.partial(_enqueue, job.pk))
    return job


def _enqueue(job_pk: int, run_after=None) -> None:
    job = Job.objects.get(pk=job_pk)
    job_task_ = import_string(job.task_path)
    if run_after is not None:
        job_task_ = job_task_.using(run_after=run_after)
    result = job_task_.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))


class Progress:
    """What a running job tells the CRM: rows done (and the total, once known).

    The work only records them; a thread of the job (``_Reporter``), on a database connection of its own, writes
    them every ``JOBS_PROGRESS_EVERY`` seconds with the job's proof of life. Each write is one UPDATE that changes
    nothing if the job is no longer this worker's (cancelled, or given to another worker by the reaper), and the
    next ``update`` then stops the work. The work's own connection never writes while it reads: on SQLite, a
    connection whose read began before another connection's commit may not write until it ends the read."""

    def __init__(self, job: Job):
        self.job = job
        self.rows = 0
        self.total = None
        self.interrupted = threading.Event()

    def update(self, rows: int, *, total: int | None = None, force: bool = False) -> None:
        """Record progress. ``force`` writes it at once, from the calling thread: only between two reads."""
        self.rows = rows
        if total is not None:
            self.total = total
        if force:
            self.write()
        if self.interrupted.is_set():
            raise JobInterrupted

    def write(self) -> None:
        changes = {"rows": self.rows, "heartbeat_at": timezone.now()}
        if self.total is not None:
            changes["total"] = self.total
        if not _this_run(self.job).transition(**changes):
            self.interrupted.set()


def _this_run(job: Job):
    return Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts)


class _Reporter(threading.Thread):
    """Writes a running job's progress and its proof of life: at most every JOBS_PROGRESS_EVERY seconds while
    rows are done, and every JOBS_HEARTBEAT seconds however busy the work is between two reports (a long query,
    a workbook being saved)."""

    def __init__(self, progress: Progress):
        super().__init__(name=f"job-{progress.job.pk}", daemon=True)
        self.progress = progress
        self.stopped = threading.Event()

    def run(self) -> None:
        written, last_beat = self.progress.rows, time.monotonic()
        try:
            while not self.stopped.wait(settings.JOBS_PROGRESS_EVERY):
                now = time.monotonic()
                if self.progress.rows != written or now - last_beat >= settings.JOBS_HEARTBEAT:
                    written, last_beat = self.progress.rows, now
                    try:
                        self.progress.write()
                    except DatabaseError:
                        # On SQLite, an import's transaction holds the only write lock until it commits: the
                        # next beat is written then. The connection is closed so that the next one is fresh.
                        logger.warning("The progress of job %s could not be written yet", self.progress.job.pk)
                        connection.close()
        except Exception:
            logger.exception("The progress of job %s could not be written", self.progress.job.pk)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join()


def job_task(function):
    """A django-tasks task running ``function(job, progress)`` for a job (``start_job(task_function=…)``).

    The function returns a ``JobOutcome``; a file it names must be complete in the storage before it returns:
    the job offers it only once the job is marked done. It raises ``JobFailed`` for a failure not worth a
    retry; any other exception is retried after a pause that doubles each time, up to the job's attempts."""

    @functools.wraps(function)
    def run(job_pk: int) -> str:
        return run_job(job_pk, function)

    return task()(run)


def run_job(job_pk: int, function) -> str:
    now = timezone.now()
    claimed = (
        Job.objects.filter(pk=job_pk, status=Job.Status.QUEUED)
        .filter(attempts__lt=F("max_attempts"))
        .transition(
            status=Job.Status.RUNNING,
            attempts=F("attempts") + 1,
            worker=worker_name(),
            started_at=now,
            heartbeat_at=now,
            rows=0,
        )
    )
    if not claimed:
        # Cancelled before it started, or already taken by another worker after the reaper re-queued it.
        return "skipped"
    job = Job.objects.get(pk=job_pk)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        return _run(job, function)


def _run(job: Job, function) -> str:
    """The work of ``job``, claimed by this worker, in the language of the person who asked for it (the file's
    headings, the messages they read)."""
    progress = Progress(job)
    reporter = _Reporter(progress)
    reporter.start()
    try:
        outcome = function(job, progress)
    except JobInterrupted:
        return "interrupted"
    except JobFailed as error:
        _fail(job, str(error), traceback.format_exc())
        return "failed"
    except Exception as error:
        logger.exception("Job %s (%s) failed on attempt %s", job.pk, job.task_path, job.attempts)
        _retry_or_fail(job, error, traceback.format_exc())
        return "failed"
    finally:
        reporter.stop()
    finished = timezone.now()
    done = _this_run(job).transition(
        status=Job.Status.DONE,
        rows=outcome.rows,
        file=outcome.file,
        file_name=outcome.file_name,
        content_type=outcome.content_type,
        result=outcome.result,
        error="",
        finished_at=finished,
        heartbeat_at=finished,
        expires_at=finished + timedelta(days=settings.JOB_FILE_DAYS) if outcome.file else None,
    )
    if not done:
        # Cancelled while its last rows were written: the file is not offered, so it goes.
        _delete_file(outcome.file)
        return "interrupted"
    return "done"


def retry_pause(attempt: int) -> timedelta:
    """The pause before attempt ``attempt + 1``: JOBS_RETRY_PAUSE, doubled after each failed attempt."""
    return timedelta(seconds=settings.JOBS_RETRY_PAUSE * 2 ** max(attempt - 1, 0))


def _retry_or_fail(job: Job, error: BaseException, detail: str) -> None:
    if job.attempts < job.max_attempts:
        run_after = timezone.now() + retry_pause(job.attempts)
        requeued = _this_run(job).transition(
            status=Job.Status.QUEUED,
            error=_("Attempt %(attempt)s failed; the job will be tried again.") % {"attempt": job.attempts},
            error_detail=detail,
        )
        if requeued:
            transaction.on_commit(functools.partial(_enqueue, job.pk, run_after))
        return
    _fail(job, _("The job failed after %(attempts)s attempts.") % {"attempts": job.attempts}, detail)


def _fail(job: Job, message: str, detail: str) -> None:
    _this_run(job).transition(status=Job.Status.FAILED, error=message, error_detail=detail, finished_at=timezone.now())


def cancel_job(job: Job) -> bool:
    """Cancel a queued or running job. A running job stops at its next progress report and leaves no file."""
    with translation.override(job.language or settings.LANGUAGE_CODE):
        message = _("Cancelled.")
    return bool(
        Job.objects.filter(pk=job.pk, status__in=Job.ACTIVE).transition(
            status=Job.Status.CANCELLED, finished_at=timezone.now(), error=message
        )
    )


def retry_job(job: Job) -> bool:
    """Run a failed or cancelled job again, from the start, with all its attempts."""
    retried = Job.objects.filter(pk=job.pk, status__in=(Job.Status.FAILED, Job.Status.CANCELLED)).transition(
        status=Job.Status.QUEUED,
        attempts=0,
        rows=0,
        error="",
        error_detail="",
        started_at=None,
        finished_at=None,
        heartbeat_at=None,
    )
    if retried:
        transaction.on_commit(functools.partial(_enqueue, job.pk))
    return bool(retried)


def reap_stalled_jobs() -> int:
    """Jobs whose worker stopped beating for JOBS_STALLED_AFTER seconds go back to the queue, or fail once they
    have had all their attempts; queued jobs whose queue entry was lost are enqueued again. How many."""
    limit = timezone.now() - timedelta(seconds=settings.JOBS_STALLED_AFTER)
    reaped = 0
    for job in Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=limit):
        with translation.override(job.language or settings.LANGUAGE_CODE):
            message = _("The worker running this job stopped (attempt %(attempt)s).") % {"attempt": job.attempts}
        if job.attempts < job.max_attempts:
            if _this_run(job).filter(heartbeat_at__lt=limit).transition(status=Job.Status.QUEUED, error=message):
                transaction.on_commit(functools.partial(_enqueue, job.pk))
                reaped += 1
        elif (
            _this_run(job)
            .filter(heartbeat_at__lt=limit)
            .transition(status=Job.Status.FAILED, error=message, finished_at=timezone.now())
        ):
            reaped += 1
    reaped += _enqueue_lost(limit)
    return reaped


def _enqueue_lost(limit) -> int:
    """Queued jobs whose queue entry is gone or finished (a process that stopped between recording the job and
    enqueueing it, an entry pruned by hand): they would wait for ever."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).values_list("id", flat=True)
    lost = Job.objects.filter(status=Job.Status.QUEUED, created_at__lt=limit).exclude(
        task_id__in=[str(pk) for pk in waiting]
    )
    count = 0
    for job in lost.only("pk"):
        _enqueue(job.pk)
        count += 1
    return count


def _delete_file(name: str) -> None:
    if name:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("Could not delete %s", name)


def delete_expired_files(orphans_older_than: timedelta = timedelta(hours=1)) -> int:
    """Delete the files of expired jobs, and the files in the jobs' folder that no job offers (what a worker
    killed while saving left behind, a cancelled job's last file) once they are ``orphans_older_than`` old: a
    job saves its file before it is marked done, and a file that young may be one about to be offered. A
    running job's folder is left alone. How many files went."""
    deleted = 0
    now = timezone.now()
    for job in Job.objects.filter(expires_at__lte=now).exclude(file=""):
        if Job.objects.filter(pk=job.pk, file=job.file).transition(file=""):
            _delete_file(job.file)
            deleted += 1
    # The running jobs first, then the files offered: a job that finishes in between is in one or the other.
    active = {str(pk) for pk in Job.objects.active().values_list("pk", flat=True)}
    offered = set(Job.objects.exclude(file="").values_list("file", flat=True))
    try:
        job_folders, _files = default_storage.listdir(Job.FILES_FOLDER)
    except FileNotFoundError:
        return deleted
    for folder in job_folders:
        if folder in active:
            continue
        for name in _files_under(f"{Job.FILES_FOLDER}/{folder}"):
            if name not in offered and default_storage.get_modified_time(name) <= now - orphans_older_than:
                _delete_file(name)
                deleted += 1
    return deleted


def _files_under(folder: str):
    folders, files = default_storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _files_under(f"{folder}/{sub}")


def prune_queue(days: int = 7) -> int:
    """The queue's own records of finished runs (django-tasks-db's ``DBTaskResult``) older than ``days``: the
    jobs keep what people and administrators read. How many went."""
    from django_tasks_db.models import DBTaskResult

    deleted, _by_model = (
        DBTaskResult.objects.finished().filter(finished_at__lt=timezone.now() - timedelta(days=days)).delete()
    )
    return deleted
