"""The contacts' long work, run by the job queue's workers (jobs)."""

from jobs.services import job_task

from .exports import write_export_file


@job_task
def export_people_file(job, progress):
    return write_export_file(job, progress)
