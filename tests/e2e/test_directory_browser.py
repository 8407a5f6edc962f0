"""A member of staff finds a person in the directory and exports the search, in a real browser."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

from tests.factories import UserFactory

PASSWORD = "correct-horse-battery-staple"  # noqa: S105  (the factories' password)


@pytest.fixture
def exporter(transactional_db):
    call_command("loaddata", "seed", verbosity=0)
    user = UserFactory(username="camille")
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["clusters", "contacts", "events", "agreements"])
    )
    return user


@pytest.fixture
def signed_in(page, live_server, exporter):
    page.goto(f"{live_server.url}/contacts/")
    page.wait_for_url("**/login/?next=/contacts/")
    page.fill("#id_username", exporter.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(f"{live_server.url}/contacts/")
    return page


def test_typing_ivanes_updates_the_results_and_opens_the_person(signed_in, live_server):
    page = signed_in
    page.locator("#id_q").press_sequentially("ivanes", delay=30)
    # htmx replaces the results and records the search in the address, without a page load.
    page.wait_for_url("**/contacts/?q=ivanes**")
    results = page.locator("#results")
    assert "1 personne" in results.inner_text()
    page.get_by_role("link", name="Philippe Ivanès").click()

    page.wait_for_url(f"{live_server.url}/contacts/philippe-ivanes/")
    assert page.locator("h1").inner_text().startswith("Philippe Ivanès")
    body = page.locator("main").inner_text()
    assert "Directeur Industriel Division Anti-thrombotique" in body
    assert "Sanofi" in body


def test_the_search_works_with_javascript_off(browser, live_server, exporter):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", exporter.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.goto(f"{live_server.url}/contacts/")
    page.fill("#id_q", "zulueta")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    page.wait_for_url("**/contacts/?q=zulueta**")
    assert "Maria Pascual de Zulueta" in page.locator("#results").inner_text()
    context.close()


def test_exporting_the_search_downloads_a_csv_with_the_accents(signed_in):
    page = signed_in
    page.locator("#id_q").press_sequentially("polepharma", delay=30)
    page.wait_for_url("**/contacts/?q=polepharma**")
    page.wait_for_selector("#results >> text=4 personnes")
    with page.expect_download() as download_info:
        page.locator("#results").get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    data = open(download.path(), "rb").read()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert [row["Nom"] for row in rows] == ["Garcia", "Ivanès", "Riolet", "Sarrade-Loucheur"]
    assert rows[1]["Prénom"] == "Philippe"


@pytest.fixture
def superuser(exporter):
    return UserFactory(username="dominique", is_staff=True, is_superuser=True)


def test_pages_break_no_rule_of_the_content_security_policy(page, live_server, superuser):
    """Chromium reports every script, style or image the policy refuses on the console: there must be none."""
    from contacts.models import Person

    reports = []
    page.on("console", lambda message: reports.append(f"{page.url}: {message.text}"))
    page.on("pageerror", lambda error: reports.append(f"{page.url}: {error}"))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", superuser.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(f"{live_server.url}/")
    person = Person.objects.get(slug="philippe-ivanes")

    page.goto(f"{live_server.url}/contacts/")
    page.locator("#id_q").press_sequentially("ivanes", delay=30)
    page.wait_for_url("**/contacts/?q=ivanes**")
    page.wait_for_selector("#results >> text=1 personne")
    page.goto(f"{live_server.url}/contacts/{person.slug}/")
    page.goto(f"{live_server.url}/admin/contacts/person/{person.pk}/change/")
    page.wait_for_selector("#person_form")
    # The autocomplete widgets (select2) and the inlines' "add another" rows are built by scripts.
    page.locator(".select2-selection").first.click()
    page.wait_for_selector(".select2-results__option")
    page.keyboard.press("Escape")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .information-container")

    violations = [report for report in reports if "Content Security Policy" in report]
    assert not violations, "\n".join(violations)
