"""The queue's own periodic tasks (``jobs.schedule``): recovering the jobs of dead workers, deleting old files,
forgetting the queue's records of runs finished long ago."""

from django_tasks import task

from . import services


@task()
def reap_stalled_jobs() -> int:
    return services.reap_stalled_jobs()


@task()
def delete_expired_files() -> int:
    from .imports import delete_old_uploads

    return services.delete_expired_files() + delete_old_uploads()


@task()
def prune_queue() -> int:
    return services.prune_queue()
