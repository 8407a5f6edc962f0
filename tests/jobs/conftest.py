from unittest import mock

import pytest
from django_tasks_db.management.commands.db_worker import Worker


def run_queued_tasks() -> int:
    """Run every task ready in the queue in this process, as a worker with ``--batch`` does; how many ran.

    The worker closes the connection between tasks, as a request does; inside the test's transaction, which
    PostgreSQL would then lose, it must not."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        worker.run()
    return worker._run_tasks


@pytest.fixture
def media(settings, tmp_path):
    """Django's storage in a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def large_exports(settings, media):
    """Exports of more than three people become jobs."""
    settings.EXPORT_DIRECT_MAX_ROWS = 3
