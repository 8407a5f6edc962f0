"""Contact lists: made from a search, added to and taken from, viewed, exported."""

import pytest

from contacts.models import ContactList
from tests.factories import ContactListFactory, PersonFactory, PositionFactory


@pytest.fixture
def editor(db, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("editor", password="correct-horse-battery-staple")
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_person", "view_contactlist", "add_contactlist", "change_contactlist"]
        )
    )
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_a_list_is_created_from_the_current_search(seed, editor_client, editor):
    page = editor_client.get("/contacts/lists/new/", {"q": "leem", "page": "2"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="q=leem"' in html
    assert "4" in html
    response = editor_client.post(
        "/contacts/lists/new/", {"name": "Presse Leem", "description": "Pour le communiqué", "query": "q=leem"}
    )
    contact_list = ContactList.objects.get()
    assert response.status_code == 302
    assert response["Location"] == "/contacts/lists/presse-leem/"
    assert contact_list.owner == editor
    assert sorted(contact_list.people.values_list("family_name", flat=True)) == [
        "Bou",
        "Lamoureux",
        "Mahdadi",
        "Pautre",
    ]
    detail = editor_client.get(response["Location"]).content.decode()
    assert "Presse Leem" in detail and "Virginie Pautre" in detail


def test_two_lists_with_the_same_name_get_distinct_addresses(db, editor_client):
    editor_client.post("/contacts/lists/new/", {"name": "Invités", "query": ""})
    editor_client.post("/contacts/lists/new/", {"name": "Invités", "query": ""})
    assert sorted(ContactList.objects.values_list("slug", flat=True)) == ["invites", "invites-2"]


def test_a_list_needs_a_name(db, editor_client):
    response = editor_client.post("/contacts/lists/new/", {"name": "   ", "query": ""})
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not ContactList.objects.exists()


def test_the_search_does_not_put_do_not_contact_people_on_a_new_list(db, editor_client):
    PersonFactory(family_name="Refus", do_not_contact=True)
    PersonFactory(family_name="Accord")
    editor_client.post("/contacts/lists/new/", {"name": "Tous", "query": ""})
    assert list(ContactList.objects.get().people.values_list("family_name", flat=True)) == ["Accord"]


def test_a_person_is_added_from_their_page_once(db, editor_client):
    contact_list = ContactListFactory(slug="voeux")
    person = PersonFactory(slug="ane-etxeberria")
    page = editor_client.get("/contacts/ane-etxeberria/").content.decode()
    assert 'action="/contacts/lists/add/"' in page
    for _attempt in range(2):
        response = editor_client.post(
            "/contacts/lists/add/",
            {"contact_list": "voeux", "person": "ane-etxeberria", "next": "/contacts/ane-etxeberria/"},
        )
        assert response["Location"] == "/contacts/ane-etxeberria/"
    assert list(contact_list.people.all()) == [person]


def test_search_results_are_added_to_an_existing_list(db, editor_client):
    contact_list = ContactListFactory(slug="industrie")
    for index in range(3):
        PositionFactory(person=PersonFactory(family_name=f"Usine{index}"), title="Directeur de site")
    PersonFactory(family_name="Autre")
    editor_client.post("/contacts/lists/add/", {"contact_list": "industrie", "query": "q=directeur+de+site"})
    assert contact_list.people.count() == 3


def test_adding_to_an_unknown_list_says_so(db, editor_client):
    response = editor_client.post("/contacts/lists/add/", {"contact_list": "nope", "person": "x"}, follow=True)
    assert response.status_code == 200
    assert not ContactList.objects.exists()


def test_an_offsite_next_address_is_ignored(db, editor_client):
    ContactListFactory(slug="voeux")
    PersonFactory(slug="ane")
    response = editor_client.post(
        "/contacts/lists/add/", {"contact_list": "voeux", "person": "ane", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/contacts/lists/voeux/"


def test_selected_people_are_removed_from_a_list(db, editor_client):
    contact_list = ContactListFactory(slug="voeux")
    keep, drop = PersonFactory(slug="reste", family_name="Reste"), PersonFactory(slug="part", family_name="Part")
    contact_list.people.add(keep, drop)
    html = editor_client.get("/contacts/lists/voeux/").content.decode()
    assert 'name="person" value="part"' in html
    editor_client.post("/contacts/lists/voeux/remove/", {"person": ["part"]})
    assert list(contact_list.people.all()) == [keep]


def test_list_index_shows_each_list_with_its_size(db, editor_client):
    contact_list = ContactListFactory(name="Journalistes santé")
    contact_list.people.add(PersonFactory(), PersonFactory())
    html = editor_client.get("/contacts/lists/").content.decode()
    assert "Journalistes santé" in html
    assert '<td data-label="Personnes">2</td>' in html


def test_viewers_see_lists_but_cannot_change_them(db, viewer_client):
    contact_list = ContactListFactory(slug="voeux")
    person = PersonFactory(slug="ane")
    contact_list.people.add(person)
    assert viewer_client.get("/contacts/lists/voeux/").status_code == 200
    assert 'name="person"' not in viewer_client.get("/contacts/lists/voeux/").content.decode()
    assert viewer_client.post("/contacts/lists/voeux/remove/", {"person": ["ane"]}).status_code == 403
    assert viewer_client.post("/contacts/lists/add/", {"contact_list": "voeux", "person": "ane"}).status_code == 403
    assert viewer_client.get("/contacts/lists/new/").status_code == 403
    assert list(contact_list.people.all()) == [person]


def test_anonymous_visitors_go_to_login(db, client):
    ContactListFactory(slug="voeux")
    for url in ("/contacts/lists/", "/contacts/lists/voeux/", "/contacts/lists/new/"):
        assert client.get(url)["Location"].startswith("/login/")


@pytest.mark.parametrize("rows", [10, 100])
def test_list_page_query_count_does_not_grow_with_rows(db, viewer_client, django_assert_num_queries, rows):
    contact_list = ContactListFactory(slug="grande")
    contact_list.people.add(*[PositionFactory().person for _index in range(rows)])
    # session, user, user and group permissions; the list; count, people, positions, contact points,
    # press roles.
    with django_assert_num_queries(11):
        response = viewer_client.get("/contacts/lists/grande/")
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [10, 100])
def test_list_index_query_count_does_not_grow_with_lists(db, viewer_client, django_assert_num_queries, rows):
    for _index in range(rows):
        ContactListFactory()
    # session, user, user and group permissions; count, lists with their size and owner.
    with django_assert_num_queries(7):
        assert viewer_client.get("/contacts/lists/").status_code == 200
