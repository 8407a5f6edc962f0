"""``manage.py worker``: a worker process of the job queue, with its scheduler of periodic tasks.

django-tasks-db's ``db_worker`` with the same options (``--batch``, ``--interval``, ``--max-tasks``…), plus a
thread that enqueues the periodic tasks when they are due (``jobs.schedule``). Run as many as the work needs,
on as many machines as share the database: each task is claimed by one of them (``SELECT … FOR UPDATE SKIP
LOCKED`` on PostgreSQL, an exclusive transaction on SQLite). SIGTERM lets the current task finish; a second one
stops it, and the reaper gives its job to another worker.
"""

from django_tasks_db.management.commands import db_worker

from jobs.schedule import Scheduler


class SchedulingWorker(db_worker.Worker):
    def run(self) -> None:
        scheduler = Scheduler()
        scheduler.start()
        try:
            super().run()
        finally:
            scheduler.stop()


class Command(db_worker.Command):
    help = "Run a worker of the job queue: the jobs (exports, erasures…) and the periodic tasks."

    def handle(self, *args, **options):
        # db_worker builds its Worker by name; ours adds the scheduler thread.
        original = db_worker.Worker
        db_worker.Worker = SchedulingWorker
        try:
            return super().handle(*args, **options)
        finally:
            db_worker.Worker = original
