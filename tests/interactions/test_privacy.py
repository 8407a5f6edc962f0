"""Interactions and follow-ups are personal data: a subject access request (``export_person``) holds them, an
erasure deletes those about the person alone (and their history) and takes the person out of the others, their
name blanked wherever a colleague wrote it."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.erasure import erase_person
from contacts.privacy import person_data
from interactions.models import FollowUp, Interaction, InteractionPerson, PersonLastContact
from interactions.services import complete_follow_up, create_follow_up, log_interaction
from tests.factories import OrganisationFactory, PersonFactory, UserFactory

WHEN = timezone.now() - datetime.timedelta(days=10)


@pytest.fixture
def maite(db):
    return PersonFactory(slug="maite-etxeberria", given_name="Maite", family_name="Etxeberria")


@pytest.fixture
def staff(db):
    return UserFactory(username="clara")


def test_export_person_prints_the_interactions_and_follow_ups(maite, staff):
    colleague = PersonFactory(given_name="Iñaki", family_name="Otxoa")
    organisation = OrganisationFactory(name="Clúster de Salud")
    log_interaction(
        kind="call",
        direction="in",
        logged_by=staff,
        people=[maite, colleague],
        organisations=[organisation],
        occurred_at=WHEN,
        subject="Renouvellement",
        text="Elle rappellera en janvier.",
    )
    task = create_follow_up(
        title="Envoyer la convention", due_on=datetime.date(2026, 1, 15), assigned_to=staff, created_by=staff,
        people=[maite],
    )  # fmt: skip
    complete_follow_up(follow_up=task, user=staff)
    out = io.StringIO()
    call_command("export_person", "maite-etxeberria", stdout=out)
    data = json.loads(out.getvalue())
    assert data["interactions"] == [
        {
            "date": WHEN.isoformat(),
            "kind": "call",
            "kind_label": str(Interaction.Kind.CALL.label),
            "direction": "in",
            "subject": "Renouvellement",
            "text": "Elle rappellera en janvier.",
            "logged_by": "clara",
            "other_people": ["Iñaki Otxoa"],
            "organisations": ["Clúster de Salud"],
        }
    ]
    [follow_up] = data["follow_ups"]
    assert follow_up["title"] == "Envoyer la convention"
    assert follow_up["due_on"] == "2026-01-15"
    assert follow_up["done"] is True
    assert follow_up["assigned_to"] == "clara"


def test_person_data_reads_the_interactions_in_the_same_number_of_queries_however_many(
    maite, staff, django_assert_num_queries
):
    def log(count):
        for number in range(count):
            log_interaction(
                kind="note", logged_by=UserFactory(), people=[maite, PersonFactory()],
                organisations=[OrganisationFactory()], subject=f"Note {number}",
            )  # fmt: skip
            create_follow_up(title=f"Tâche {number}", due_on=WHEN.date(), assigned_to=UserFactory(), created_by=staff,
                             people=[maite])  # fmt: skip

    log(2)
    with CaptureQueriesContext(connection) as few:
        assert len(person_data(maite)["interactions"]) == 2
    log(20)
    with django_assert_num_queries(len(few.captured_queries)):
        data = person_data(maite)
    assert len(data["interactions"]) == 22 and len(data["follow_ups"]) == 22


def test_erasure_deletes_what_concerns_the_person_alone_and_blanks_their_name_elsewhere(
    maite, staff, django_capture_on_commit_callbacks
):
    other = PersonFactory(given_name="Jon", family_name="Agirre")
    organisation = OrganisationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        alone = log_interaction(
            kind="meeting", logged_by=staff, people=[maite], organisations=[organisation],
            subject="Rendez-vous avec Maite", text="Maite Etxeberria veut adhérer.",
        )  # fmt: skip
        shared = log_interaction(
            kind="call", direction="out", logged_by=staff, people=[maite, other],
            text="Appel à Jon et Maite Etxeberria.",
        )  # fmt: skip
        about_her = log_interaction(
            kind="note", logged_by=staff, people=[other], text="Jon connaît bien Mme Etxeberria."
        )
        alone.text = "Maite Etxeberria veut adhérer en 2027."
        alone._history_user = staff
        alone.save()
        task_alone = create_follow_up(title="Rappeler Maite", due_on=WHEN.date(), assigned_to=staff, created_by=staff,
                                      people=[maite])  # fmt: skip
        task_shared = create_follow_up(title="Relancer le dossier", due_on=WHEN.date(), assigned_to=staff,
                                       created_by=staff, people=[maite, other])  # fmt: skip
    assert Interaction.history.filter(id=alone.pk).count() == 2
    assert PersonLastContact.objects.filter(person=maite).exists()

    with django_capture_on_commit_callbacks(execute=True):
        erase_person(person=maite, user=staff)

    assert not Interaction.objects.filter(pk=alone.pk).exists()
    assert not Interaction.history.filter(id=alone.pk).exists()
    assert not FollowUp.objects.filter(pk=task_alone.pk).exists()
    assert not FollowUp.history.filter(id=task_alone.pk).exists()

    shared.refresh_from_db()
    assert list(shared.people.all()) == [other]
    assert "Etxeberria" not in shared.text and "Maite" not in shared.text
    assert shared.text.startswith("Appel à Jon et ")
    about_her.refresh_from_db()
    assert "Etxeberria" not in about_her.text and about_her.text.startswith("Jon connaît bien Mme ")
    # The earlier versions kept in the history are blanked too.
    assert not any("Etxeberria" in text for text in Interaction.history.values_list("text", flat=True))
    assert list(FollowUp.objects.get(pk=task_shared.pk).people.all()) == [other]
    assert not InteractionPerson.objects.filter(person=maite).exists()
    assert not PersonLastContact.objects.filter(person=maite).exists()
    assert PersonLastContact.objects.filter(person=other).exists()


def test_an_erased_persons_export_holds_no_interaction(maite, staff):
    log_interaction(kind="note", logged_by=staff, people=[maite], text="Maite Etxeberria")
    erase_person(person=maite, user=staff)
    maite.refresh_from_db()
    data = person_data(maite)
    assert data["interactions"] == [] and data["follow_ups"] == []
