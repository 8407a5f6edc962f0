"""The clusters' long work, run by the job queue's workers (jobs)."""

from django.utils.translation import gettext as _

from jobs.models import Job
from jobs.services import job_task, merge_job, start_merge_job

from .models import Organisation
from .services import merge_organisations


@job_task
def merge_organisations_job(job, progress):
    return merge_job(merge_organisations, Organisation, job, _("Open the organisation"))


def start_merge(*, keep, other, user) -> Job:
    return start_merge_job(merge_organisations_job, keep=keep, other=other, user=user)
