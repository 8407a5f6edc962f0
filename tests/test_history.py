"""Every change kept with who and when, shown on the pages and in the back office; deleted records restored;
a save made from a version someone else already replaced is refused and says what changed meanwhile."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from clusters.models import Organisation
from contacts.models import ContactPoint, Person, Position
from core.history import StaleRecordError
from tests.admin_helpers import admin_url, change_form_data
from tests.factories import EmailFactory, OrganisationFactory, PersonFactory, PositionFactory


@pytest.fixture
def editors(db, django_user_model):
    """Two members of staff who may change people, each with their own browser."""
    clients = []
    for username, first_name in (("alice", "Alice"), ("bruno", "Bruno")):
        user = django_user_model.objects.create_superuser(username, f"{username}@example.org", "x" * 20)
        user.first_name = first_name
        user.last_name = "Durand"
        user.save()
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


@pytest.fixture
def person(db):
    person = PersonFactory(given_name="Camille", family_name="Martin", notes="")
    PositionFactory(person=person, title="Directrice", organisation=OrganisationFactory(name="Polepharma"))
    EmailFactory(person=person, email="camille.martin@example.org")
    return person


def edit_person(client, person, **changes):
    page = client.get(admin_url(Person, "change", person.pk))
    return page, {**change_form_data(page), **changes}


def test_a_change_in_the_back_office_is_shown_on_the_person_page_with_who_and_what(editors, person):
    alice, _bruno = editors
    _page, data = edit_person(alice, person, family_name="Martin-Dupont")
    assert alice.post(admin_url(Person, "change", person.pk), data).status_code == 302

    page = alice.get(person.get_absolute_url()).content.decode()
    assert "Historique" in page
    assert "Alice Durand" in page
    assert "Martin → Martin-Dupont" in page


def test_changes_to_positions_and_contact_points_are_in_the_person_history(admin_client, person):
    position = person.positions.get()
    position.title = "Présidente"
    position.save()
    point = person.contact_points.get()
    point.email = "c.martin@example.org"
    point.save()

    page = admin_client.get(person.get_absolute_url()).content.decode()
    assert "Directrice → Présidente" in page
    assert "camille.martin@example.org → c.martin@example.org" in page


def test_a_changed_organisation_shows_the_new_name_of_a_foreign_key_not_its_number(admin_client, person):
    position = person.positions.get()
    position.organisation = OrganisationFactory(name="Leem")
    position.save()

    page = admin_client.get(person.get_absolute_url()).content.decode()
    assert "Polepharma → Leem" in page


@pytest.mark.parametrize("changes", [1, 12])
def test_the_person_page_query_count_does_not_grow_with_the_history(
    viewer_client, person, django_assert_num_queries, changes
):
    position = person.positions.get()
    for number in range(changes):
        position.title = f"Titre {number}"
        position.organisation = OrganisationFactory()
        position.save()
    viewer_client.get(person.get_absolute_url())  # content types are cached after the first page
    # The page's queries, then its timeline's: the page of keys and the positions on it.
    with django_assert_num_queries(20):
        page = viewer_client.get(person.get_absolute_url())
    assert f"Titre {changes - 1}" in page.content.decode()


def test_the_organisation_page_shows_its_history(admin_client):
    organisation = OrganisationFactory(name="Basque Biocluster")
    organisation.name = "Basque Health Cluster"
    organisation.save()

    page = admin_client.get(organisation.get_absolute_url()).content.decode()
    assert "Basque Biocluster → Basque Health Cluster" in page


def test_the_back_office_history_lists_each_change(admin_client, person):
    person.notes = "Rencontrée aux RNAEN."
    person.save()
    page = admin_client.get(admin_url(Person, "history", person.pk)).content.decode()
    assert "Rencontrée aux RNAEN." in page


def test_the_seed_starts_the_history_of_its_records_once(db):
    call_command("loaddata", "seed", verbosity=0)
    call_command("loaddata", "seed", verbosity=0)
    polepharma = Organisation.objects.get(slug="polepharma")
    assert list(polepharma.history.values_list("history_type", flat=True)) == ["+"]


def test_a_deleted_person_is_listed_and_restored_with_their_positions_and_contact_points(admin_client, person):
    pk = person.pk
    admin_client.post(admin_url(Person, "delete", pk), {"post": "yes"})
    assert not Person.objects.filter(pk=pk).exists()
    assert not Position.objects.filter(person_id=pk).exists()

    listing = admin_client.get(admin_url(Person, "deleted")).content.decode()
    assert "Camille Martin" in listing

    answer = admin_client.post(admin_url(Person, "deleted"), {"record": pk})
    assert answer.status_code == 302 and answer["Location"] == admin_url(Person, "change", pk)
    restored = Person.objects.get(pk=pk)
    assert restored.full_name == "Camille Martin"
    assert restored.positions.get().title == "Directrice"
    assert restored.contact_points.get().email == "camille.martin@example.org"
    assert f'name="record" value="{pk}"' not in admin_client.get(admin_url(Person, "deleted")).content.decode()


def test_restoring_a_record_that_was_not_deleted_changes_nothing(admin_client, person):
    answer = admin_client.post(admin_url(Person, "deleted"), {"record": person.pk}, follow=True)
    assert "cannot be restored" in answer.content.decode() or "ne peut pas être restaurée" in answer.content.decode()
    assert Person.objects.filter(pk=person.pk).count() == 1


def test_a_reader_sees_deleted_records_but_may_not_restore_them(client, viewer, person):
    pk = person.pk
    person.delete()
    viewer.is_staff = True
    viewer.save()
    client.force_login(viewer)
    assert "Camille Martin" in client.get(admin_url(Person, "deleted")).content.decode()
    assert client.post(admin_url(Person, "deleted"), {"record": pk}).status_code == 403
    assert not Person.objects.filter(pk=pk).exists()


# No lost updates.


def test_two_staff_edit_the_same_person_the_second_save_is_refused_and_says_what_changed(editors, person):
    alice, bruno = editors
    _page, alice_data = edit_person(alice, person)
    _page, bruno_data = edit_person(bruno, person)

    assert alice.post(admin_url(Person, "change", person.pk), {**alice_data, "notes": "Vue par Alice"}).status_code
    refused = bruno.post(admin_url(Person, "change", person.pk), {**bruno_data, "family_name": "Bernard"})

    assert refused.status_code == 200
    text = refused.content.decode()
    assert "Quelqu’un d’autre a modifié cette fiche" in text or "Someone else changed this" in text
    assert "Alice Durand" in text and "Vue par Alice" in text
    person.refresh_from_db()
    assert person.notes == "Vue par Alice" and person.family_name == "Martin"


def test_two_staff_edit_the_same_position_inline_the_second_save_is_refused(editors, person):
    alice, bruno = editors
    _page, alice_data = edit_person(alice, person)
    _page, bruno_data = edit_person(bruno, person)
    alice.post(admin_url(Person, "change", person.pk), {**alice_data, "positions-0-title": "Présidente"})

    refused = bruno.post(admin_url(Person, "change", person.pk), {**bruno_data, "positions-0-title": "Trésorière"})

    assert refused.status_code == 200
    assert "Directrice" in refused.content.decode() and "Présidente" in refused.content.decode()
    assert person.positions.get().title == "Présidente"


def test_a_save_from_a_version_already_replaced_is_refused_by_the_model(person):
    first, second = Person.objects.get(pk=person.pk), Person.objects.get(pk=person.pk)
    first.notes = "Premier"
    first.save()
    second.notes = "Second"
    with pytest.raises(StaleRecordError) as refused:
        second.save()
    assert [field.label for change in refused.value.changes for field in change.fields] == ["notes"]
    person.refresh_from_db()
    assert person.notes == "Premier" and person.version == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two connections writing at once: SQLite's in-memory test database locks the whole table instead",
)
@pytest.mark.django_db(transaction=True)
def test_two_saves_racing_from_the_same_version_one_wins_the_other_is_refused():
    person = PersonFactory(family_name="Martin")
    barrier = threading.Barrier(2)
    outcomes = []

    def save(notes):
        try:
            copy = Person.objects.get(pk=person.pk)
            barrier.wait(timeout=10)
            copy.notes = notes
            copy.save()
            outcomes.append("saved")
        except StaleRecordError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(notes,)) for notes in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["refused", "saved"]
    person.refresh_from_db()
    assert person.version == 2 and person.notes in {"A", "B"}


# The API: ETag and If-Match.


def test_the_api_sends_the_version_as_etag_and_refuses_a_change_from_an_older_one(admin_client, person):
    address = f"/api/people/{person.slug}/"
    read = admin_client.get(address)
    assert read["ETag"] == '"1"' and read.json()["version"] == 1

    changed = admin_client.patch(address, {"notes": "Par l’API"}, content_type="application/json", HTTP_IF_MATCH='"1"')
    assert changed.status_code == 200 and changed["ETag"] == '"2"'

    stale = admin_client.patch(address, {"notes": "Perdu"}, content_type="application/json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert "Par l’API" in stale.json()["detail"]
    person.refresh_from_db()
    assert person.notes == "Par l’API"


def test_the_api_refuses_to_delete_a_record_changed_since_the_version_given(admin_client, person):
    point = person.contact_points.get()
    point.label = "Bureau"
    point.save()
    answer = admin_client.delete(f"/api/contact-points/{point.pk}/", HTTP_IF_MATCH='"1"')
    assert answer.status_code == 412
    assert ContactPoint.objects.filter(pk=point.pk).exists()
    assert admin_client.delete(f"/api/contact-points/{point.pk}/", HTTP_IF_MATCH='"2"').status_code == 204
