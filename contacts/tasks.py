"""The contacts' long work, run by the job queue's workers (jobs)."""

from django.utils.translation import gettext as _

from jobs.models import Job
from jobs.services import JobOutcome, job_task, merge_job, start_job, start_merge_job

from .erasure import erase_person
from .exports import write_export_file
from .models import Person
from .services import merge_people


@job_task
def export_people_file(job, progress):
    return write_export_file(job, progress)


@job_task
def erase_personal_data(job, progress):
    """The GDPR erasure of one person (``contacts.erasure.erase_person``): it searches every text column of every
    table, 10 s at a million people (docs/benchmarks.md), too long for a web request."""
    report = erase_person(person_id=job.params["person_id"], user=job.owner)
    return JobOutcome(rows=1, result={"summary": report.summary()})


def start_erasure(person, user) -> Job:
    # The title names the record, not the person: it outlives the erasure.
    return start_job(
        task_function=erase_personal_data,
        kind=Job.Kind.ERASURE,
        title=_("Erasure of the personal data of person no. %(id)s") % {"id": person.pk},
        owner=user,
        params={"person_id": person.pk},
        total=1,
    )


@job_task
def merge_people_job(job, progress):
    return merge_job(merge_people, Person, job, _("Open the person"))


def start_merge(*, keep, other, user) -> Job:
    return start_merge_job(merge_people_job, keep=keep, other=other, user=user)
