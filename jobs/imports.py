"""Imports on the job queue: the preview, then the import itself, each a job of its own.

The admin (``ImportJobAdminMixin``) and ``import_contacts --background`` keep the uploaded file in the storage
(``IMPORTS_FOLDER``, kept ``IMPORT_UPLOAD_HOURS``) and start a job that runs an importer: a function
``(file, *, dry_run, skip_invalid_rows, limits, file_name, progress) -> core.imports.ImportReport`` named by its
dotted path (``contacts.imports.import_people``, ``clusters.imports.import_organisations``). The preview is the
import run in a transaction that is rolled back; its page lists what each row will do, and its "Import" button
starts the import of the same file. Both show their progress, can be cancelled until the import commits (the
transaction is rolled back), and end with their report: counts, how the file was read, the columns not used, the
rows rejected and why, and a file of the rejected rows to correct and import again.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from core.tables import TableError, TableLimits

from .models import Job
from .services import JobFailed, JobOutcome, job_task, start_job

IMPORTS_FOLDER = "imports"


def store_upload(data: bytes, file_name: str) -> str:
    """Keep an uploaded file for its import: in a folder of its own, under a name that is safe in a path."""
    name = get_valid_filename(file_name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])[:100] or "import"
    return default_storage.save(f"{IMPORTS_FOLDER}/{uuid.uuid4().hex}/{name}", ContentFile(data))


def start_import(
    *,
    importer: str,
    upload: str,
    file_name: str,
    owner,
    apply: bool,
    skip_invalid_rows: bool,
    permissions: list[str],
    subject: str,
    preview: Job | None = None,
    mapping: dict[str, str] | None = None,
    import_url: str = "",
) -> Job:
    """Start the preview (``apply=False``) or the import of the file kept at ``upload``. ``mapping``: what staff
    said the file's columns hold; ``import_url``: the back-office page the import was started from."""
    if apply:
        title = _("Import of %(file)s (%(subject)s)") % {"file": file_name, "subject": subject}
    else:
        title = _("Preview of the import of %(file)s (%(subject)s)") % {"file": file_name, "subject": subject}
    return start_job(
        task_function=run_import,
        kind=Job.Kind.IMPORT,
        title=title,
        owner=owner,
        params={
            "importer": importer,
            "upload": upload,
            "file_name": file_name,
            "apply": apply,
            "skip_invalid_rows": skip_invalid_rows,
            "permissions": permissions,
            "subject": subject,
            "preview": preview.pk if preview is not None else None,
            "mapping": mapping or {},
            "import_url": import_url,
        },
    )


def may_import(user, job: Job) -> bool:
    return user is not None and user.is_active and user.has_perms(job.params.get("permissions", []))


def can_apply(job: Job) -> bool:
    """Whether the preview ``job`` may be followed by the import: it ended, found something to write, and either
    rejects no row or was asked to leave the rejected rows out."""
    result = job.result
    if job.kind != Job.Kind.IMPORT or job.params.get("apply") or job.status != Job.Status.DONE:
        return False
    counts = result.get("counts", {})
    if counts.get("rejected") and not job.params.get("skip_invalid_rows"):
        return False
    return bool(counts.get("new") or counts.get("update"))


def import_data(job: Job, progress) -> JobOutcome:
    """The work of an import job: the importer run on the kept file, in the language of the person who asked."""
    params = job.params
    if job.owner is not None and not may_import(job.owner, job):
        raise JobFailed(_("The person who asked for this import may no longer import these records."))
    try:
        upload = default_storage.open(params["upload"], "rb")
    except FileNotFoundError:
        raise JobFailed(_("The file to import is no longer kept: nothing was written. Choose it again.")) from None
    with upload:
        # The importer reads the stored file as a stream: a file of a hundred thousand rows is never held whole.
        return _run_importer(job, progress, upload)


def _run_importer(job: Job, progress, upload) -> JobOutcome:
    params = job.params
    importer = import_string(params["importer"])

    def report_progress(done: int, total: int) -> None:
        progress.update(done, total=total)

    options = {"mapping": params["mapping"]} if params.get("mapping") else {}
    try:
        report = importer(
            upload,
            dry_run=not params["apply"],
            skip_invalid_rows=params["skip_invalid_rows"],
            limits=TableLimits.for_batch(),
            file_name=params["file_name"],
            progress=report_progress,
            **options,
        )
    except TableError as error:
        columns = getattr(error, "columns", None)
        if columns and not params["apply"]:
            # A spreadsheet whose columns are not recognised: its page asks which column holds what.
            return JobOutcome(result={"refused": str(error), "columns": columns})
        raise JobFailed(str(error)) from None
    stored = file_name = ""
    if report.rejected_file:
        file_name = _("rejected-rows-%(file)s") % {"file": params["file_name"].rsplit(".", 1)[0]}
        file_name = f"{get_valid_filename(file_name)[:90]}.csv"
        stored = default_storage.save(job.file_path(file_name), ContentFile(report.rejected_file))
    result = report.as_dict()
    done = sum(report.counts[action] for action in ("new", "update", "unchanged", "rejected"))
    return JobOutcome(
        rows=done,
        file=stored,
        file_name=file_name,
        content_type="text/csv; charset=utf-8" if stored else "",
        result=result,
    )


@job_task
def run_import(job, progress):
    return import_data(job, progress)


def delete_old_uploads(now=None) -> int:
    """The uploaded files kept longer than ``IMPORT_UPLOAD_HOURS``: a preview is confirmed within the day, or
    chosen again. How many went."""
    now = now or timezone.now()
    limit = now - timedelta(hours=settings.IMPORT_UPLOAD_HOURS)
    deleted = 0
    try:
        folders, _files = default_storage.listdir(IMPORTS_FOLDER)
    except FileNotFoundError:
        return 0
    for folder in folders:
        path = f"{IMPORTS_FOLDER}/{folder}"
        for name in default_storage.listdir(path)[1]:
            if default_storage.get_modified_time(f"{path}/{name}") <= limit:
                default_storage.delete(f"{path}/{name}")
                deleted += 1
    return deleted
