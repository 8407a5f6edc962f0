"""A staff member uses the admin in a real browser: log in, search people, switch to English."""

import pytest
from django.contrib.auth.models import Permission

from tests.factories import PersonFactory, UserFactory

PASSWORD = "correct-horse-battery-staple"  # noqa: S105  (the factories' password)


@pytest.fixture
def staff_user(transactional_db):
    user = UserFactory(username="camille", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["clusters", "contacts"]))
    return user


@pytest.fixture
def logged_in_page(page, live_server, staff_user):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", staff_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page


def test_staff_member_logs_in_through_the_form_and_sees_the_french_admin(page, live_server, staff_user):
    page.goto(f"{live_server.url}/admin/")
    assert "Connexion" in page.content()

    page.fill("#id_username", staff_user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("#site-name").inner_text() == "Cluster CRM"
    assert page.locator("#content h1").inner_text() == "Site d’administration"
    assert page.get_by_role("button", name="Déconnexion").is_visible()


def test_staff_member_finds_a_person_with_the_admin_search(logged_in_page, live_server):
    PersonFactory(given_name="Maria", family_name="Pascual de Zulueta")
    PersonFactory(given_name="Fabien", family_name="Riolet")
    page = logged_in_page

    page.goto(f"{live_server.url}/admin/contacts/person/")
    page.fill("#searchbar", "Pascual")
    page.press("#searchbar", "Enter")

    page.wait_for_url("**/admin/contacts/person/?q=Pascual")
    results = page.locator("#result_list").inner_text()
    assert "Pascual de Zulueta" in results
    assert "Riolet" not in results
    assert "1 résultat" in page.locator("#changelist-search").inner_text()


def test_staff_member_switches_the_admin_to_english(logged_in_page, live_server):
    page = logged_in_page

    page.goto(f"{live_server.url}/en/admin/")

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#content h1").inner_text() == "Site administration"
    assert page.get_by_role("button", name="Log out").is_visible()
    assert "Déconnexion" not in page.content()
