"""Events: the RNAEN meetings of the seed, editions, invitation lists from a contact list or a search, attendance."""

import datetime

import pytest
from django.test import Client

from agreements.models import Provenance
from contacts.models import ExportLog
from events.models import Event, EventEdition, Invitation
from tests.factories import ContactListFactory, EmailFactory, OrganisationFactory, PersonFactory, PositionFactory


def test_the_seed_holds_the_rnaen_meetings_and_their_source(seed):
    event = Event.objects.get(acronym="RNAEN")
    assert event.name == "Rencontres Industries Bio-santé Nouvelle-Aquitaine-Euskadi-Navarre"
    assert set(event.organisers.values_list("slug", flat=True)) == {"polepharma", "basque-health-cluster"}
    assert event.organised_since == 2013
    assert not event.editions.exists()  # the releases date no edition
    assert Provenance.objects.for_object(event).get().press_release.published_on == datetime.date(2022, 5, 12)


@pytest.fixture
def edition(db):
    event = Event.objects.create(slug="rnaen", name="Rencontres RNAEN", acronym="RNAEN")
    return EventEdition.objects.create(event=event, starts_on=datetime.date(2026, 10, 8), place="Bayonne")


@pytest.fixture
def organiser(user_with):
    client = Client()
    client.force_login(user_with("add_invitation", "change_invitation", "export_contacts"))
    return client


def test_the_event_pages_show_editions_and_invitations(viewer_client, edition):
    Invitation.objects.create(edition=edition, person=PersonFactory(family_name="Etxeberria"), attended=True)
    assert "Rencontres RNAEN" in viewer_client.get("/contacts/events/").content.decode()
    assert "Bayonne" in viewer_client.get("/contacts/events/rnaen/").content.decode()
    page = viewer_client.get(edition.get_absolute_url()).content.decode()
    assert "Etxeberria" in page and "1 personne invitée" in page
    assert "/invite-list/" not in page  # a viewer cannot invite
    assert viewer_client.get("/contacts/events/rnaen/999/").status_code == 404


def test_inviting_a_contact_list_then_a_search_without_duplicates(organiser, edition):
    leem = OrganisationFactory(name="Leem", slug="leem")
    bou = PositionFactory(organisation=leem, person__family_name="Bou").person
    pautre = PositionFactory(organisation=leem, person__family_name="Pautre").person
    PositionFactory(organisation=leem, person__family_name="Refus", person__do_not_contact=True)
    media = ContactListFactory(slug="medias")
    media.people.add(bou)
    response = organiser.post(edition.get_absolute_url() + "invite-list/", {"contact_list": "medias"}, follow=True)
    assert "1 personne invitée." in response.content.decode()
    response = organiser.post(edition.get_absolute_url() + "invite-search/", {"organisation": "leem"}, follow=True)
    assert "1 personne invitée." in response.content.decode()  # Bou already was; Refus asked not to be contacted
    assert set(edition.invited.values_list("family_name", flat=True)) == {"Bou", "Pautre"}
    assert pautre in edition.invited.all()


def test_attendance_is_recorded_and_the_list_exports_through_the_directory(organiser, edition):
    came = Invitation.objects.create(edition=edition, person=EmailFactory(person__family_name="Venu").person)
    Invitation.objects.create(edition=edition, person=PersonFactory(family_name="Absent"))
    refused = organiser.post(edition.get_absolute_url() + "attendance/", {"attended": [str(came.pk), "x"]})
    assert refused.status_code == 400  # a key that is no invitation of this edition: nothing recorded
    assert set(edition.invitations.values_list("attended", flat=True)) == {None}
    organiser.post(edition.get_absolute_url() + "attendance/", {"attended": [str(came.pk)]})
    assert dict(edition.invitations.values_list("person__family_name", "attended")) == {"Venu": True, "Absent": False}
    page = organiser.get(edition.get_absolute_url()).content.decode()
    assert f"/contacts/export/?invited_to={edition.pk}&amp;format=csv" in page
    csv = b"".join(organiser.get("/contacts/export/", {"invited_to": edition.pk, "format": "csv"}).streaming_content)
    assert {"Venu", "Absent"} <= set(csv.decode("utf-8-sig").replace(";", "\n").splitlines())
    assert ExportLog.objects.get().filters == {"invited_to": str(edition.pk)}


def test_inviting_needs_the_permissions_and_bad_requests_answer_400(viewer_client, organiser, edition):
    address = edition.get_absolute_url()
    assert viewer_client.post(address + "invite-list/", {"contact_list": "medias"}).status_code == 403
    for payload in [{"contact_list": "nowhere"}, {"contact_list": "\x00"}, {}]:
        assert organiser.post(address + "invite-list/", payload).status_code == 400
    assert organiser.post(address + "invite-search/", {"organisation": "nowhere"}).status_code == 400
    assert organiser.post(address, {"contact_list": "medias"}).status_code == 405  # the page itself takes no post
    assert not Invitation.objects.exists()
