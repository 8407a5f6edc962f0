"""The people and press-contact directory at /contacts/: search, filters, sorting, pages, permissions."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from contacts.models import Person
from tests.admin_helpers import shown
from tests.factories import (
    ContactListFactory,
    EmailFactory,
    OrganisationFactory,
    PersonFactory,
    PhoneFactory,
    PositionFactory,
    PressContactFactory,
    TagFactory,
)

URL = "/contacts/"


def names(response) -> list[str]:
    """The people listed on a directory page, in order."""
    html = response.content.decode()
    return re.findall(r'<td>\s*<a href="/(?:en/)?contacts/[\w-]+/">([^<]+)</a>', html)


def search(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return names(response)


@pytest.fixture
def seeded_viewer(seed, viewer_client):
    return viewer_client


# --- search ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ivanes", ["Philippe Ivanès"]),
        ("IVANÈS", ["Philippe Ivanès"]),
        ("PASCUAL", ["Maria Pascual de Zulueta"]),
        ("zulueta", ["Maria Pascual de Zulueta"]),
        ("maria pascual-de zulueta", ["Maria Pascual de Zulueta"]),
        ("0556113215", ["Emmanuelle Pangaud"]),
        ("05 56 11 32 15", ["Emmanuelle Pangaud"]),
        ("+33 5 56 11 32 15", ["Emmanuelle Pangaud"]),
        ("05.56.11.32.15", ["Emmanuelle Pangaud"]),
        ("+34 644 84 56 44", ["Maria Pascual de Zulueta"]),
        ("06 60 46 23 08", ["Stéphanie Bou"]),
        ("sbou@leem.org", ["Stéphanie Bou"]),
        ("e.pangaud@gipso", ["Emmanuelle Pangaud"]),
        ("anti-thrombotique", ["Philippe Ivanès"]),
        ("sanofi", ["Philippe Ivanès"]),
    ],
)
def test_search_ignores_case_accents_punctuation_and_phone_format(seeded_viewer, query, expected):
    assert search(seeded_viewer, q=query) == expected


def test_search_by_title_finds_everyone_with_it(seeded_viewer):
    assert search(seeded_viewer, q="Président") == ["Mikel Alvarez Yeregui", "Luc Grislain", "Philippe Ivanès"]


def test_search_by_organisation_finds_its_people_and_press_contacts(seeded_viewer):
    assert search(seeded_viewer, q="leem") == [
        "Stéphanie Bou",
        "Philippe Lamoureux",
        "Elisa Mahdadi",
        "Virginie Pautre",
    ]


def test_search_by_acronym_and_name_words_together(seeded_viewer):
    assert search(seeded_viewer, q="polepharma général") == ["Fabien Riolet"]


def test_search_with_no_match_says_so(seeded_viewer):
    response = seeded_viewer.get(URL, {"q": "zzzz-nobody"})
    assert "No one matches this search." in response.content.decode("utf-8") or "Personne" in response.content.decode()
    assert names(response) == []


def test_search_follows_a_renamed_organisation(db, viewer_client):
    organisation = OrganisationFactory(name="Biocluster Basque")
    PositionFactory(person=PersonFactory(given_name="Ane", family_name="Etxeberria"), organisation=organisation)
    organisation.name = "Basque Health Cluster"
    organisation.save()
    assert search(viewer_client, q="health cluster") == ["Ane Etxeberria"]
    assert search(viewer_client, q="biocluster") == []


def test_search_follows_new_contact_points_and_forgets_deleted_ones(db, viewer_client):
    person = PersonFactory(given_name="Iñaki", family_name="Zubizarreta")
    email = EmailFactory(person=person, email="inaki@example.eus")
    assert search(viewer_client, q="inaki@example") == ["Iñaki Zubizarreta"]
    email.delete()
    assert search(viewer_client, q="inaki@example") == []
    assert search(viewer_client, q="inaki") == ["Iñaki Zubizarreta"]


# --- filters -----------------------------------------------------------------------------------------


def test_organisation_filter_lists_its_people_and_press_contacts(seeded_viewer):
    assert search(seeded_viewer, organisation="polepharma") == [
        "Camille Garcia",
        "Philippe Ivanès",
        "Fabien Riolet",
        "Capucine Sarrade-Loucheur",
    ]


def test_organisation_kind_filter(seeded_viewer):
    assert search(seeded_viewer, kind="company") == ["Philippe Ivanès"]


def test_country_filter(seeded_viewer):
    assert search(seeded_viewer, country="ES") == ["Mikel Alvarez Yeregui", "Maria Pascual de Zulueta"]


def test_region_filter(seeded_viewer):
    assert search(seeded_viewer, region="Nouvelle-Aquitaine") == ["Luc Grislain", "Emmanuelle Pangaud"]


def test_press_contacts_only(seeded_viewer):
    assert search(seeded_viewer, press_only="on") == [
        "Stéphanie Bou",
        "Camille Garcia",
        "Elisa Mahdadi",
        "Emmanuelle Pangaud",
        "Maria Pascual de Zulueta",
        "Virginie Pautre",
        "Capucine Sarrade-Loucheur",
    ]


def test_has_phone_and_has_email_filters(seeded_viewer):
    with_phone = search(seeded_viewer, has_phone="on")
    assert with_phone == [
        "Stéphanie Bou",
        "Emmanuelle Pangaud",
        "Maria Pascual de Zulueta",
        "Virginie Pautre",
        "Capucine Sarrade-Loucheur",
    ]
    assert "Camille Garcia" in search(seeded_viewer, has_email="on")
    assert "Fabien Riolet" not in search(seeded_viewer, has_email="on")


def test_contact_list_and_tag_filters(db, viewer_client):
    on_list, tagged, _other = PersonFactory(family_name="Listed"), PersonFactory(family_name="Tagged"), PersonFactory()
    contact_list = ContactListFactory(slug="journalistes")
    contact_list.people.add(on_list)
    tag = TagFactory(slug="sante")
    tagged.tags.add(tag)
    assert [name.split()[-1] for name in search(viewer_client, contact_list="journalistes")] == ["Listed"]
    assert [name.split()[-1] for name in search(viewer_client, tag="sante")] == ["Tagged"]


def test_do_not_contact_people_are_left_out_unless_asked_for(db, viewer_client):
    PersonFactory(given_name="Ana", family_name="Optout", do_not_contact=True)
    PersonFactory(given_name="Ana", family_name="Reachable")
    assert search(viewer_client) == ["Ana Reachable"]
    response = viewer_client.get(URL, {"include_do_not_contact": "on"})
    assert names(response) == ["Ana Optout", "Ana Reachable"]
    assert "Do not contact" in response.content.decode() or "Ne pas contacter" in response.content.decode()


def test_filters_combine_with_the_search(seeded_viewer):
    assert search(seeded_viewer, q="président", country="FR") == ["Luc Grislain", "Philippe Ivanès"]


def test_unknown_filter_values_show_the_error_and_no_one(seeded_viewer):
    response = seeded_viewer.get(URL, {"organisation": "no-such-organisation", "kind": "spaceship"})
    assert response.status_code == 200
    assert names(response) == []
    assert 'class="errorlist' in response.content.decode()


# --- sorting and pages -------------------------------------------------------------------------------


def test_sorting_by_name_both_ways(seeded_viewer):
    ascending = search(seeded_viewer, o="name")
    assert ascending[0] == "Mikel Alvarez Yeregui"
    assert search(seeded_viewer, o="-name") == list(reversed(ascending))


def test_sorting_by_organisation(seeded_viewer):
    listed = search(seeded_viewer, o="organisation")
    # By organisation, then title; press contacts without a position among the people of their organisation.
    assert listed.index("Mikel Alvarez Yeregui") < listed.index("Luc Grislain") < listed.index("Fabien Riolet")
    assert listed.index("Luc Grislain") < listed.index("Emmanuelle Pangaud") < listed.index("Philippe Lamoureux")


def test_column_header_links_keep_the_search_and_reverse_the_order(seeded_viewer):
    html = seeded_viewer.get(URL, {"q": "leem", "o": "name", "page": "1"}).content.decode()
    assert 'href="?q=leem&amp;o=-name"' in html


def test_pages_of_25_keep_the_filters_in_their_links(db, viewer_client):
    for index in range(30):
        PositionFactory(person=PersonFactory(family_name=f"Durand{index:02d}"), title="Chargé de mission")
    first = viewer_client.get(URL, {"q": "charge"})
    assert len(names(first)) == 25
    assert "?q=charge&amp;page=2" in first.content.decode()
    second = viewer_client.get(URL, {"q": "charge", "page": "2"})
    assert len(names(second)) == 5


@pytest.mark.parametrize("page", ["abc", "999", "-1", "0"])
def test_a_mistyped_page_number_shows_a_page(seeded_viewer, page):
    response = seeded_viewer.get(URL, {"page": page})
    assert response.status_code == 200
    assert names(response)


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 5000},
        {"q": "<script>alert(1)</script>"},
        {"q": "%' OR 1=1 --"},
        {"q": "🙂🙂"},
        {"q": "+"},
        {"o": "nonsense"},
        {"o": "-"},
        {"country": "ZZ"},
        {"contact_list": "x" * 300},
    ],
)
def test_hostile_queries_get_a_page_never_an_error(seeded_viewer, params):
    response = seeded_viewer.get(URL, params)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_htmx_request_gets_only_the_results(seeded_viewer):
    response = seeded_viewer.get(URL, {"q": "ivanes"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert names(response) == ["Philippe Ivanès"]
    assert "HX-Request" in response["Vary"]


def test_page_works_without_javascript_through_a_plain_form(seeded_viewer):
    html = seeded_viewer.get(URL).content.decode()
    assert '<form id="list-form" method="get" action="/contacts/"' in html
    assert 'hx-get="/contacts/"' in html
    assert '<button type="submit" class="button primary">' in html
    assert "/static/django_htmx/htmx-2.min.js" in html or "htmx" in html


def test_rows_show_contact_links_to_those_who_may_export(seed, exporter_client):
    html = exporter_client.get(URL, {"q": "pangaud"}).content.decode()
    assert 'href="mailto:e.pangaud@gipso.org"' in html
    assert 'href="tel:+33556113215"' in html
    assert "05 56 11 32 15" in html


def test_rows_show_no_address_or_number_to_those_who_may_not_export(seeded_viewer):
    html = seeded_viewer.get(URL, {"q": "pangaud"}).content.decode()
    assert "Emmanuelle Pangaud" in html
    assert "e.pangaud@gipso.org" not in html and "+33556113215" not in html and "05 56 11 32 15" not in html
    with translation.override("fr"):
        notice = gettext(
            "Email addresses and phone numbers are on each person's page: lists show them only to staff who may "
            "export contacts."
        )
    assert notice in html
    person = seeded_viewer.get("/contacts/emmanuelle-pangaud/").content.decode()
    assert 'href="mailto:e.pangaud@gipso.org"' in person  # one person at a time, on their page


def test_rows_of_people_who_asked_not_to_be_contacted_withhold_their_details(seed, exporter_client):
    Person.objects.filter(slug="emmanuelle-pangaud").update(do_not_contact=True)
    html = exporter_client.get(URL, {"q": "pangaud", "include_do_not_contact": "on"}).content.decode()
    assert "Emmanuelle Pangaud" in html
    assert "e.pangaud@gipso.org" not in html and "05 56 11 32 15" not in html
    assert shown("Withheld: this person asked not to be contacted.") in html


# --- permissions -------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, seed):
    response = client.get(URL + "?q=leem")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/contacts/")


def test_signed_in_user_without_view_permission_gets_403(client, django_user_model, seed):
    client.force_login(django_user_model.objects.create_user("nobody", password="correct-horse-battery-staple"))
    assert client.get(URL).status_code == 403
    assert client.get("/contacts/philippe-ivanes/").status_code == 403


def test_export_links_only_for_users_who_may_export(seed, viewer, exporter):
    viewer_client, exporter_client = Client(), Client()
    viewer_client.force_login(viewer)
    exporter_client.force_login(exporter)
    assert "/contacts/export/?format=csv" not in viewer_client.get(URL).content.decode()
    assert "/contacts/export/?format=csv&amp;q=leem" in exporter_client.get(URL, {"q": "leem"}).content.decode()


# --- query counts ------------------------------------------------------------------------------------


def make_people(count):
    for _index in range(count):
        person = PersonFactory()
        PositionFactory(person=person, title="Chargée d'affaires")
        EmailFactory(person=person)
        PhoneFactory(person=person)
        PressContactFactory(person=person)


@pytest.mark.parametrize("rows", [10, 100])
def test_directory_query_count_does_not_grow_with_rows(db, viewer_client, django_assert_num_queries, rows):
    make_people(rows)
    # session, user, user and group permissions; filter choices (regions, countries, lists, tags, event
    # editions: organisations and clusters are suggested as one types, not listed); count, people, positions,
    # contact points, press roles; on PostgreSQL, the matches collected through the trigram index first.
    with django_assert_num_queries(16 if connection.vendor == "postgresql" else 15):
        response = viewer_client.get(URL, {"q": "affaires", "o": "organisation"})
    assert len(names(response)) == min(rows, 25)


# --- the person page ---------------------------------------------------------------------------------


def test_person_page_shows_positions_over_time_with_sources(seeded_viewer):
    html = seeded_viewer.get("/contacts/philippe-ivanes/").content.decode()
    assert "Président" in html
    assert "Directeur Industriel Division Anti-thrombotique" in html
    assert 'href="/organisations/sanofi/"' in html
    assert 'href="/press-releases/2022-05-12-alliance-polepharma-gipso-basque-health-cluster/"' in html


def test_person_page_shows_contact_points_as_links(seeded_viewer):
    html = seeded_viewer.get("/contacts/stephanie-bou/").content.decode()
    assert 'href="mailto:sbou@leem.org"' in html
    assert 'href="tel:+33145038838"' in html and "01 45 03 88 38" in html
    assert 'href="tel:+33660462308"' in html and "06 60 46 23 08" in html
    assert 'href="/organisations/leem/"' in html


def test_person_page_shows_agreements_signed_with_title_at_signing_and_quotes(seeded_viewer):
    from agreements.models import Signatory

    signature = Signatory.objects.select_related("person", "agreement").first()
    html = seeded_viewer.get(f"/contacts/{signature.person.slug}/").content.decode()
    assert signature.agreement.get_absolute_url() in html
    assert signature.title_at_signing in html


def test_person_page_shows_lawful_basis_and_source(seeded_viewer):
    html = seeded_viewer.get("/contacts/maria-pascual-de-zulueta/").content.decode()
    assert "+34 644 84 56 44" in html
    for label in ("Legitimate interest", "Intérêt légitime"):
        if label in html:
            break
    else:
        pytest.fail("the lawful basis is not shown")


def test_unknown_person_is_404(seeded_viewer):
    assert seeded_viewer.get("/contacts/nobody-at-all/").status_code == 404


def test_person_page_query_count_is_fixed(seed, viewer_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        response = viewer_client.get("/contacts/philippe-ivanes/")
    assert response.status_code == 200


def test_person_page_in_english(seeded_viewer):
    html = seeded_viewer.get("/en/contacts/stephanie-bou/").content.decode()
    assert "Press contact for" in html
    assert '<a href="/en/contacts/">Contacts</a>' in html
