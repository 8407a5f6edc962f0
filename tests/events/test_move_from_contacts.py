"""Events moved from contacts to an app of their own: a database migrated before the move keeps every event,
edition, invitation and history row, and every group and user keeps the permissions it had on them."""

import contextlib
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.test_settings import SETTINGS_VARIABLES

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent

# Run in a process of its own, on a database of its own: the test database is built from the models, without
# the migrations this test is about.
MIGRATE_ACROSS_THE_MOVE = """
import datetime

import django

django.setup()
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("contacts", "0010_erasure_tombstones_and_json_export_logs"), ("accounts", "0002_api_tokens_hashed")]
executor = MigrationExecutor(connection)
executor.migrate(BEFORE)
old = executor.loader.project_state(BEFORE).apps
person = old.get_model("contacts", "Person").objects.create(slug="jon-etxeberria", family_name="Etxeberria")
event = old.get_model("contacts", "Event").objects.create(slug="rnaen", name="Rencontres RNAEN", acronym="RNAEN")
edition = old.get_model("contacts", "EventEdition").objects.create(
    event=event, starts_on=datetime.date(2026, 10, 8), place="Bayonne"
)
old.get_model("contacts", "Invitation").objects.create(edition=edition, person=person, attended=True)
old.get_model("contacts", "HistoricalEvent").objects.create(
    id=event.pk, slug="rnaen", name="Rencontres RNAEN", acronym="RNAEN", description="", version=1,
    history_date=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), history_type="+",
)
content_type = old.get_model("contenttypes", "ContentType").objects.get_or_create(
    app_label="contacts", model="invitation"
)[0]
permission = old.get_model("auth", "Permission").objects.get_or_create(
    content_type=content_type, codename="change_invitation", defaults={"name": "Can change invitation"}
)[0]
old.get_model("auth", "Group").objects.create(name="Organisateurs").permissions.add(permission)

call_command("migrate", verbosity=0)

from django.contrib.auth.models import Group
from events.models import Event, EventEdition, Invitation

moved = Event.objects.get(slug="rnaen")
assert moved.pk == event.pk and moved.history.count() == 1, "the event or its history"
assert EventEdition.objects.get().place == "Bayonne", "the edition"
assert Invitation.objects.get().person.slug == "jon-etxeberria", "the invitation"
kept = Group.objects.get(name="Organisateurs").permissions.get()
assert (kept.content_type.app_label, kept.codename) == ("events", "change_invitation"), "the group's permission"
assert Group.objects.get(name="Éditeur").permissions.filter(
    content_type__app_label="events", codename="add_invitation"
).exists(), "the roles"
print("moved")
"""


@contextlib.contextmanager
def throwaway_database(tmp_path):
    """A database of the suite's kind, empty, dropped after: its address."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'move.sqlite3'}"
        return
    import psycopg

    settings = connection.settings_dict
    server = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"] or "postgres",
        "password": settings["PASSWORD"] or None,
    }
    name = f"{settings['NAME']}_move_{secrets.token_hex(4)}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        password = f":{server['password']}" if server["password"] else ""
        yield f"postgres://{server['user']}{password}@{server['host']}:{server['port']}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_database_holding_events_keeps_them_and_their_permissions_after_the_move(db, tmp_path):
    with throwaway_database(tmp_path) as database_url:
        env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
        env.update(DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL=database_url)
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", MIGRATE_ACROSS_THE_MOVE],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("moved")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/contacts/event/", "/admin/events/event/"),
        (
            "/admin/contacts/eventedition/3/change/?_changelist_filters=x",
            "/admin/events/eventedition/3/change/?_changelist_filters=x",
        ),
        ("/en/admin/contacts/invitation/", "/en/admin/events/invitation/"),
    ],
)
def test_the_old_back_office_addresses_of_events_lead_to_the_new_ones(admin_client, old, new):
    response = admin_client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
