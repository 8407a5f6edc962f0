"""The agreement and press-release pages."""

import re
from datetime import date

import pytest

from tests.factories import (
    AgreementFactory,
    AgreementPartyFactory,
    OrganisationFactory,
    PressReleaseFactory,
    TopicFactory,
)

HENDAYE = "/agreements/convention-polepharma-gipso-basque-health-cluster-2022/"
LEEM_GIPSO = "/agreements/convention-leem-gipso-2020/"
RELEASE_2022 = "/press-releases/2022-05-12-alliance-polepharma-gipso-basque-health-cluster/"
RELEASE_2020 = "/press-releases/2020-06-12-convention-leem-gipso/"


def titles(response, prefix) -> list[str]:
    return re.findall(rf'<td[^>]*><a href="/(?:en/)?{prefix}/[\w-]+/">([^<]+)</a>', response.content.decode())


@pytest.fixture
def seeded_viewer(seed, viewer_client):
    return viewer_client


def test_anonymous_visitors_go_to_login(client, seed):
    for url in ("/agreements/", HENDAYE, "/press-releases/", RELEASE_2022):
        assert client.get(url)["Location"] == f"/login/?next={url}"


def test_users_without_view_permission_get_403(client, django_user_model, seed):
    client.force_login(django_user_model.objects.create_user("none", password="correct-horse-battery-staple"))
    for url in ("/agreements/", HENDAYE, "/press-releases/", RELEASE_2022):
        assert client.get(url).status_code == 403


def test_agreement_list_shows_both_conventions_latest_first(seeded_viewer):
    response = seeded_viewer.get("/agreements/")
    assert titles(response, "agreements") == [
        "Convention Polepharma-GIPSO – Basque Health Cluster",
        "Convention Leem – GIPSO",
    ]


def test_hendaye_convention_page_holds_every_fact(seeded_viewer):
    html = seeded_viewer.get(HENDAYE).content.decode()
    assert "Hendaye" in html
    assert "Eurorégion" in html
    assert "12 mai 2022" in html
    assert 'href="/contacts/fabien-riolet/"' in html and 'href="/contacts/mikel-alvarez-yeregui/"' in html
    assert "Directeur Général" in html  # title at signing
    assert 'href="/organisations/basque-health-cluster/"' in html
    assert RELEASE_2022 in html


def test_leem_gipso_convention_says_the_signatories_are_unknown(seeded_viewer):
    html = seeded_viewer.get(LEEM_GIPSO).content.decode()
    assert 'href="/organisations/leem/"' in html and 'href="/organisations/gipso/"' in html
    assert "ne disent pas qui a signé" in html


def test_agreement_filters_and_search(db, viewer_client):
    topic = TopicFactory(slug="formation")
    party = OrganisationFactory(slug="pole-sante", name="Pôle Santé", acronym="PS")
    first = AgreementFactory(
        title="Accord de formation", kind="partnership", place="Bayonne", signed_on=date(2021, 3, 1), summary=""
    )
    first.topics.add(topic)
    AgreementPartyFactory(agreement=first, organisation=party)
    AgreementFactory(
        title="Autre accord",
        kind="convention",
        place="Pau",
        signed_on=date(2023, 9, 15),
        summary="Échanges d'étudiants",
    )

    def found(**params):
        return titles(viewer_client.get("/agreements/", params), "agreements")

    assert found(q="pole sante") == ["Accord de formation"]
    assert found(q="BAYONNE") == ["Accord de formation"]
    assert found(kind="convention") == ["Autre accord"]
    assert found(topic="formation") == ["Accord de formation"]
    assert found(organisation="pole-sante") == ["Accord de formation"]
    assert found(o="title") == ["Accord de formation", "Autre accord"]
    assert found(o="-title") == ["Autre accord", "Accord de formation"]
    assert found(q="etudiants") == ["Autre accord"]
    assert found(year="2021") == ["Accord de formation"]
    assert found(signed_after="2022-01-01") == ["Autre accord"]
    assert found(signed_before="2021-03-01") == ["Accord de formation"]
    assert found(signed_after="2021-03-01", signed_before="2023-09-15", o="signed_on") == [
        "Accord de formation",
        "Autre accord",
    ]


def test_press_release_text_links_the_people_and_organisations_it_names(seeded_viewer):
    html = seeded_viewer.get(RELEASE_2022).content.decode()
    assert '<a href="/contacts/maria-pascual-de-zulueta/">Maria PASCUAL DE ZULUETA</a>' in html
    assert '<a href="/organisations/basque-health-cluster/">Basque Health Cluster</a>' in html
    assert '<a href="/organisations/polepharma/">Polepharma-GIPSO</a>' in html
    assert "capucine.sarrade-loucheur@polepharma.com" in html  # addresses are not cut by links


def test_leem_release_links_the_leem_and_its_press_contacts(seeded_viewer):
    html = seeded_viewer.get(RELEASE_2020).content.decode()
    assert '<a href="/organisations/leem/">' in html
    assert 'href="/contacts/stephanie-bou/"' in html


def test_markup_in_a_release_is_shown_not_run(db, viewer_client):
    PressReleaseFactory(slug="hostile", text="<script>alert('x')</script> <b>gras</b>")
    html = viewer_client.get("/press-releases/hostile/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert('x')&lt;/script&gt; &lt;b&gt;gras&lt;/b&gt;" in html


def test_press_release_list_and_filters(seeded_viewer):
    assert len(titles(seeded_viewer.get("/press-releases/"), "press-releases")) == 2
    assert len(titles(seeded_viewer.get("/press-releases/", {"issuer": "leem"}), "press-releases")) == 1
    assert len(titles(seeded_viewer.get("/press-releases/", {"year": "2022"}), "press-releases")) == 1
    assert len(titles(seeded_viewer.get("/press-releases/", {"q": "transfrontaliere"}), "press-releases")) == 1


@pytest.mark.parametrize("url", ["/agreements/", "/press-releases/"])
@pytest.mark.parametrize(
    "params", [{"q": "x" * 3000}, {"page": "abc"}, {"o": "nonsense"}, {"year": "abc"}, {"kind": "x"}, {"topic": "x"}]
)
def test_hostile_queries_get_a_page(seeded_viewer, url, params):
    assert seeded_viewer.get(url, params).status_code == 200


def test_htmx_request_gets_only_the_results(seeded_viewer):
    response = seeded_viewer.get("/agreements/", {"q": "hendaye"}, headers={"HX-Request": "true"})
    assert "<html" not in response.content.decode()
    assert len(titles(response, "agreements")) == 1


def test_unknown_slugs_are_404(seeded_viewer):
    assert seeded_viewer.get("/agreements/nothing/").status_code == 404
    assert seeded_viewer.get("/press-releases/nothing/").status_code == 404


@pytest.mark.parametrize("rows", [10, 100])
def test_agreement_list_query_count_does_not_grow(db, viewer_client, django_assert_num_queries, rows):
    for _index in range(rows):
        AgreementPartyFactory(agreement=AgreementFactory(place="Pau"))
    # session, user, user and group permissions; filter choices (topics, years: organisations are suggested as one
    # types, not listed); count; agreements; parties; agreements per year (the chart).
    with django_assert_num_queries(11):
        assert viewer_client.get("/agreements/").status_code == 200


@pytest.mark.parametrize("rows", [10, 100])
def test_press_release_list_query_count_does_not_grow(db, viewer_client, django_assert_num_queries, rows):
    for _index in range(rows):
        PressReleaseFactory().issuers.add(OrganisationFactory())
    # session, user, user and group permissions; filter choices (years: organisations are suggested as one types,
    # not listed); count; releases; issuers.
    with django_assert_num_queries(9):
        assert viewer_client.get("/press-releases/").status_code == 200


def test_detail_pages_query_counts_are_fixed(seed, viewer_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        assert viewer_client.get(HENDAYE).status_code == 200
    with django_assert_max_num_queries(22):
        assert viewer_client.get(RELEASE_2022).status_code == 200
