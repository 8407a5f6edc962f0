import itertools

import pytest
from django.core.management import call_command
from django.utils import translation


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


@pytest.fixture
def seed(db):
    """The seed from the two press releases, loaded the way `make run` loads it."""
    call_command("loaddata", "seed", verbosity=0)


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
            content_type__app_label__in=["clusters", "contacts", "agreements"], codename__in=codenames
        )
        | Permission.objects.filter(
            content_type__app_label__in=["clusters", "contacts", "agreements"], codename__startswith="view_"
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
