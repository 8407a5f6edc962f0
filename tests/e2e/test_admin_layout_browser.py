"""The back office fits the window: no sideways scrolling on a phone or a laptop, with every inline opened, and the
changelist's filters behind a button on a phone (docs/decisions/0041-one-design-system.md)."""

import pytest
from django.core.management import call_command

from clusters.models import Organisation
from contacts.models import Person
from tests.factories import UserFactory

PASSWORD = "correct-horse-battery-staple"  # noqa: S105  (the factories' password)
WIDTHS = [390, 1366]


@pytest.fixture
def superuser(transactional_db):
    call_command("loaddata", "seed", verbosity=0)
    return UserFactory(username="dominique", is_staff=True, is_superuser=True)


@pytest.fixture
def signed_in(page, live_server, superuser):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", superuser.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page


def admin_pages():
    polepharma = Organisation.objects.get(slug="polepharma")
    ivanes = Person.objects.get(slug="philippe-ivanes")
    assert ivanes.positions.count() >= 2
    return [
        "/admin/",
        "/admin/clusters/organisation/",
        f"/admin/clusters/organisation/{polepharma.pk}/change/",
        f"/admin/contacts/person/{ivanes.pk}/change/",
        "/admin/contacts/person/",
        "/admin/contacts/person/?do_not_contact__exact=0",
    ]


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("width", WIDTHS)
def test_admin_pages_never_scroll_sideways(signed_in, live_server, width):
    page = signed_in
    page.set_viewport_size({"width": width, "height": 900})
    too_wide = {}
    for url in admin_pages():
        page.goto(f"{live_server.url}{url}")
        # Folded inlines hold the widest tables: measure them opened.
        page.evaluate("document.querySelectorAll('details').forEach((details) => { details.open = true; })")
        if overflow(page) > 0:
            too_wide[url] = overflow(page)
    assert too_wide == {}


def test_the_polepharma_form_is_no_longer_than_its_content_needs(signed_in, live_server):
    """Its sites, territories, key figures and relations are folded until opened: the form fits in far fewer
    screens than the 4 867 px it used to take at 1 366 px."""
    page = signed_in
    page.set_viewport_size({"width": 1366, "height": 900})
    polepharma = Organisation.objects.get(slug="polepharma")
    page.goto(f"{live_server.url}/admin/clusters/organisation/{polepharma.pk}/change/")
    sites = page.locator("details", has=page.locator("h2", has_text="Sites"))
    assert not sites.evaluate("details => details.open")
    assert page.evaluate("document.documentElement.scrollHeight") < 4000
    sites.locator("summary").click()
    assert page.locator("input[value='Antenne de Paris']").is_visible()
    assert overflow(page) == 0


def test_the_filters_are_a_drawer_on_a_phone(signed_in, live_server):
    page = signed_in
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/admin/contacts/person/")
    toggle = page.locator("#changelist-filter .filter-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator("#changelist-filter-body").is_visible()

    toggle.click()

    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("#changelist-filter-body").is_visible()
    assert overflow(page) == 0


def test_the_filters_sit_open_beside_the_list_on_a_laptop(signed_in, live_server):
    page = signed_in
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(f"{live_server.url}/admin/contacts/person/")
    assert page.locator("#changelist-filter .filter-toggle").get_attribute("aria-expanded") == "true"
    assert page.locator("#changelist-filter-body").is_visible()
    filters = page.locator("#changelist-filter").bounding_box()
    results = page.locator("#changelist-form .results").bounding_box()
    assert filters["x"] > results["x"] + results["width"] - 1
