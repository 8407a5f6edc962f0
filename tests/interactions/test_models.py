"""Interactions and follow-ups: the rules the database keeps, the last contact kept beside the records (never
raising their version), and an erasure that takes the person out of both."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from contacts.erasure import erase_person
from interactions.last_contacts import rebuild_last_contacts
from interactions.models import (
    FollowUp,
    Interaction,
    InteractionPerson,
    OrganisationLastContact,
    PersonLastContact,
)
from interactions.services import complete_follow_up, create_follow_up, log_interaction
from tests.factories import FollowUpFactory, InteractionFactory, OrganisationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_note_has_no_direction():
    with pytest.raises(IntegrityError), transaction.atomic():
        Interaction.objects.bulk_create([Interaction(kind="note", direction="in")])


def test_an_unknown_kind_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Interaction.objects.bulk_create([Interaction(kind="telegram")])


def test_the_same_email_cannot_be_logged_twice():
    Interaction.objects.bulk_create([Interaction(kind="email", message_id="<a@b>")])
    with pytest.raises(IntegrityError), transaction.atomic():
        Interaction.objects.bulk_create([Interaction(kind="email", message_id="<a@b>")])
    Interaction.objects.bulk_create([Interaction(kind="note"), Interaction(kind="note")])  # no message: no rule


def test_a_follow_up_still_to_do_has_no_one_who_did_it():
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.bulk_create([FollowUp(title="x", due_on=timezone.localdate(), done_by=user)])


def test_logging_a_call_sets_the_last_contact_without_raising_the_persons_version():
    person, organisation, user = PersonFactory(), OrganisationFactory(), UserFactory()
    version, history = person.version, person.history.count()
    when = timezone.now() - timedelta(days=3)

    log_interaction(kind="call", logged_by=user, people=[person], organisations=[organisation], occurred_at=when)

    person.refresh_from_db()
    assert (person.version, person.history.count()) == (version, history)
    assert PersonLastContact.objects.get(person=person).occurred_at == when
    assert OrganisationLastContact.objects.get(organisation=organisation).occurred_at == when


def test_the_last_contact_follows_the_latest_interaction_through_edits_and_deletions():
    person, user = PersonFactory(), UserFactory()
    old = log_interaction(kind="note", logged_by=user, people=[person], occurred_at=timezone.now() - timedelta(days=30))
    new = log_interaction(kind="call", logged_by=user, people=[person], occurred_at=timezone.now() - timedelta(days=1))
    assert PersonLastContact.objects.get(person=person).occurred_at == new.occurred_at

    new.delete()
    assert PersonLastContact.objects.get(person=person).occurred_at == old.occurred_at

    old.occurred_at -= timedelta(days=1)
    old.save()
    assert PersonLastContact.objects.get(person=person).occurred_at == old.occurred_at

    old.people.remove(person)
    assert not PersonLastContact.objects.filter(person=person).exists()


def test_the_rebuild_gives_what_the_signals_kept():
    people = PersonFactory.create_batch(3)
    organisation = OrganisationFactory()
    for days, group in ((5, people[:2]), (2, people[1:])):
        InteractionFactory(
            people=group, organisations=[organisation], occurred_at=timezone.now() - timedelta(days=days)
        )
    kept = set(PersonLastContact.objects.values_list("person_id", "occurred_at"))
    kept_organisations = set(OrganisationLastContact.objects.values_list("organisation_id", "occurred_at"))

    PersonLastContact.objects.all().delete()
    rebuild_last_contacts()

    assert set(PersonLastContact.objects.values_list("person_id", "occurred_at")) == kept
    assert set(OrganisationLastContact.objects.values_list("organisation_id", "occurred_at")) == kept_organisations
    assert len(kept) == 3


def test_a_follow_up_from_an_interaction_is_about_its_people_and_done_once():
    person, organisation, user = PersonFactory(), OrganisationFactory(), UserFactory()
    call = log_interaction(kind="call", logged_by=user, people=[person], organisations=[organisation])
    follow_up = create_follow_up(
        title="Rappeler dans deux semaines",
        due_on=timezone.localdate() + timedelta(days=14),
        assigned_to=user,
        created_by=user,
        interaction=call,
    )
    assert list(follow_up.people.all()) == [person]
    assert list(follow_up.organisations.all()) == [organisation]

    complete_follow_up(follow_up=follow_up, user=user)
    done_at = follow_up.done_at
    complete_follow_up(follow_up=follow_up, user=user)
    follow_up.refresh_from_db()
    assert (follow_up.done_at, follow_up.done_by) == (done_at, user)
    assert follow_up.version == 2


def test_an_erasure_removes_the_person_from_interactions_and_deletes_those_about_them_alone():
    erased, other, user = PersonFactory(family_name="Etcheverry"), PersonFactory(), UserFactory()
    alone = log_interaction(kind="call", logged_by=user, people=[erased], subject="Appel", text="Etcheverry rappelle")
    shared = log_interaction(kind="meeting", logged_by=user, people=[erased, other], text="Vu Etcheverry")
    task_alone = FollowUpFactory(people=[erased])
    task_shared = FollowUpFactory(people=[erased, other])

    erase_person(person=erased, user=user)

    assert not Interaction.objects.filter(pk=alone.pk).exists()
    assert not Interaction.history.filter(id=alone.pk).exists()
    assert not FollowUp.objects.filter(pk=task_alone.pk).exists()
    shared.refresh_from_db()
    assert list(shared.people.all()) == [other]
    assert "Etcheverry" not in shared.text
    assert list(FollowUp.objects.get(pk=task_shared.pk).people.all()) == [other]
    assert not InteractionPerson.objects.filter(person=erased).exists()
    assert not PersonLastContact.objects.filter(person=erased).exists()
