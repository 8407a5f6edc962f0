"""The directory in a real browser: ticking people and acting on them, and the page at phone and desktop widths."""

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils.translation import gettext

from contacts.models import ContactList, Person
from tests.factories import ContactListFactory, UserFactory

PASSWORD = "correct-horse-battery-staple"  # noqa: S105  (the factories' password)


@pytest.fixture
def staff(transactional_db):
    call_command("loaddata", "seed", verbosity=0)
    user = UserFactory(username="camille")
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["clusters", "contacts", "events", "agreements"])
    )
    return user


def sign_in(page, live_server, user, width=1366, height=900):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/login/?next=/contacts/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(f"{live_server.url}/contacts/")
    return page


def test_ticking_two_people_counts_them_and_adds_them_to_a_list(page, live_server, staff):
    contact_list = ContactListFactory(name="Vœux 2027")
    sign_in(page, live_server, staff)
    page.locator("#id_q").press_sequentially("leem", delay=30)
    page.wait_for_url("**/contacts/?q=leem")
    page.wait_for_selector("#results >> text=4 personnes")
    add = page.locator('button[value="add_to_list"]')
    assert add.is_disabled()  # nobody ticked yet
    page.get_by_label("Sélectionner Stéphanie Bou").check()
    page.get_by_label("Sélectionner Virginie Pautre").check()
    assert page.locator("[data-selection-count]").inner_text().startswith("2")
    assert add.is_enabled()
    page.select_option("#selection-list", contact_list.slug)
    add.click()
    page.wait_for_selector(".messages >> text=Vœux 2027")
    assert "2" in page.locator(".messages").inner_text()
    assert page.url == f"{live_server.url}/contacts/?q=leem"
    assert sorted(ContactList.objects.get().people.values_list("family_name", flat=True)) == ["Bou", "Pautre"]


def test_ticking_the_page_box_selects_everyone_on_the_page(page, live_server, staff):
    sign_in(page, live_server, staff)
    page.goto(f"{live_server.url}/contacts/?q=leem")
    # The box is named in the page's language (the catalogue's « Select everyone on this page »).
    page.get_by_label(gettext("Select everyone on this page")).check()
    assert page.locator("[data-selection-count]").inner_text().startswith("4")
    assert page.locator('input[name="person"]:checked').count() == 4


def test_ticking_someone_who_asked_not_to_be_contacted_warns_before_the_export(page, live_server, staff):
    Person.objects.filter(slug="stephanie-bou").update(do_not_contact=True)
    sign_in(page, live_server, staff)
    page.goto(f"{live_server.url}/contacts/?q=leem&include_do_not_contact=on")
    notice = page.locator("[data-selection-left-out]")
    page.get_by_label("Sélectionner Virginie Pautre").check()
    assert not notice.is_visible()
    page.get_by_label("Sélectionner Stéphanie Bou").check()
    assert notice.is_visible() and notice.inner_text().startswith("1")
    with page.expect_download() as download_info:
        page.locator('button[value="export"]').click()
    data = open(download_info.value.path(), "rb").read().decode("utf-8-sig")
    assert "Pautre" in data and "Bou" not in data


def test_the_live_search_leaves_empty_filters_out_of_the_address(page, live_server, staff):
    sign_in(page, live_server, staff)
    page.select_option("#id_kind", "cluster")
    page.wait_for_url("**/contacts/?kind=cluster")
    page.locator("#id_q").press_sequentially("leem", delay=30)
    page.wait_for_url("**/contacts/?q=leem&kind=cluster")
    assert "=&" not in page.url and not page.url.endswith("=")


@pytest.mark.parametrize("width", [360, 390, 768, 1366])
def test_the_directory_never_scrolls_sideways(page, live_server, staff, width):
    sign_in(page, live_server, staff, width=width)
    for address in ("/contacts/", "/contacts/?q=leem&include_do_not_contact=on"):
        page.goto(f"{live_server.url}{address}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{address} at {width} px is {overflow} px too wide"
    drawer_open = page.locator(".directory details[data-filters-drawer]").evaluate("drawer => drawer.open")
    assert drawer_open == (width >= 768)


def test_on_a_phone_the_filters_are_folded_and_the_results_come_first(page, live_server, staff):
    sign_in(page, live_server, staff, width=390, height=844)
    assert not page.locator("#id_kind").is_visible()
    first_row = page.locator("#results tbody tr").first.bounding_box()
    assert first_row["y"] < 844  # the first person is on the first screen
    page.locator(".directory details[data-filters-drawer] > summary").click()
    assert page.locator("#id_kind").is_visible()
