"""The search box in the header of every page (/search/): people, organisations, agreements and press releases,
grouped, as one types (htmx) or as a page without JavaScript."""

import re

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext, ngettext

from contacts.models import ContactPoint
from tests.factories import (
    AgreementFactory,
    EmailFactory,
    OrganisationFactory,
    PersonFactory,
    PhoneFactory,
    PositionFactory,
    PressReleaseFactory,
)

URL = "/search/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def groups(response) -> dict[str, list[str]]:
    """The groups of results shown, each with the addresses of its results (its "See all" link last)."""
    html = response.content.decode()
    found = {}
    for key, body in re.findall(
        r'<section class="global-search-group" aria-labelledby="global-search-([\w-]+)">(.*?)</section>', html, re.S
    ):
        found[key] = re.findall(r'<a href="([^"]+)" class="global-search-result"', body)
    return found


def test_the_header_search_groups_what_it_finds_with_links_to_each_and_to_each_list(seed, viewer_client):
    response = viewer_client.get(URL, {"q": "polepharma"}, **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.content.decode()  # the results alone, for the box to show
    found = groups(response)
    assert list(found) == ["people", "organisations", "agreements", "press_releases"]
    assert "/contacts/fabien-riolet/" in found["people"]
    assert found["people"][-1] == "/contacts/?q=polepharma"
    assert "/organisations/polepharma/" in found["organisations"]
    assert found["organisations"][-1] == "/organisations/?q=polepharma"
    assert "/agreements/convention-polepharma-gipso-basque-health-cluster-2022/" in found["agreements"]
    assert found["agreements"][-1] == "/agreements/?q=polepharma"
    assert "/press-releases/2022-05-12-alliance-polepharma-gipso-basque-health-cluster/" in found["press_releases"]
    assert found["press_releases"][-1] == "/press-releases/?q=polepharma"


def test_each_group_counts_what_its_list_finds(seed, viewer_client):
    people = viewer_client.get("/contacts/", {"q": "polepharma"}).content.decode()
    listed = len(set(re.findall(r'<td>\s*<a href="/contacts/([\w-]+)/">', people)))
    response = viewer_client.get(URL, {"q": "polepharma"}, **HTMX)
    text = response.content.decode()
    assert listed >= 2
    with_count = re.search(r'aria-labelledby="global-search-people">.*?global-search-count">([^<]+)<', text, re.S)
    assert with_count.group(1) == ngettext("%(count)s person", "%(count)s people", listed) % {"count": listed}
    assert len(groups(response)["people"]) == min(listed, 5) + 1


def test_without_javascript_the_form_leads_to_a_whole_page_of_results(seed, viewer_client):
    response = viewer_client.get(URL, {"q": "Basque Biocluster"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and "<h1>" in html
    found = groups(response)
    assert "/organisations/basque-health-cluster/" in found["organisations"]
    assert "/contacts/maria-pascual-de-zulueta/" in found["people"]
    assert 'value="Basque Biocluster"' in html


def test_an_empty_query_shows_no_results(seed, viewer_client):
    assert viewer_client.get(URL, {"q": "  "}, **HTMX).content.decode().strip() == ""
    page = viewer_client.get(URL)
    assert page.status_code == 200
    assert groups(page) == {}


def test_a_query_that_finds_nothing_says_so(seed, viewer_client):
    response = viewer_client.get(URL, {"q": "zzyzx"}, **HTMX)
    assert groups(response) == {}
    assert 'class="global-search-empty"' in response.content.decode()


def test_a_reader_sees_only_the_groups_they_may_see(seed, client, django_user_model):
    reader = django_user_model.objects.create_user("reader", "reader@example.org", "correct-horse-battery-staple")
    reader.groups.add(Group.objects.get(name="Lecteur"))
    client.force_login(reader)
    assert list(groups(client.get(URL, {"q": "polepharma"}, **HTMX))) == [
        "people",
        "organisations",
        "agreements",
        "press_releases",
    ]

    # The same reader without the agreements' permissions: neither agreements nor press releases.
    Group.objects.get(name="Lecteur").permissions.remove(
        *Permission.objects.filter(content_type__app_label="agreements")
    )
    client.force_login(django_user_model.objects.get(pk=reader.pk))  # permissions are cached on the user
    assert list(groups(client.get(URL, {"q": "polepharma"}, **HTMX))) == ["people", "organisations"]


def test_a_user_who_may_see_nothing_finds_nothing(seed, client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", "nobody@example.org", "x-correct-horse"))
    response = client.get(URL, {"q": "polepharma"}, **HTMX)
    assert response.status_code == 200
    assert groups(response) == {}


def test_the_results_show_no_email_nor_phone_number(seed, exporter_client):
    person = PersonFactory(given_name="Ane", family_name="Etxeberria")
    PositionFactory(person=person, organisation=OrganisationFactory(name="Polepharma Atlantique"), title="Cheffe")
    EmailFactory(person=person, email="ane.etxeberria@example.org")
    PhoneFactory(person=person, phone="+33556113215")
    text = exporter_client.get(URL, {"q": "polepharma"}, **HTMX).content.decode()
    assert "Etxeberria" in text
    assert "@" not in text
    for point in ContactPoint.objects.all():
        if point.email:
            assert point.email not in text
        if point.phone:
            assert point.phone.as_e164 not in text
            assert point.phone.as_national not in text
            assert point.phone.as_e164.lstrip("+")[2:] not in text  # the national digits, without separators


def test_people_who_asked_not_to_be_contacted_are_found_as_the_directory_finds_them(db, viewer_client):
    organisation = OrganisationFactory(name="Xylobiotech")
    PositionFactory(person=PersonFactory(family_name="Contactable"), organisation=organisation)
    PositionFactory(person=PersonFactory(family_name="Reservee", do_not_contact=True), organisation=organisation)
    text = viewer_client.get(URL, {"q": "xylobiotech"}, **HTMX).content.decode()
    assert "Contactable" in text
    assert "Reservee" not in text


def test_the_count_stops_early_on_a_broad_query(db, viewer_client):
    organisation = OrganisationFactory(name="Omnipharma")
    for _index in range(52):
        PositionFactory(organisation=organisation)
    response = viewer_client.get(URL, {"q": "omnipharma"}, **HTMX)
    assert gettext("More than %(count)s people") % {"count": 50} in response.content.decode()
    assert len(groups(response)["people"]) == 5 + 1


def test_a_huge_query_is_cut_to_the_directorys_length(seed, viewer_client):
    response = viewer_client.get(URL, {"q": "polepharma " + "x" * 5000}, **HTMX)
    assert response.status_code == 200


def test_a_visitor_is_sent_to_the_login_page(db, client):
    response = client.get(URL, {"q": "polepharma"})
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_fragment_and_the_page_are_cached_apart(seed, viewer_client):
    assert "HX-Request" in viewer_client.get(URL, {"q": "polepharma"}, **HTMX)["Vary"]


def test_the_query_count_does_not_grow_with_the_data(db, viewer_client):
    organisation = OrganisationFactory(name="Polepharma")

    def add(rows):
        for index in range(rows):
            PositionFactory(organisation=organisation if index % 2 else OrganisationFactory(name=f"Polepharma {index}"))
            AgreementFactory(title=f"Convention Polepharma {index}")
            PressReleaseFactory(title=f"Polepharma {index}")

    def queries_of_a_search() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = viewer_client.get(URL, {"q": "polepharma"}, **HTMX)
        assert all(len(addresses) == 5 + 1 for addresses in groups(response).values())
        assert len(groups(response)) == 4
        return len(queries)

    add(10)
    at_ten = queries_of_a_search()
    add(90)
    # session, user, user and group permissions; people: keys (on PostgreSQL, through the trigram index first),
    # rows, positions; organisations: keys, rows; agreements and press releases: each folded in Python (every
    # row read), then keys, then rows.
    assert queries_of_a_search() == at_ten <= 16
