"""The pages' one design: a header whose links are all there, a language switch in one click, a favicon, error pages in
the site's look, empty states instead of zeros, filters that say "All …" and tables that fold into cards."""

import datetime
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import Client
from django.urls import path
from django.utils.translation import gettext, override

from config.urls import urlpatterns as project_urlpatterns
from tests.factories import ClusterFactory, KeyFigureFactory, MembershipFactory, OrganisationFactory, PersonFactory


def boom(request):
    raise RuntimeError("a bug in a view")


def refused(request):
    raise PermissionDenied


# The project's addresses plus two that fail, for the error pages (used with @pytest.mark.urls).
urlpatterns = [path("boom/", boom), path("refused/", refused), *project_urlpatterns]
handler404 = "core.views.page_not_found"


class Elements(HTMLParser):
    """Every start tag of a page with its attributes, and the text inside each element named in ``texts_of``."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def find(self, tag: str, **attributes) -> list[dict]:
        return [
            attrs
            for name, attrs in self.tags
            if name == tag and all(attrs.get(key.replace("_", "-")) == value for key, value in attributes.items())
        ]


def test_the_header_holds_every_link_a_superuser_may_follow_inside_a_menu_that_works_without_javascript(admin_client):
    html = admin_client.get("/").content.decode()
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    assert '<details class="site-menu" data-site-menu>' in header
    assert f"<summary>{gettext('Menu')}</summary>" in header
    links = {attrs["href"] for _tag, attrs in Elements(header).tags if "href" in attrs}
    for address in (
        "/contacts/",
        "/organisations/",
        "/agreements/",
        "/contacts/lists/",
        "/duplicates/",
        "/contacts/events/",
        "/jobs/",
        "/admin/",
        "/account/two-factor/",
    ):
        assert address in links, address
    assert '<form role="search" class="global-search"' in header or 'class="global-search"' in header


def test_the_design_tokens_come_before_the_stylesheet_and_the_script_is_deferred(viewer_client):
    html = viewer_client.get("/").content.decode()
    assert html.index('href="/static/crm/tokens.css"') < html.index('href="/static/crm/site.css"')
    assert '<script src="/static/crm/site.js" defer></script>' in html


def language_buttons(html: str) -> list[dict]:
    return Elements(html).find("button", name="language")


def test_the_language_switch_is_one_button_per_other_language_named_in_that_language(viewer_client):
    html = viewer_client.get("/").content.decode()
    assert language_buttons(html) == [
        {"type": "submit", "class": "link-button", "name": "language", "value": "en", "lang": "en"}
    ]
    assert ' lang="en">English</button>' in html
    assert 'id="language-switch-select"' not in html and gettext("Change language") not in html


def test_one_post_switches_the_language_and_back(viewer_client):
    response = viewer_client.post("/i18n/setlang/", {"language": "en", "next": "/organisations/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/en/organisations/"
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert [button["value"] for button in language_buttons(html)] == ["fr"]
    assert ' lang="fr">Français</button>' in html
    response = viewer_client.post("/i18n/setlang/", {"language": "fr", "next": "/en/organisations/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/organisations/"


def test_the_favicon_is_served_and_linked_from_the_pages_and_the_back_office(admin_client):
    response = Client().get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/crm/favicon.svg"
    assert finders.find("crm/favicon.svg")
    link = '<link rel="icon" href="/static/crm/favicon.svg" type="image/svg+xml">'
    assert link in Client().get("/login/").content.decode()
    assert link in admin_client.get("/").content.decode()
    assert link in admin_client.get("/admin/").content.decode()


def test_a_missing_page_answers_404_in_the_sites_look_with_a_way_back(viewer_client):
    response = viewer_client.get("/organisations/no-such-organisation/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<header class="site-header">' in html and 'href="/static/crm/site.css"' in html
    assert f"<h1>{gettext('Page not found')}</h1>" in html
    assert 'class="button primary" href="/"' in html
    assert "URLconf" not in html and "urlpatterns" not in html


def test_a_missing_page_of_the_api_still_answers_json(viewer_client):
    response = viewer_client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.urls("tests.test_design")
def test_a_refused_page_answers_403_in_the_sites_look_with_a_way_back(client, django_user_model, db):
    client.force_login(django_user_model.objects.create_user("plain", password="correct-horse-battery-staple"))
    for address in ("/refused/", "/contacts/"):
        response = client.get(address)
        assert response.status_code == 403, address
        html = response.content.decode()
        assert '<header class="site-header">' in html
        assert f"<h1>{gettext('Access refused')}</h1>" in html
        assert 'class="button primary" href="/"' in html


@pytest.mark.urls("tests.test_design")
def test_a_server_error_answers_500_in_the_sites_look_without_a_request(db):
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert 'href="/static/crm/site.css"' in html and '<header class="site-header">' in html
    assert f"<h1>{gettext('Server error')}</h1>" in html
    assert 'href="/"' in html
    assert "RuntimeError" not in html and "Traceback" not in html
    # It renders without any context at all: what Django's server_error does.
    assert gettext("Server error") in render_to_string("500.html")


def test_a_cluster_without_members_shows_an_empty_state_not_zeros_charts_and_filters(viewer_client):
    cluster = ClusterFactory()
    html = viewer_client.get(cluster.get_absolute_url()).content.decode()
    members = html[html.index('id="members"') :]
    assert 'class="empty-state"' in members
    assert gettext("No member recorded yet") in members
    assert 'class="charts"' not in html and 'class="member-filters"' not in html
    assert 'class="figures"' not in html
    with override("en"):
        assert "0 members today" not in viewer_client.get(f"/en{cluster.get_absolute_url()}").content.decode()


def test_a_cluster_with_members_shows_its_figures_charts_and_filters(viewer_client):
    membership = MembershipFactory(started_on=datetime.date(2020, 1, 1))
    html = viewer_client.get(membership.cluster.get_absolute_url()).content.decode()
    assert 'class="figures"' in html and 'class="charts"' in html and 'class="member-filters"' in html
    assert '<details class="filters-drawer" data-filters-drawer>' in html
    assert 'class="empty-state"' not in html
    assert "---------" not in html


def test_key_figures_show_the_year_and_source_columns_only_when_some_figure_has_them(viewer_client):
    organisation = OrganisationFactory()
    KeyFigureFactory(organisation=organisation)
    html = viewer_client.get(organisation.get_absolute_url()).content.decode()
    table = html[html.index(gettext("Key figures")) :]
    table = table[: table.index("</table>")]
    assert f'<th scope="col">{gettext("Year")}</th>' not in table
    assert f'<th scope="col">{gettext("Source")}</th>' not in table
    assert "—" not in table
    KeyFigureFactory(organisation=organisation, year=2024, source="Rapport annuel")
    html = viewer_client.get(organisation.get_absolute_url()).content.decode()
    assert f'<th scope="col">{gettext("Year")}</th>' in html and f'<th scope="col">{gettext("Source")}</th>' in html
    assert "Rapport annuel" in html and ">2024<" in html


@pytest.mark.parametrize(
    "address", ["/organisations/", "/agreements/", "/press-releases/", "/organisations/polepharma/"]
)
def test_filters_offer_all_rather_than_dashes(seed, viewer_client, address):
    html = viewer_client.get(address).content.decode()
    assert "<select" in html or address == "/organisations/polepharma/"
    assert "---------" not in html


def test_the_filters_of_a_list_open_on_a_phone_only_when_one_is_in_use(seed, viewer_client):
    html = viewer_client.get("/organisations/").content.decode()
    assert '<details class="filters-drawer" data-filters-drawer>' in html
    html = viewer_client.get("/organisations/?kind=cluster&q=pole").content.decode()
    assert '<details class="filters-drawer" data-filters-drawer open>' in html
    assert f'{gettext("Filters")} <span class="badge">1</span>' in html


def test_a_persons_contact_details_heading_says_nothing_of_their_gender(viewer_client):
    html = viewer_client.get(PersonFactory().get_absolute_url()).content.decode()
    assert f"<h2>{gettext('Contact details')}</h2>" in html
    assert gettext("How to reach them") not in html


@pytest.mark.parametrize("address", ["/", "/agreements/", "/organisations/", "/contacts/philippe-ivanes/"])
def test_every_cell_of_a_responsive_table_is_labelled_for_its_card(seed, viewer_client, address):
    response = viewer_client.get(address)
    assert response.status_code == 200
    parser = Elements(response.content.decode())
    assert any("responsive" in attrs.get("class", "") for tag, attrs in parser.tags if tag == "table")
    inside, cells = False, []
    for tag, attrs in parser.tags:
        if tag == "table":
            inside = "responsive" in attrs.get("class", "")
        elif tag == "td" and inside:
            cells.append(attrs)
    assert cells and all(cell.get("data-label") for cell in cells)
