"""What keeps the directory fast with a million people (docs/benchmarks.md), checked on what a user sees:
organisations suggested as one types instead of listed, counts that stop at 10 000, filter choices read by a
loose index scan, the admin's search through the indexed search text."""

import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from clusters.filters import distinct_values
from clusters.models import Organisation
from contacts.models import Person
from contacts.views import PersonListView
from core.pages import CappedPaginator
from tests.admin_helpers import admin_url
from tests.factories import OrganisationFactory, PersonFactory, PositionFactory, PressContactFactory

URL = "/contacts/"


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(CappedPaginator, "count_limit", 3)


def test_the_organisation_filter_is_a_box_with_suggestions_not_a_list_of_every_organisation(db, viewer_client):
    OrganisationFactory.create_batch(5)
    polepharma = OrganisationFactory(name="Polepharma", slug="polepharma")

    html = viewer_client.get(URL, {"organisation": "polepharma"}).content.decode()

    box = re.search(r'<input[^>]*name="organisation"[^>]*>', html).group(0)
    assert 'value="polepharma"' in box and 'list="id_organisation-suggestions"' in box
    assert 'hx-get="/organisations/suggestions/"' in box
    # The chosen organisation's name is offered; the others are not in the page.
    assert f'<option value="polepharma">{polepharma.name}</option>' in html
    assert "Organisation 0" not in html


def test_suggestions_find_organisations_by_name_acronym_or_slug_without_accents(db, viewer_client):
    OrganisationFactory(name="Pôle Pharma Centre", slug="pole-pharma-centre", city="Dreux")
    OrganisationFactory(name="Les Entreprises du Médicament", acronym="Leem", slug="leem")
    OrganisationFactory(name="Sanofi", slug="sanofi")

    by_accentless_name = viewer_client.get("/organisations/suggestions/", {"organisation": "pole"}).content.decode()
    by_acronym = viewer_client.get("/organisations/suggestions/", {"organisation": "LEEM"}).content.decode()
    nothing_typed = viewer_client.get("/organisations/suggestions/", {"organisation": " "}).content.decode()

    assert '<option value="pole-pharma-centre">Pôle Pharma Centre · Dreux</option>' in by_accentless_name
    assert "Sanofi" not in by_accentless_name
    assert '<option value="leem">Les Entreprises du Médicament (Leem)</option>' in by_acronym
    assert "<option" not in nothing_typed


def test_cluster_suggestions_offer_clusters_only(db, viewer_client):
    OrganisationFactory(name="Polepharma", slug="polepharma", kind=Organisation.Kind.CLUSTER)
    OrganisationFactory(name="Polepharma Services", slug="polepharma-services")

    html = viewer_client.get("/organisations/suggestions/clusters/", {"member_of": "polepharma"}).content.decode()

    assert 'value="polepharma"' in html and "Polepharma Services" not in html


def test_suggestions_need_a_login_and_the_right_to_see_organisations(db, client, django_user_model):
    assert client.get("/organisations/suggestions/", {"q": "a"}).status_code == 302
    client.force_login(django_user_model.objects.create_user("nobody", password="correct-horse-battery-staple"))
    assert client.get("/organisations/suggestions/", {"q": "a"}).status_code == 403


def test_the_directory_stops_counting_at_the_limit_and_says_so(db, viewer_client, small_cap):
    PersonFactory.create_batch(5)

    html = viewer_client.get(URL).content.decode()

    assert "Plus de 3 personnes" in html
    assert "affinez la recherche pour voir les autres" in html


def test_under_the_limit_the_directory_counts_exactly(db, viewer_client, small_cap):
    PersonFactory.create_batch(3)

    html = viewer_client.get(URL).content.decode()

    assert "3 personnes" in html and "Plus de" not in html


def test_the_admin_people_list_stops_counting_at_the_limit_and_says_so(admin_client, small_cap):
    PersonFactory.create_batch(5)

    html = admin_client.get(admin_url(Person, "changelist")).content.decode()

    assert "Plus de 3 personnes" in html


def test_the_admin_searches_people_through_the_search_text_every_word_any_accent(admin_client):
    ines = PersonFactory(given_name="Inès", family_name="Ibáñez de Opakua")
    PersonFactory(given_name="Inès", family_name="Martin")

    response = admin_client.get(admin_url(Person, "changelist"), {"q": "ines IBANEZ"})

    assert list(response.context["cl"].result_list) == [ines]


def test_country_and_region_choices_are_the_values_in_use_in_order(db):
    OrganisationFactory(country="FR", region="Centre-Val de Loire")
    OrganisationFactory(country="ES", region="Euskadi")
    OrganisationFactory(country="FR", region="Centre-Val de Loire")
    OrganisationFactory(country="", region="")

    assert distinct_values(Organisation, "country") == ["ES", "FR"]
    assert distinct_values(Organisation, "region") == ["Centre-Val de Loire", "Euskadi"]


def test_working_at_finds_staff_and_press_contacts_once_each(db):
    organisation = OrganisationFactory()
    both = PersonFactory()
    PositionFactory(person=both, organisation=organisation)
    PressContactFactory(person=both, organisation=organisation)
    press_only = PressContactFactory(organisation=organisation).person
    PositionFactory()  # elsewhere

    found = Person.objects.working_at(Organisation.objects.filter(pk=organisation.pk))

    assert sorted(found.values_list("pk", flat=True)) == sorted([both.pk, press_only.pk])


def test_a_search_as_one_types_loads_the_left_out_notice_in_a_request_of_its_own(db, exporter_client):
    PersonFactory(family_name="Optout", do_not_contact=True)
    PersonFactory(family_name="Reachable")

    fragment = exporter_client.get(URL, {"q": "o"}, headers={"HX-Request": "true"}).text
    loader = re.search(r'<div hx-get="(/contacts/export/left-out/\?[^"]*)" hx-trigger="load"', fragment)
    notice = exporter_client.get(loader.group(1).replace("&amp;", "&")).text

    assert "left-out-of-export" not in fragment
    assert "1 personne qui a demandé à ne pas être contactée est exclue" in notice


def test_the_left_out_notice_needs_the_export_permission(db, viewer_client):
    assert viewer_client.get("/contacts/export/left-out/").status_code == 403


def test_a_search_reads_its_matches_once_for_the_count_and_the_page(db, viewer_client):
    PersonFactory.create_batch(3, family_name="Bouchet")
    PersonFactory(family_name="Martin")

    with CaptureQueriesContext(connection) as captured:
        html = viewer_client.get(URL, {"q": "bouchet"}, headers={"HX-Request": "true"}).text

    # On SQLite the keys query holds the LIKE; on PostgreSQL the matches are collected once through the trigram
    # index (core.search.collected_matches) and the keys query reads them by key.
    searching = [
        query["sql"]
        for query in captured.captured_queries
        if "%bouchet%" in query["sql"] or "crm_search_matches" in query["sql"]
    ]
    assert len(searching) == 1
    assert "3 personnes" in html and html.count("Bouchet</a>") == 3


def test_pages_past_the_first_follow_the_order_of_the_count_up_to_the_limit(db, viewer_client, small_cap, monkeypatch):
    monkeypatch.setattr(PersonListView, "paginate_by", 2)
    for name in ["Dupont", "Bernard", "Etienne", "Amar", "Colin"]:
        PersonFactory(family_name=name, given_name="Anne")

    first = viewer_client.get(URL, {"o": "name"}).text
    second = viewer_client.get(URL, {"o": "name", "page": "2"}).text
    past_the_limit = viewer_client.get(URL, {"o": "name", "page": "3"}).text

    assert re.findall(r"Anne (\w+)</a>", first) == ["Amar", "Bernard"]
    # Three are counted (the limit), so the second page holds the third alone, and there is no third page.
    assert re.findall(r"Anne (\w+)</a>", second) == ["Colin"]
    assert re.findall(r"Anne (\w+)</a>", past_the_limit) == ["Colin"]


def test_someone_deleted_between_the_count_and_the_page_is_left_out_not_an_error(db):
    kept, deleted = PersonFactory(family_name="Amar"), PersonFactory(family_name="Bernard")
    view = PersonListView()
    view.setup(RequestFactory().get(URL))
    paginator = view.get_paginator(Person.objects.order_by("family_name"), 25)
    assert paginator.keys == [kept.pk, deleted.pk]  # read before the deletion
    deleted.delete()

    assert list(paginator.page(1)) == [kept] and paginator.count == 2
