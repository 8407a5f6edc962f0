import itertools

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import translation

from clusters.search import create_trigram_index as create_organisation_trigram_index
from contacts.search import create_trigram_index
from core.search import create_search_function


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Every user a test makes has a password hashed, every login checks one: the default hasher's million
    rounds cost about 0.3 s each, minutes over the suite. Django's advice for tests: a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def language_of_the_staff():
    """Every test starts in French, as a request without a language prefix does: the language a request of an
    earlier test activated (an /en/ page) would otherwise stay active in the thread."""
    translation.activate("fr")
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database is built from the models (``--nomigrations`` in pyproject.toml: running the migrations cost
    20 s per test process); what the migrations add besides tables is added here: on PostgreSQL, the trigram indexes
    of the directory's and the organisations' searches, and the function that reads the directory's matches through
    the index (core.search.collected_matches). The roles' groups come from ``post_migrate``
    (accounts.apps), as after a migrate.
    The migrations themselves are run by the tests that need them (tests/events/test_move_from_contacts.py), by
    CI's other steps on PostgreSQL, and checked against the models by ``makemigrations --check``."""
    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        create_trigram_index(None, editor)
        create_organisation_trigram_index(None, editor)
        create_search_function(None, editor)


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _rows(table: str) -> tuple[list[str], list[tuple]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return [column[0] for column in cursor.description], cursor.fetchall()


@pytest.fixture(scope="session")
def seed_snapshot(django_db_setup, django_db_blocker):
    """The rows `loaddata seed` writes, table by table: loaded once per test process with the project's loader
    (in a transaction undone at once), then written back as they are by each test that asks for the seed —
    a few INSERTs instead of a whole fixture load (0.5 s) in each of hundreds of tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        before = _row_counts()
        call_command("loaddata", "seed", verbosity=0)
        after = _row_counts()
        grown = [table for table, count in after.items() if count > before[table]]
        assert all(before[table] == 0 for table in grown), "the seed adds rows to a table that had some"
        snapshot = {table: _rows(table) for table in grown}
        transaction.set_rollback(True)
    return snapshot


def _write_rows(snapshot) -> None:
    from django.apps import apps

    adapt = _json_adapter()
    with connection.cursor() as cursor:
        for table, (columns, rows) in snapshot.items():
            names = ", ".join(connection.ops.quote_name(column) for column in columns)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(table)} ({names}) VALUES ({marks})",  # noqa: S608
                [[adapt(value) for value in row] for row in rows],
            )
        tables = set(snapshot)
        models = [model for model in apps.get_models(include_auto_created=True) if model._meta.db_table in tables]
        for statement in connection.ops.sequence_reset_sql(_NoStyle(), models):
            cursor.execute(statement)


def _json_adapter():
    """PostgreSQL hands JSON columns back as Python values; psycopg writes them only when told they are JSON."""
    if connection.vendor != "postgresql":
        return lambda value: value
    from psycopg.types.json import Jsonb

    return lambda value: Jsonb(value) if isinstance(value, dict | list) else value


class _NoStyle:
    def __getattr__(self, name):
        return lambda text: text


@pytest.fixture
def seed(db, seed_snapshot):
    """The seed from the two press releases, as `make run` loads it (written back from ``seed_snapshot``)."""
    _write_rows(seed_snapshot)


@pytest.fixture
def admin_user(db, django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", "correct-horse-battery-staple")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _user_with(django_user_model, username, codenames):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(username, f"{username}@example.org", "correct-horse-battery-staple")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["clusters", "contacts", "events", "agreements"], codename__in=codenames
        )
        | Permission.objects.filter(
            content_type__app_label__in=["clusters", "contacts", "events", "agreements"], codename__startswith="view_"
        )
    )
    return user


@pytest.fixture
def viewer(db, django_user_model):
    """A member of staff who may look at every record but change and export nothing."""
    return _user_with(django_user_model, "viewer", [])


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def exporter(db, django_user_model):
    """A member of staff who may look at every record and export contacts."""
    return _user_with(django_user_model, "exporter", ["export_contacts"])


@pytest.fixture
def exporter_client(client, exporter):
    client.force_login(exporter)
    return client


@pytest.fixture
def user_with(db, django_user_model):
    """Makes members of staff who may look at every record, plus the permissions named (codenames)."""
    numbers = itertools.count()
    return lambda *codenames: _user_with(django_user_model, f"staff{next(numbers)}", codenames)
