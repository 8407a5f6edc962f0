"""The search box in the header of every page, in a real browser: "/" to reach it, results grouped as one types,
the arrow keys and Enter to open one, Escape to close them."""

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

from tests.factories import UserFactory

PASSWORD = "correct-horse-battery-staple"  # noqa: S105  (the factories' password)


@pytest.fixture
def reader(transactional_db):
    call_command("loaddata", "seed", verbosity=0)
    user = UserFactory(username="camille")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["clusters", "contacts", "events", "agreements"], codename__startswith="view_"
        )
    )
    return user


@pytest.fixture
def signed_in(page, live_server, reader):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", reader.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_slash_typing_and_the_arrow_keys_open_the_first_result(signed_in, live_server):
    page = signed_in
    box = page.locator("#global-search-input")
    page.locator("body").click()
    page.keyboard.press("/")
    assert box.evaluate("element => element === document.activeElement")

    page.keyboard.type("polepharma", delay=30)
    # Results of the whole word, not of its first letters that a slow typist's pause may have fetched.
    results = page.locator("#global-search-results")
    results.locator('[data-query="polepharma"] #global-search-people').wait_for()
    for group in ("people", "organisations", "agreements", "press_releases"):
        assert results.locator(f"#global-search-{group}").is_visible()
    first = results.locator("a.global-search-result").first
    first_address = first.get_attribute("href")
    assert first_address.startswith("/contacts/")

    page.keyboard.press("ArrowDown")
    assert first.evaluate("element => element === document.activeElement")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert first.evaluate("element => element === document.activeElement")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}{first_address}")


def test_escape_closes_the_results_and_enter_in_the_box_opens_the_results_page(signed_in, live_server):
    page = signed_in
    box = page.locator("#global-search-input")
    box.click()
    box.press_sequentially("biocluster", delay=30)
    results = page.locator("#global-search-results")
    results.locator('[data-query="biocluster"] #global-search-organisations').wait_for()
    page.keyboard.press("Escape")
    assert results.is_hidden()
    assert box.evaluate("element => element === document.activeElement")

    box.press("Enter")
    page.wait_for_url(f"{live_server.url}/search/?q=biocluster")
    main = page.locator("main")
    assert "Basque Health Cluster" in main.inner_text()
    assert "Maria Pascual de Zulueta" in main.inner_text()


def test_slash_typed_in_a_field_stays_in_the_field(signed_in, live_server):
    page = signed_in
    page.goto(f"{live_server.url}/contacts/")
    field = page.locator("#id_q")
    field.click()
    page.keyboard.type("a/b")
    assert field.input_value() == "a/b"
