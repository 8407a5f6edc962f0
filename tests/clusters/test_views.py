"""The organisation pages: /organisations/ and /organisations/<slug>/."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission

from tests.factories import (
    ClusterFactory,
    MembershipFactory,
    OrganisationFactory,
    OrganisationNameFactory,
    PersonFactory,
    PositionFactory,
    SectorFactory,
)

URL = "/organisations/"


def names(response) -> list[str]:
    return re.findall(r'<td[^>]*><a href="/(?:en/)?organisations/[\w-]+/">([^<]+)</a>', response.content.decode())


def listed(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return names(response)


@pytest.fixture
def seeded_viewer(seed, viewer_client):
    return viewer_client


def test_anonymous_visitors_go_to_login(client, seed):
    assert client.get(URL)["Location"] == "/login/?next=/organisations/"
    assert client.get(URL + "polepharma/")["Location"] == "/login/?next=/organisations/polepharma/"


def test_users_without_view_permission_get_403(client, django_user_model, seed):
    user = django_user_model.objects.create_user("people-only", password="correct-horse-battery-staple")
    user.user_permissions.set(Permission.objects.filter(codename="view_person"))
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert client.get(URL + "polepharma/").status_code == 403


def test_list_shows_every_organisation_of_the_seed(seeded_viewer):
    assert len(listed(seeded_viewer)) == 9


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("basque biocluster", ["Basque Health Cluster"]),  # a former name
        ("POLEPHARMA-gipso", ["Polepharma"]),  # an alias, any case and punctuation
        ("leem", ["Leem"]),
        ("euroregion pays basque", ["Eurorégion Nouvelle-Aquitaine, Pays basque et Navarre"]),
    ],
)
def test_search_ignores_case_accents_and_finds_other_names(seeded_viewer, query, expected):
    found = listed(seeded_viewer, q=query)
    assert [name for name in found if name in expected] == expected
    assert len(found) == len(expected)


def test_kind_country_region_and_sector_filters(db, viewer_client):
    sector = SectorFactory(slug="biotech")
    company = OrganisationFactory(name="Biolab", kind="company", country="ES", region="Navarre")
    company.sectors.add(sector)
    OrganisationFactory(name="Autre", kind="public_body", country="FR", region="Occitanie")
    assert listed(viewer_client, kind="company") == ["Biolab"]
    assert listed(viewer_client, country="ES") == ["Biolab"]
    assert listed(viewer_client, region="Occitanie") == ["Autre"]
    assert listed(viewer_client, sector="biotech") == ["Biolab"]


def test_member_of_filter_lists_current_members_of_a_cluster(db, viewer_client):
    cluster = ClusterFactory(slug="pole", name="Pôle")
    MembershipFactory(cluster=cluster, member=OrganisationFactory(name="Membre"))
    OrganisationFactory(name="Extérieur")
    assert listed(viewer_client, member_of="pole") == ["Membre"]


def test_sorting_by_name_both_ways(seeded_viewer):
    ascending = listed(seeded_viewer, o="name")
    assert listed(seeded_viewer, o="-name") == list(reversed(ascending))


@pytest.mark.parametrize(
    "params", [{"q": "x" * 3000}, {"page": "abc"}, {"o": "nonsense"}, {"kind": "spaceship"}, {"member_of": "nope"}]
)
def test_hostile_queries_get_a_page(seeded_viewer, params):
    assert seeded_viewer.get(URL, params).status_code == 200


def test_htmx_request_gets_only_the_results(seeded_viewer):
    response = seeded_viewer.get(URL, {"q": "leem"}, headers={"HX-Request": "true"})
    assert "<html" not in response.content.decode()
    assert names(response) == ["Leem"]


@pytest.mark.parametrize("rows", [10, 100])
def test_list_query_count_does_not_grow_with_rows(db, viewer_client, django_assert_num_queries, rows):
    for _index in range(rows):
        PositionFactory(organisation=OrganisationFactory(region="Occitanie"))
    # session, user, user and group permissions; the filters' choices (countries, regions, sectors, clusters);
    # count; organisations with their counts.
    with django_assert_num_queries(12):
        response = viewer_client.get(URL, {"region": "Occitanie"})
    assert len(names(response)) == min(rows, 25)


def test_list_rows_count_each_person_once_and_todays_members(db, viewer_client):
    cluster = ClusterFactory(name="Pôle Alpha", slug="pole-alpha")
    twice = PersonFactory()
    PositionFactory(organisation=cluster, person=twice, title="Directrice")
    PositionFactory(organisation=cluster, person=twice, title="Présidente")
    PositionFactory(organisation=cluster)
    MembershipFactory(cluster=cluster)
    MembershipFactory(cluster=cluster, started_on=datetime.date(2010, 1, 1), ended_on=datetime.date(2011, 1, 1))
    OrganisationFactory(name="Zeta")  # nobody, no members

    html = viewer_client.get(URL).content.decode()
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)]
    # Name, kind, where, people, members: as read on the page, without the links.
    cells = {re.sub(r"<[^>]+>", "", row[0]).strip(): (re.sub(r"<[^>]+>", "", row[3]), row[4]) for row in rows if row}

    assert cells["Pôle Alpha"] == ("2", "1")
    assert cells["Zeta"] == ("0", "—")


def test_polepharma_page_shows_its_sites_figures_relations_people_and_agreements(seeded_viewer):
    html = seeded_viewer.get(URL + "polepharma/").content.decode()
    for town in ("Chartres", "Louviers", "Tours", "Bordeaux", "Paris"):
        assert f'<td data-label="Ville">{town}</td>' in html
    assert "60% de la production de médicaments en France" in html
    assert 'href="/organisations/gipso/"' in html  # GIPSO is its network
    assert 'href="/organisations/basque-health-cluster/"' in html  # partner since 2013
    assert 'href="/contacts/fabien-riolet/"' in html and "Directeur Général" in html
    assert 'href="/agreements/convention-polepharma-gipso-basque-health-cluster-2022/"' in html
    assert 'href="/press-releases/2022-05-12-alliance-polepharma-gipso-basque-health-cluster/"' in html


def test_basque_health_cluster_page_shows_its_former_name(seeded_viewer):
    html = seeded_viewer.get(URL + "basque-health-cluster/").content.decode()
    assert "Basque Biocluster" in html
    assert "27 octobre 2010" in html


def test_gipso_page_shows_figures_with_their_sources(seeded_viewer):
    html = seeded_viewer.get(URL + "gipso/").content.decode()
    assert "718" in html
    assert 'href="/organisations/leem/"' in html  # the Leem is the source of the 2017 employment figures


def test_cluster_page_lists_members(db, viewer_client):
    cluster = ClusterFactory(slug="pole", name="Pôle")
    MembershipFactory(cluster=cluster, member=OrganisationFactory(name="Laboratoire Adhérent"))
    html = viewer_client.get(URL + "pole/").content.decode()
    assert "Laboratoire Adhérent" in html


def test_unknown_organisation_is_404(seeded_viewer):
    assert seeded_viewer.get(URL + "nowhere/").status_code == 404


def test_detail_query_count_does_not_grow_with_people(db, viewer_client, django_assert_num_queries):
    organisation = OrganisationFactory(slug="grande")
    OrganisationNameFactory(organisation=organisation)
    for _index in range(30):
        PositionFactory(organisation=organisation, person=PersonFactory())
    # 2 of them: the history of the organisation and of its memberships; 1, the timeline's page of keys.
    with django_assert_num_queries(24):
        assert viewer_client.get(URL + "grande/").status_code == 200
