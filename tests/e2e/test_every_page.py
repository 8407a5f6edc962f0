"""The browser gate: every page of the site and of the back office — found from the URLconf and the admin
registry (tools/pages.py), not from a list kept by hand — at 1366 and 390 px, with the seed and generated data,
answers without an error, fits the window's width, shows every header link (behind the menu on a phone) and has
no serious or critical axe-core violation, every rule on. And the main pages can be used with the keyboard alone.

The server and a worker are started as `make run` starts them, on a copy of the test database with the seed,
``generate_demo`` and one record of each kind the two leave empty; a superuser logs in once through the login
page. The pages are visited once for the module, several at a time (tools/page_checks.py), and each page at each
width is a test of its own, so that a failure names its page: ``test_page[admin:clusters_organisation_change@390]``.
`make screenshots` shows the same pages to a person.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command

from tests.processes import connected_to, copy_of_the_test_database, serving
from tools.page_checks import VIEWPORTS, visit_pages
from tools.pages import EXCLUDED, Page, add_page_data, named_patterns, page_names, pages

PASSWORD = "correct-horse-battery-staple"  # noqa: S105
WIDTHS = (1366, 390)
PEOPLE = 300

# The test database is set up only for a session with a test that asks for it; the pages' data is written to a
# copy of it, which the server reads.
pytestmark = pytest.mark.django_db


@dataclass
class Site:
    url: str
    cookies: list[dict]
    pages: list[Page]
    left_out: dict[str, str]


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory, browser):
    """The CRM served with the seed and generated data; a superuser's session cookies, from the login page."""
    folder = tmp_path_factory.mktemp("every-page")
    with (
        django_db_blocker.unblock(),
        copy_of_the_test_database(folder) as settings_dict,
        connected_to(settings_dict) as database_url,
    ):
        call_command("loaddata", "seed", verbosity=0)
        call_command("generate_demo", people=PEOPLE, verbosity=0)
        # Hashed as the server checks it: the tests' own hasher (MD5, for speed) is not the server's.
        password = PBKDF2PasswordHasher().encode(PASSWORD, "e2e-salt", iterations=1_000)
        superuser = get_user_model().objects.create(
            username="camille", email="camille@example.org", password=password, is_staff=True, is_superuser=True
        )
        add_page_data(superuser)
        visited, left_out = pages(superuser)
        with serving(database_url, folder, "/login/") as url:
            context = browser.new_context(locale="fr-FR")
            login = context.new_page()
            login.goto(f"{url}/login/")
            login.fill("#id_username", superuser.username)
            login.fill("#id_password", PASSWORD)
            login.locator("main form [type=submit]").first.click()
            login.wait_for_url(f"{url}/")
            cookies = context.storage_state()["cookies"]
            context.close()
            yield Site(url, cookies, visited, left_out)


@pytest.fixture(scope="module")
def visits(site):
    """Every page at both widths, visited once: {(name, width): Visit}."""
    return visit_pages(site.url, site.cookies, site.pages, widths=WIDTHS)


@pytest.mark.parametrize(
    ("name", "width"), [pytest.param(name, width, id=f"{name}@{width}") for name in page_names() for width in WIDTHS]
)
def test_page(site, visits, name, width):
    if name in site.left_out:
        reason = site.left_out[name]
        if reason.startswith("GAP"):
            pytest.fail(f"{name} is a page but was not visited: {reason}")
        pytest.skip(reason)
    visit = visits[name, width]
    assert not visit.problems, f"{visit.page.path} at {width} px:\n  " + "\n  ".join(visit.problems)


def test_every_named_url_is_visited_or_left_out_with_a_reason(site):
    visited = {page.name for page in site.pages}
    patterns = named_patterns()
    # The walk finds the site's pages and every kind of admin page, not a few of them.
    for name in (
        "dashboard",
        "contacts:person_list",
        "contacts:person_detail",
        "clusters:organisation_detail",
        "agreements:press_release_detail",
        "admin:index",
        "admin:contacts_person_changelist",
        "admin:contacts_person_add",
        "admin:clusters_organisation_change",
        "admin:agreements_topic_history",
        "admin:app_list:contacts",
    ):
        assert name in visited, name
    gaps = {name: reason for name, reason in site.left_out.items() if reason.startswith("GAP")}
    assert not gaps, "pages not visited: fill their parameters in tools/pages.py (FILLERS, add_page_data)"
    assert set(patterns) <= visited | set(site.left_out)
    # Every exclusion names a pattern that still exists, and says why.
    assert not set(EXCLUDED) - set(patterns), "stale names in tools.pages.EXCLUDED"
    assert all(reason.strip() for reason in site.left_out.values())
    # What the tests are parametrized with is what was visited, less what no one may open.
    denied = {name for name, reason in site.left_out.items() if not reason.startswith("GAP")}
    assert visited == set(page_names()) - denied


# --- The keyboard alone -------------------------------------------------------------------------------------------

FOCUSED = """() => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow && style.boxShadow !== 'none';
    const box = element.getBoundingClientRect();
    return {
        tag: element.tagName, text: (element.textContent || '').trim().slice(0, 60), href: element.getAttribute('href'),
        indicator: Boolean(outline || shadow), visible: box.width > 0 && box.height > 0,
        in_header: Boolean(element.closest('#header, header')), in_nav: Boolean(element.closest('nav')),
        in_main: Boolean(element.closest('main')),
    };
}"""


# A reader who starts at the top of the page: a page may give its search box the focus on load (autofocus), and
# the Tab key then goes on from there; focusing the document's root puts the starting point before the skip link.
FROM_THE_TOP = """() => {
    const root = document.documentElement;
    root.setAttribute('tabindex', '-1');
    root.focus();
    root.removeAttribute('tabindex');
}"""


def keyboard_pages(site):
    by_name = {page.name: page for page in site.pages}
    return [
        by_name[name]
        for name in (
            "dashboard",
            "contacts:person_list",
            "contacts:person_detail",
            "clusters:organisation_detail",
            "admin:index",
        )
    ]


@pytest.fixture
def signed_in(browser, site):
    context = browser.new_context(locale="fr-FR", viewport=VIEWPORTS[1366])
    context.add_cookies(site.cookies)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_the_skip_link_comes_first_and_leads_to_the_main_content(site, signed_in):
    page = signed_in
    for each in keyboard_pages(site):
        page.goto(site.url + each.path)
        page.evaluate(FROM_THE_TOP)
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused and focused["href"] in ("#content", "#content-start"), (each.name, focused)
        assert focused["visible"] and focused["indicator"], (each.name, focused)
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused and focused["in_main"] and not focused["in_header"], (each.name, focused)
        assert focused["indicator"], (each.name, focused)


def test_tab_reaches_the_navigation_then_the_content_with_a_visible_focus(site, signed_in):
    page = signed_in
    for each in keyboard_pages(site):
        page.goto(site.url + each.path)
        page.evaluate(FROM_THE_TOP)
        seen = []
        for _ in range(60):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED)
            assert focused, (each.name, "focus left the page", seen)
            assert focused["visible"] and focused["indicator"], (each.name, "no visible focus", focused)
            seen.append(focused)
            if focused["in_main"]:
                break
        # The site's main navigation is a <nav> in its header; the back office's header holds its links.
        reached = [step for step in seen if step["in_header"] and step["href"]]
        if not each.name.startswith("admin:"):
            reached = [step for step in reached if step["in_nav"]]
        assert reached, (each.name, "Tab never reached the main navigation", seen)
        assert seen[-1]["in_main"], (each.name, "Tab never reached the main content", seen)
