"""The backup and restore of docs/operations.md, done for real: nothing is missing from the restored database."""

import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from tests.test_settings import SETTINGS_VARIABLES

PROJECT_ROOT = Path(__file__).resolve().parent.parent

PEOPLE = "SELECT id, slug, given_name, family_name FROM contacts_person ORDER BY id"
CONTACT_POINTS = "SELECT id, person_id, medium, email, phone FROM contacts_contactpoint ORDER BY id"


def snapshot(cursor, tables):
    """Row counts of every table, and every person's name and every email and phone, as stored."""
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608  (names from the database's own catalogue)
        counts[table] = cursor.fetchone()[0]
    cursor.execute(PEOPLE)
    people = [tuple(row) for row in cursor.fetchall()]
    cursor.execute(CONTACT_POINTS)
    contact_points = [tuple(row) for row in cursor.fetchall()]
    return counts, people, contact_points


def source_snapshot():
    tables = sorted(connection.introspection.table_names())
    with connection.cursor() as cursor:
        return tables, snapshot(cursor, tables)


def record_every_migration_as_applied():
    """The test database is built from the models (``--nomigrations``: migrating costs 20 s per process), which CI's
    ``makemigrations --check`` keeps equal to the migrations; a migrated database also lists its migrations as
    applied, which ``migrate --check`` reads in the restored copy."""
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connection)
    recorder.ensure_schema()
    with override_settings(MIGRATION_MODULES={}):  # pytest-django hides them from the loader
        nodes = list(MigrationLoader(connection).graph.nodes)
    for app_label, name in nodes:
        recorder.record_applied(app_label, name)


def migrate_check(database_url):
    """`manage.py migrate --check` against the restored database: it exits 0 when no migration is missing."""
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL=database_url)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--check"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_pg_dump_and_pg_restore_into_an_empty_database_lose_nothing(tmp_path):
    import psycopg

    call_command("loaddata", "seed", verbosity=0)
    record_every_migration_as_applied()
    tables, expected = source_snapshot()
    assert expected[0]["contacts_person"] == 12 and expected[1] and expected[2]
    database = connection.settings_dict
    server = ["--host", database["HOST"] or "127.0.0.1", "--port", str(database["PORT"] or 5432)]
    server += ["--username", database["USER"] or "postgres"]
    env = {**os.environ, "PGPASSWORD": database["PASSWORD"] or ""}
    dump = tmp_path / "crm.dump"
    restored = f"{database['NAME']}_restored_{secrets.token_hex(4)}"

    def run(*command):
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603
        assert result.returncode == 0, result.stderr
        return result

    run(shutil.which("pg_dump"), *server, "--format=custom", "--file", str(dump), database["NAME"])
    run(shutil.which("createdb"), *server, restored)
    try:
        run(shutil.which("pg_restore"), *server, "--no-owner", "--dbname", restored, str(dump))
        with psycopg.connect(
            host=server[1], port=server[3], user=server[5], password=database["PASSWORD"] or None, dbname=restored
        ) as copy:
            with copy.cursor() as cursor:
                cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
                assert [row[0] for row in cursor.fetchall()] == tables
                assert snapshot(cursor, tables) == expected
        host, port, user = server[1], server[3], server[5]
        result = migrate_check(f"postgres://{user}@{host}:{port}/{restored}")
        assert result.returncode == 0, result.stdout + result.stderr
    finally:
        subprocess.run(  # noqa: S603
            [shutil.which("dropdb"), *server, "--if-exists", restored], env=env, capture_output=True, timeout=60
        )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backup API needs SQLite")
@pytest.mark.django_db(transaction=True)
def test_the_sqlite_backup_api_copies_every_row_and_the_copy_restores(tmp_path):
    call_command("loaddata", "seed", verbosity=0)
    record_every_migration_as_applied()
    tables, expected = source_snapshot()
    assert expected[0]["contacts_person"] == 12
    backup = tmp_path / "backup.sqlite3"
    connection.ensure_connection()

    with sqlite3.connect(backup) as target:
        connection.connection.backup(target)
    # Restoring is the same copy the other way, into the file the server will open.
    restored = tmp_path / "db.sqlite3"
    with sqlite3.connect(backup) as source, sqlite3.connect(restored) as target:
        source.backup(target)

    with sqlite3.connect(restored) as copy:
        cursor = copy.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'sqlite_sequence'")
        assert sorted(row[0] for row in cursor.fetchall()) == tables
        assert snapshot(cursor, tables) == expected
    result = migrate_check(f"sqlite:///{restored}")
    assert result.returncode == 0, result.stdout + result.stderr
