"""Periodic tasks, which django-tasks does not have: each worker's scheduler thread enqueues the tasks due.

Each periodic task has a ``Schedule`` row with the date it is due next. Every JOBS_SCHEDULER_INTERVAL seconds
each worker runs, for each task, one UPDATE that moves a due date on by the task's period; the worker whose
UPDATE changed the row enqueues the task. An UPDATE is atomic on PostgreSQL and on SQLite alike, so however
many workers run, on however many machines, each run is enqueued once.
"""

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Schedule

logger = logging.getLogger(__name__)


def periodic_tasks() -> list[tuple[object, timedelta]]:
    """Each periodic task with its period, read from the settings when asked: the queue's own, then those the apps
    above list in JOBS_PERIODIC_TASKS ({dotted path: seconds}), which this app may not import by name."""
    from . import tasks

    return [
        # Half the time after which a job is declared stalled: a dead worker's job waits at most 1.5 times that.
        (tasks.reap_stalled_jobs, timedelta(seconds=settings.JOBS_STALLED_AFTER / 2)),
        (tasks.delete_expired_files, timedelta(hours=1)),
        (tasks.prune_queue, timedelta(days=1)),
        *(
            (import_string(path), timedelta(seconds=seconds))
            for path, seconds in getattr(settings, "JOBS_PERIODIC_TASKS", {}).items()
        ),
    ]


def enqueue_due_tasks(now=None) -> list[str]:
    """Enqueue every periodic task that is due and that no other worker enqueued first; their names."""
    now = now or timezone.now()
    enqueued = []
    for periodic_task, period in periodic_tasks():
        name = periodic_task.module_path
        try:
            Schedule.objects.get_or_create(name=name, defaults={"next_run_at": now})
        except IntegrityError:
            pass  # another worker created it at the same moment
        if Schedule.objects.filter(name=name, next_run_at__lte=now).update(next_run_at=now + period, last_run_at=now):
            periodic_task.enqueue()
            enqueued.append(name)
    return enqueued


class Scheduler(threading.Thread):
    """The worker's scheduler, a daemon thread beside the loop that runs tasks; it stops with the process."""

    def __init__(self, interval: float | None = None):
        super().__init__(name="scheduler", daemon=True)
        self.interval = settings.JOBS_SCHEDULER_INTERVAL if interval is None else interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while True:
            try:
                for name in enqueue_due_tasks():
                    logger.debug("Enqueued the periodic task %s", name)
            except Exception:
                logger.exception("The scheduler could not enqueue the periodic tasks")
            finally:
                connection.close()
            if self.stopped.wait(self.interval):
                return

    def stop(self) -> None:
        self.stopped.set()
