"""Real processes beside the tests: a copy of the test database they can share, and workers of the job queue.

The test database cannot be shared as it is: on SQLite it lives in this process's memory, and on both databases
each test runs in a transaction that is never committed. ``copy_of_the_test_database`` copies it (tables, the
roles' groups and permissions) to a database of its own — a file with SQLite's backup API, a ``CREATE DATABASE
… TEMPLATE`` on PostgreSQL — and ``connected_to`` points this process's connection at the copy.
"""

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.db import connection, connections

from tests.test_settings import SETTINGS_VARIABLES

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _database_url(settings_dict) -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict["USER"] or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


@contextlib.contextmanager
def copy_of_the_test_database(folder: Path):
    """A committed copy of the test database, for as long as the block lasts; yields its settings."""
    original = connections["default"]
    original.ensure_connection()
    if original.vendor == "sqlite":
        import sqlite3

        path = folder / "shared.sqlite3"
        with contextlib.closing(sqlite3.connect(path)) as copy:
            original.connection.backup(copy)
            # As the settings' init_command would on a new file: WAL, so that readers never block a writer.
            copy.execute("PRAGMA journal_mode=WAL")
        name = str(path)
    else:
        name = f"{original.settings_dict['NAME']}_shared_{secrets.token_hex(3)}"
        # CREATE DATABASE … TEMPLATE needs the template to have no session: this process's is the only one.
        original.close()
        with original._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{original.settings_dict["NAME"]}"')
    try:
        yield {**original.settings_dict, "NAME": name}
    finally:
        if original.vendor == "postgresql":
            with original._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def connected_to(settings_dict):
    """Within: this process's default connection is to the database of ``settings_dict``, where every write
    commits at once; yields the URL a subprocess reaches it at. The test's own transaction waits on the
    original connection, and is rolled back as usual."""
    original = connections["default"]
    shared = original.__class__(settings_dict, alias="default")
    connections["default"] = shared
    try:
        yield _database_url(settings_dict)
    finally:
        shared.close()
        connections["default"] = original


def _start(arguments: list[str], database_url: str, media_root: Path, log: Path, settings) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    env.update(DATABASE_URL=database_url, MEDIA_ROOT=str(media_root), PYTHONUNBUFFERED="1")
    env.update({key: str(value) for key, value in settings.items()})
    with log.open("ab") as output:
        return subprocess.Popen(  # noqa: S603  (our interpreter, our manage.py)
            [sys.executable, "manage.py", *arguments],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def start_worker(database_url: str, media_root: Path, log: Path, **settings) -> subprocess.Popen:
    """``manage.py worker``, as `make run` starts it, on the shared database; its output in ``log``."""
    arguments = ["worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]
    return _start(arguments, database_url, media_root, log, settings)


def start_server(database_url: str, media_root: Path, log: Path, port: int, **settings) -> subprocess.Popen:
    """``manage.py runserver``, as `make run` starts it, on the shared database."""
    return _start(["runserver", "--noreload", f"127.0.0.1:{port}"], database_url, media_root, log, settings)


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(condition, timeout: float = 60, what: str = "the condition", log: Path | None = None):
    """Poll ``condition`` until it returns something true; that value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    output = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"Timed out after {timeout} s waiting for {what}.\n{output}")


def responds(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310  (a local server of ours)
            return True
    except OSError:
        return False


@contextlib.contextmanager
def serving(database_url: str, folder: Path, ready_path: str, **server_settings):
    """A server and a worker of the job queue on the shared database, files in ``folder``: the server's address
    once ``ready_path`` answers; both stopped afterwards."""
    from tests.test_production import free_port

    port = free_port()
    log = folder / "processes.log"
    media = folder / "media"
    processes = [
        start_server(database_url, media, log, port, **server_settings),
        start_worker(database_url, media, log, JOBS_PROGRESS_EVERY=0.05),
    ]
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: responds(f"{base}{ready_path}"), timeout=60, what="the server", log=log)
        yield base
    finally:
        for process in processes:
            stop(process)
