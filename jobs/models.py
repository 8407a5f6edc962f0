"""Long work done by a worker process, as staff see it: what was asked, by whom, how far it has got, its file.

A ``Job`` is the CRM's own record of a piece of long work; django-tasks' ``DBTaskResult`` is the queue's record
of one run of it. A job runs at most once at a time: a worker claims it by moving it from *queued* to *running*
and counting the attempt, and every later write of that worker names the attempt, so that a worker declared dead
by the reaper (``jobs.services.reap_stalled_jobs``) can no longer touch a job another worker has taken over.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=Job.ACTIVE)

    def of(self, user):
        return self.filter(owner=user)

    def transition(self, **changes) -> int:
        """``update(**changes)``, raising the version: every change of a job goes through here."""
        return self.update(version=F("version") + 1, **changes)


class Job(models.Model):
    class Kind(models.TextChoices):
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")
        ERASURE = "erasure", _("Erasure")
        OTHER = "other", _("Other work")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED)
    # The folder of Django's storage the jobs' files are written to, one subfolder per job.
    FILES_FOLDER = "jobs"

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        related_name="jobs",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    task_path = models.CharField(_("task"), max_length=200, help_text=_("The django-tasks task that does the work."))
    language = models.CharField(
        _("language"), max_length=10, blank=True, help_text=_("The language of the person who asked: the job's own.")
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    rows = models.PositiveBigIntegerField(_("rows done"), default=0)
    total = models.PositiveBigIntegerField(_("rows in all"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("attempts allowed"), default=3)
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    task_id = models.CharField(_("queue entry"), max_length=64, blank=True)
    file = models.CharField(_("file in storage"), max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("file type"), max_length=100, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True, help_text=_("What the person who asked for the job is told."))
    error_detail = models.TextField(_("error detail"), blank=True, help_text=_("The traceback, for administrators."))
    created_at = models.DateTimeField(_("asked at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("file kept until"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [
            models.Index(fields=["owner", "status"], name="job_owner_status_idx"),
            models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed", "cancelled"]), name="job_status_valid"
            ),
            models.CheckConstraint(condition=Q(attempts__lte=F("max_attempts")), name="job_attempts_within_max"),
            # A file is offered only by a finished job: a job still running has none, whatever is on the disk.
            models.CheckConstraint(condition=Q(file="") | Q(status="done"), name="job_file_only_when_done"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("jobs:job_detail", args=[self.pk])

    def file_path(self, name: str) -> str:
        """Where this attempt of the job writes ``name`` in the storage: a retry never writes over an earlier
        attempt's file, and every file of a job is in the job's own folder."""
        return f"{self.FILES_FOLDER}/{self.pk}/{self.attempts}/{name}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def has_file(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file) and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def progress(self) -> float:
        if self.status == self.Status.DONE:
            return 1.0
        if not self.total:
            return 0.0
        return min(self.rows / self.total, 1.0)

    @property
    def percent(self) -> int:
        return int(self.progress * 100)


class Schedule(models.Model):
    """When each periodic task (``jobs.schedule.PERIODIC_TASKS``) is due next. A worker enqueues a due task by
    moving its date on in one conditional UPDATE: of several workers, exactly one wins each run."""

    name = models.CharField(_("task"), max_length=200, unique=True)
    next_run_at = models.DateTimeField(_("next run"))
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("periodic task")
        verbose_name_plural = _("periodic tasks")

    def __str__(self):
        return self.name


class ImportMapping(models.Model):
    """What the columns of a kind of file hold, as staff said once on an import's page, to use again: a file's
    header → the column of the import it fills ("" for one to leave out)."""

    importer = models.CharField(_("import"), max_length=200, help_text=_("The import it is for (its function)."))
    name = models.CharField(_("name"), max_length=100, help_text=_("As staff choose it in the import form."))
    mapping = models.JSONField(_("columns"), default=dict)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        related_name="import_mappings",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("saved at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [
            models.UniqueConstraint(fields=["importer", "name"], name="import_mapping_unique_name"),
        ]

    def __str__(self):
        return self.name
