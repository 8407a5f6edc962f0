"""The organisations' search: every word, folded, in an indexed search text (clusters.search), on the
organisations' page and in the admin."""

import re

import pytest
from django.db import connection

from clusters.models import Organisation
from clusters.search import search_organisations
from tests.admin_helpers import admin_url
from tests.factories import OrganisationFactory, OrganisationNameFactory, PositionFactory

URL = "/organisations/"


def listed(client, **params) -> list[str]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return re.findall(r'<td[^>]*><a href="/(?:en/)?organisations/[\w-]+/">([^<]+)</a>', response.content.decode())


def test_an_organisation_is_found_by_another_name_whatever_its_accents_and_case(db, viewer_client):
    organisation = OrganisationFactory(name="Basque Health Cluster", slug="bhc")
    OrganisationNameFactory(organisation=organisation, name="Pôle Santé Éuskadi")
    OrganisationFactory(name="Pôle Agroalimentaire", slug="pole-agro")

    assert listed(viewer_client, q="POLE sante euskadi") == ["Basque Health Cluster"]
    assert listed(viewer_client, q="pôle") == ["Basque Health Cluster", "Pôle Agroalimentaire"]


def test_the_search_text_follows_the_names_added_renamed_and_removed(db):
    organisation = OrganisationFactory(name="Aerospace Valley", acronym="AV", slug="aerospace-valley")
    other_name = OrganisationNameFactory(organisation=organisation, name="Pôle Aéronautique")
    organisation.refresh_from_db()
    assert "aeronautique" in organisation.search_text.split()

    other_name.name = "Pegase"
    other_name.save()
    organisation.refresh_from_db()
    assert "pegase" in organisation.search_text.split() and "aeronautique" not in organisation.search_text

    other_name.delete()
    organisation.name = "Aérospace Valley Occitanie"
    organisation.save()
    organisation.refresh_from_db()
    assert organisation.search_text.split()[:4] == ["aerospace", "valley", "occitanie", "av"]
    assert "pegase" not in organisation.search_text
    assert search_organisations(Organisation.objects.all(), "OCCITANIE valley").get() == organisation


def test_names_acronyms_and_towns_are_found_as_before(db):
    leem = OrganisationFactory(name="Les Entreprises du Médicament", acronym="Leem", slug="leem", city="Paris")
    OrganisationFactory(name="Sanofi", slug="sanofi", city="Gentilly")
    organisations = Organisation.objects.order_by("name")

    assert list(search_organisations(organisations, "médicament")) == [leem]
    assert list(search_organisations(organisations, "LEEM")) == [leem]
    assert list(search_organisations(organisations, "entreprises paris")) == [leem]
    assert list(search_organisations(organisations, "entreprises gentilly")) == []
    assert search_organisations(organisations, "  ").count() == 2


def test_the_admin_search_finds_other_names_once_each(db, admin_client):
    organisation = OrganisationFactory(name="Basque Health Cluster", slug="bhc")
    OrganisationNameFactory(organisation=organisation, name="Basque Biocluster")
    OrganisationNameFactory(organisation=organisation, name="Biocluster Euskadi")
    OrganisationFactory(name="Polepharma", slug="polepharma")

    response = admin_client.get(admin_url(Organisation, "changelist"), {"q": "BIOCLUSTER"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [organisation]


@pytest.mark.parametrize("rows", [10, 100])
def test_a_search_of_the_list_takes_as_many_queries_at_10_and_100_rows(
    db, viewer_client, django_assert_num_queries, rows
):
    for _index in range(rows):
        PositionFactory(organisation=OrganisationFactory(name="Pôle Occitanie"))
    # As the unfiltered list: no query reads every organisation to fold its names in Python any more.
    with django_assert_num_queries(11):
        response = viewer_client.get(URL, {"q": "pole occitanie"})
    assert response.status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index exists on PostgreSQL only")
def test_the_organisations_search_can_use_its_trigram_index(db):
    OrganisationFactory(name="Polepharma")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE clusters_organisation")
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = search_organisations(Organisation.objects.order_by("name"), "polepharma").explain()
    assert "organisation_search_trgm" in plan, plan
