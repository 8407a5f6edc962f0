"""The clusters' long work, run by the job queue's workers (jobs)."""

from django.utils.translation import gettext as _

from core.merging import merge_and_describe
from jobs.models import Job
from jobs.services import JobFailed, JobOutcome, job_task, start_job

from .models import Organisation
from .services import merge_organisations


@job_task
def merge_organisations_job(job, progress):
    keep = Organisation.objects.filter(pk=job.params["keep"]).first()
    other = Organisation.objects.filter(pk=job.params["other"]).first()
    if keep is None or other is None or job.owner is None:
        raise JobFailed(_("These two records cannot be merged: one no longer exists."))
    message = merge_and_describe(merge_organisations, keep=keep, other=other, user=job.owner)
    return JobOutcome(
        rows=1,
        result={"summary": message, "links": [{"url": keep.get_absolute_url(), "label": _("Open the organisation")}]},
    )


def start_merge(*, keep, other, user) -> Job:
    return start_job(
        task_function=merge_organisations_job,
        kind=Job.Kind.OTHER,
        title=_("Merge of “%(other)s” into “%(keep)s”") % {"other": other, "keep": keep},
        owner=user,
        params={"keep": keep.pk, "other": other.pk},
    )
