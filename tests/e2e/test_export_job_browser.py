"""A search too large to export at once, exported from the directory in a real browser: the job's page follows
the worker's progress and offers the file. The server and the worker are started as `make run` starts them,
on a copy of the test database they share."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Permission

from contacts.models import Person
from contacts.search import refresh_search_text
from tests.processes import connected_to, copy_of_the_test_database, serving

PASSWORD = "correct-horse-battery-staple"  # noqa: S105
PEOPLE = 40

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def database(django_db_setup, django_db_blocker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("export-job")
    with django_db_blocker.unblock(), copy_of_the_test_database(folder) as settings_dict:
        yield settings_dict, folder


@pytest.fixture
def crm(database):
    """The development server and a worker, with exports of more than ten people going through a job."""
    settings_dict, folder = database
    with connected_to(settings_dict) as url:
        # Hashed as the server checks it: the tests' own hasher (MD5, for speed) is not the server's.
        password = PBKDF2PasswordHasher().encode(PASSWORD, "e2e-salt", iterations=1_000)
        user = get_user_model().objects.create(username="camille", email="camille@example.org", password=password)
        user.user_permissions.set(
            Permission.objects.filter(
                content_type__app_label="contacts", codename__in=["view_person", "export_contacts"]
            )
        )
        people = Person.objects.bulk_create(
            Person(given_name=f"Ane{number:02}", family_name="Etxeberria", slug=f"ane-etxeberria-{number}")
            for number in range(PEOPLE)
        )
        refresh_search_text([person.pk for person in people])
        with serving(url, folder, "/login/", EXPORT_DIRECT_MAX_ROWS=10) as base:
            yield base


def test_a_large_search_exported_from_the_directory_arrives_through_the_job_page(page, crm):
    page.goto(f"{crm}/login/")
    page.fill("#id_username", "camille")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.goto(f"{crm}/contacts/?q=etxeberria")
    assert f"{PEOPLE} personnes" in page.locator("#results").inner_text()
    page.locator("#results").get_by_role("link", name="CSV", exact=True).click()

    # The export answered 303 to the job's page, which follows the worker until the file is ready.
    page.wait_for_url(f"{crm}/jobs/*/")
    assert page.locator("h1").inner_text() == "Export CSV — Recherche dans l’annuaire"
    download_button = page.get_by_role("link", name="Télécharger")
    download_button.wait_for(timeout=60_000)
    assert f"{PEOPLE} sur {PEOPLE} lignes" in page.locator("#job-status").inner_text()
    with page.expect_download() as download_info:
        download_button.click()
    download = download_info.value
    rows = list(csv.DictReader(io.StringIO(download.path().read_text("utf-8-sig")), delimiter=";"))
    assert sorted(row["Prénom"] for row in rows) == [f"Ane{number:02}" for number in range(PEOPLE)]

    # The header links to the jobs, and the job is listed there.
    page.locator("header").get_by_role("link", name="Mes exports et imports").click()
    page.wait_for_url(f"{crm}/jobs/")
    assert "Export CSV — Recherche dans l’annuaire" in page.locator("main").inner_text()
