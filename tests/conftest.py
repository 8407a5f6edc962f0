import pytest
from django.core.management import call_command


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
