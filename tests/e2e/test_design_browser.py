"""The header in a real browser: every link readable at a phone's width and at a desktop's, behind "Menu" on a
phone, and usable without JavaScript; the filters drawer open on a wide screen and folded on a phone."""

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

from tests.factories import UserFactory

PASSWORD = "correct-horse-battery-staple"  # noqa: S105  (the factories' password)
HEADER_LINKS = ["Contacts", "Organisations", "Conventions", "Listes de contacts", "Doublons", "Événements"]


@pytest.fixture
def staff(transactional_db):
    call_command("loaddata", "seed", verbosity=0)
    user = UserFactory(username="camille", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["clusters", "contacts", "events", "agreements"])
    )
    return user


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def header_links(page) -> dict[str, dict]:
    """Each header link's text → whether it is shown, its right edge, its colour and its box's background."""
    return page.eval_on_selector_all(
        ".site-header a, .site-header button",
        """links => Object.fromEntries(links.map(link => {
            const box = link.getBoundingClientRect();
            let back = link, colour = 'rgba(0, 0, 0, 0)';
            while (back && (colour === 'rgba(0, 0, 0, 0)' || colour === 'transparent')) {
                colour = getComputedStyle(back).backgroundColor; back = back.parentElement;
            }
            return [link.textContent.trim(), {shown: box.width > 0 && box.height > 0, right: box.right,
                                              colour: getComputedStyle(link).color, background: colour}];
        }))""",
    )


@pytest.mark.parametrize("width", [360, 390, 768, 1366])
def test_every_header_link_is_readable_and_the_page_never_scrolls_sideways(page, live_server, staff, width):
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server, staff)
    for address in ("/", "/organisations/polepharma/", "/agreements/"):
        page.goto(f"{live_server.url}{address}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, address
    if width < 768:
        assert not page.is_visible(".site-nav")
        page.click(".site-menu > summary")
    links = header_links(page)
    for text in [*HEADER_LINKS, "Back-office", "Déconnexion", "English"]:
        assert links[text]["shown"], (text, width)
        assert links[text]["right"] <= width, (text, width)
        assert links[text]["colour"] == "rgb(255, 255, 255)", (text, width)
        assert links[text]["background"] != "rgba(0, 0, 0, 0)" and "255, 255, 255" not in links[text]["background"]


def test_the_phone_menu_opens_without_javascript(browser, live_server, staff):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False, viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        sign_in(page, live_server, staff)
        assert not page.is_visible(".site-nav")
        page.click(".site-menu > summary")
        assert page.is_visible(".site-nav a:text('Événements')")
        page.goto(f"{live_server.url}/organisations/")
        assert not page.is_visible("#id_kind")
        page.click(".filters-drawer > summary")
        assert page.is_visible("#id_kind")
    finally:
        context.close()


def test_the_filters_drawer_is_open_on_a_wide_screen_and_folded_on_a_phone(page, live_server, staff):
    sign_in(page, live_server, staff)
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(f"{live_server.url}/organisations/")
    assert page.is_visible("#id_kind")
    assert page.is_visible(".site-nav")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/organisations/")
    assert not page.is_visible("#id_kind")
    option = page.eval_on_selector("#id_kind option", "option => option.textContent")
    assert option != "---------"
