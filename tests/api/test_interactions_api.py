"""/api/interactions/ and /api/follow-ups/: their filters, creation through the services (the last contact moves, the
person's version does not), versions, who may change what, and lists whose query count does not grow."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from contacts.erasure import erase_person
from interactions.models import FollowUp, Interaction, OrganisationLastContact, PersonLastContact
from tests.factories import (
    AgreementFactory,
    FollowUpFactory,
    InteractionFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    PressReleaseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def in_role(role, username):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=role))
    return user


def with_permissions(username, *codenames):
    user = UserFactory(username=username)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="interactions", codename__in=codenames))
    return user


@pytest.fixture
def reader():
    return client_for(in_role("Lecteur", "lectrice"))


@pytest.fixture
def editor():
    return client_for(in_role("Éditeur", "editrice"))


def on(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def subjects(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["subject"] for row in response.json()["results"]]


def titles(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["title"] for row in response.json()["results"]}


# --- Interactions -----------------------------------------------------------------------------------------------


def test_an_interaction_reads_with_its_people_organisations_author_and_links(reader):
    person, organisation = PersonFactory(slug="ane-etxeberria"), OrganisationFactory(slug="bihotz")
    agreement, release, membership = AgreementFactory(), PressReleaseFactory(), MembershipFactory()
    interaction = InteractionFactory(
        subject="Point sur la convention",
        logged_by=UserFactory(username="camille"),
        people=[person],
        organisations=[organisation],
        agreement=agreement,
        press_release=release,
        membership=membership,
    )

    response = reader.get(f"/api/interactions/{interaction.pk}/")

    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    row = response.json()
    assert row["people"] == ["ane-etxeberria"] and row["organisations"] == ["bihotz"]
    assert (row["logged_by"], row["agreement"], row["press_release"]) == ("camille", agreement.slug, release.slug)
    assert (row["membership"], row["event_edition"], row["version"]) == (membership.pk, None, 1)


def test_interactions_filter_by_person_organisation_kind_dates_author_and_words(reader):
    ane, luc = PersonFactory(slug="ane"), PersonFactory(slug="luc")
    bihotz = OrganisationFactory(slug="bihotz")
    camille = UserFactory(username="camille")
    InteractionFactory(subject="Appel à Ane", people=[ane], occurred_at=on(datetime.date(2026, 3, 2)))
    InteractionFactory(
        subject="Réunion chez Bihotz",
        kind="meeting",
        direction="",
        people=[luc],
        organisations=[bihotz],
        occurred_at=on(datetime.date(2026, 5, 10)),
        logged_by=camille,
    )
    InteractionFactory(
        subject="Note sur Luc", kind="note", direction="", people=[luc], occurred_at=on(datetime.date(2026, 7, 1))
    )

    def found(**query):
        return subjects(reader.get("/api/interactions/", query))

    assert found() == ["Note sur Luc", "Réunion chez Bihotz", "Appel à Ane"]  # the latest first
    assert found(person="ane") == ["Appel à Ane"]
    assert found(person="luc") == ["Note sur Luc", "Réunion chez Bihotz"]
    assert found(organisation="bihotz") == ["Réunion chez Bihotz"]
    assert found(kind="note") == ["Note sur Luc"]
    assert found(occurred_after="2026-05-10") == ["Note sur Luc", "Réunion chez Bihotz"]
    assert found(occurred_before="2026-05-10") == ["Réunion chez Bihotz", "Appel à Ane"]
    assert found(occurred_after="2026-04-01", occurred_before="2026-06-30") == ["Réunion chez Bihotz"]
    assert found(logged_by="camille") == ["Réunion chez Bihotz"]
    assert found(q="bihotz") == ["Réunion chez Bihotz"]
    assert found(o="date") == ["Appel à Ane", "Réunion chez Bihotz", "Note sur Luc"]
    for unknown in ({"person": "personne"}, {"organisation": "aucune"}, {"logged_by": "nobody"}, {"kind": "fax"}):
        assert reader.get("/api/interactions/", unknown).status_code == 400


def test_interactions_page_by_cursor(reader):
    for number in range(5):
        InteractionFactory(subject=f"Appel {number}", occurred_at=on(TODAY - datetime.timedelta(days=number)))

    first = reader.get("/api/interactions/", {"page_size": 3}).json()
    second = reader.get(first["next"]).json()

    assert [row["subject"] for row in first["results"] + second["results"]] == [f"Appel {n}" for n in range(5)]
    assert second["next"] is None


def test_logging_a_call_sets_the_last_contacts_and_leaves_the_persons_version(
    editor, django_capture_on_commit_callbacks
):
    person, organisation = PersonFactory(slug="ane"), OrganisationFactory(slug="bihotz")
    agreement = AgreementFactory(slug="accord-pau")
    version, history = person.version, person.history.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            "/api/interactions/",
            {
                "kind": "call",
                "direction": "in",
                "occurred_at": "2026-11-30T10:30:00+01:00",
                "subject": "Demande de rendez-vous",
                "people": ["ane"],
                "organisations": ["bihotz"],
                "agreement": "accord-pau",
            },
        )

    assert response.status_code == 201, response.content
    assert response["ETag"] == '"1"'
    row = response.json()
    assert (row["logged_by"], row["people"], row["agreement"]) == ("editrice", ["ane"], "accord-pau")
    interaction = Interaction.objects.get()
    assert interaction.agreement == agreement and interaction.history.count() == 1
    when = datetime.datetime(2026, 11, 30, 9, 30, tzinfo=datetime.UTC)
    assert PersonLastContact.objects.get(person=person).occurred_at == when
    assert OrganisationLastContact.objects.get(organisation=organisation).occurred_at == when
    person.refresh_from_db()
    assert (person.version, person.history.count()) == (version, history)


def test_the_author_cannot_be_sent(editor):
    response = editor.post("/api/interactions/", {"kind": "note", "logged_by": "someone-else"})

    assert response.status_code == 201
    assert response.json()["logged_by"] == "editrice"


def test_a_note_with_a_direction_is_refused_naming_the_field(editor):
    response = editor.post("/api/interactions/", {"kind": "note", "direction": "in"})

    assert response.status_code == 400
    assert "direction" in response.json()
    assert Interaction.objects.count() == 0


def test_a_change_with_if_match_is_saved_and_a_stale_one_answers_412(editor, django_capture_on_commit_callbacks):
    ane, luc = PersonFactory(slug="ane"), PersonFactory(slug="luc")
    interaction = InteractionFactory(subject="Appel", people=[ane])
    url = f"/api/interactions/{interaction.pk}/"

    with django_capture_on_commit_callbacks(execute=True):
        changed = editor.patch(url, {"subject": "Appel manqué", "people": ["luc"]}, HTTP_IF_MATCH='"1"')

    assert changed.status_code == 200, changed.content
    assert changed["ETag"] == '"2"'
    assert changed.json()["people"] == ["luc"]
    assert PersonLastContact.objects.filter(person=luc).exists()
    assert not PersonLastContact.objects.filter(person=ane).exists()

    stale = editor.patch(url, {"subject": "Autre chose"}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    interaction.refresh_from_db()
    assert (interaction.subject, interaction.version) == ("Appel manqué", 2)


def test_a_reader_reads_and_writes_nothing(reader):
    interaction = InteractionFactory(subject="Appel")
    follow_up = FollowUpFactory()

    assert reader.get("/api/interactions/").status_code == 200
    assert reader.get(f"/api/follow-ups/{follow_up.pk}/").status_code == 200
    assert reader.post("/api/interactions/", {"kind": "note"}).status_code == 403
    assert reader.patch(f"/api/interactions/{interaction.pk}/", {"subject": "x"}).status_code == 403
    assert reader.delete(f"/api/interactions/{interaction.pk}/").status_code == 403
    assert reader.post("/api/follow-ups/", {"title": "x", "due_on": "2026-12-01"}).status_code == 403
    assert reader.patch(f"/api/follow-ups/{follow_up.pk}/", {"done": True}).status_code == 403
    interaction.refresh_from_db()
    assert interaction.subject == "Appel"


def test_an_editor_changes_anyones_interaction_but_deletes_none(editor):
    interaction = InteractionFactory(subject="Appel")

    assert editor.patch(f"/api/interactions/{interaction.pk}/", {"subject": "Appel manqué"}).status_code == 200
    assert editor.delete(f"/api/interactions/{interaction.pk}/").status_code == 403


def test_whoever_may_only_log_interactions_changes_their_own_and_not_anothers():
    author = with_permissions("auteur", "add_interaction")
    own, anothers = InteractionFactory(logged_by=author), InteractionFactory(subject="L’appel d’un autre")
    client = client_for(author)

    assert client.patch(f"/api/interactions/{own.pk}/", {"subject": "Mon appel"}).status_code == 200
    assert client.patch(f"/api/interactions/{anothers.pk}/", {"subject": "Pris"}).status_code == 403
    assert client.put(f"/api/interactions/{anothers.pk}/", {"kind": "note", "subject": "Pris"}).status_code == 403
    assert client.get("/api/interactions/").status_code == 403  # no permission to read others'
    own.refresh_from_db()
    anothers.refresh_from_db()
    assert (own.subject, anothers.subject) == ("Mon appel", "L’appel d’un autre")


def test_an_erased_persons_slug_is_in_no_interaction(reader):
    ane, luc = PersonFactory(slug="ane-etxeberria"), PersonFactory(slug="luc")
    InteractionFactory(subject="Appel à deux", people=[ane, luc])
    InteractionFactory(subject="Appel à Ane seule", people=[ane])
    FollowUpFactory(title="Rappeler Ane et Luc", people=[ane, luc])

    erase_person(person=ane)

    interactions = reader.get("/api/interactions/").json()["results"]
    assert [(row["subject"], row["people"]) for row in interactions] == [("Appel à deux", ["luc"])]
    assert [row["people"] for row in reader.get("/api/follow-ups/").json()["results"]] == [["luc"]]
    assert "ane-etxeberria" not in reader.get("/api/interactions/").content.decode()
    assert reader.get("/api/interactions/", {"person": "ane-etxeberria"}).status_code == 400


# --- Follow-ups -------------------------------------------------------------------------------------------------


def test_follow_ups_filter_by_assignee_state_dates_person_and_organisation(reader):
    camille = UserFactory(username="camille")
    ane, bihotz = PersonFactory(slug="ane"), OrganisationFactory(slug="bihotz")
    FollowUpFactory(title="En retard", due_on=TODAY - datetime.timedelta(days=5), assigned_to=camille, people=[ane])
    FollowUpFactory(title="À venir", due_on=TODAY + datetime.timedelta(days=5), organisations=[bihotz])
    FollowUpFactory(title="Faite", due_on=TODAY - datetime.timedelta(days=5), done_at=timezone.now())

    def found(**query):
        return titles(reader.get("/api/follow-ups/", query))

    assert found() == {"En retard", "À venir", "Faite"}
    assert [row["title"] for row in reader.get("/api/follow-ups/").json()["results"]] == [
        "En retard",
        "À venir",
        "Faite",
    ]  # those to do first, the most overdue first
    assert found(assigned_to="camille") == {"En retard"}
    assert found(done="true") == {"Faite"}
    assert found(done="false") == {"En retard", "À venir"}
    assert found(overdue="true") == {"En retard"}
    assert found(overdue="false") == {"À venir", "Faite"}
    assert found(due_before=str(TODAY)) == {"En retard", "Faite"}
    assert found(due_after=str(TODAY)) == {"À venir"}
    assert found(person="ane") == {"En retard"}
    assert found(organisation="bihotz") == {"À venir"}
    for unknown in ({"person": "personne"}, {"organisation": "aucune"}, {"assigned_to": "nobody"}):
        assert reader.get("/api/follow-ups/", unknown).status_code == 400


def test_a_follow_up_is_created_for_whoever_creates_it_by_default(editor):
    ane = PersonFactory(slug="ane")
    interaction = InteractionFactory(people=[ane])

    response = editor.post(
        "/api/follow-ups/",
        {"title": "Rappeler dans deux semaines", "due_on": "2026-12-16", "interaction": interaction.pk},
    )

    assert response.status_code == 201, response.content
    row = response.json()
    assert (row["assigned_to"], row["created_by"], row["done"], row["done_by"]) == ("editrice", "editrice", False, None)
    assert row["people"] == ["ane"]  # those of the interaction it comes from
    assert response["ETag"] == f'"{row["version"]}"'


def test_a_follow_up_assigned_to_a_colleague_and_marked_done_then_to_do(editor):
    UserFactory(username="camille")
    created = editor.post(
        "/api/follow-ups/", {"title": "Envoyer le dossier", "due_on": "2026-12-16", "assigned_to": "camille"}
    )
    assert created.status_code == 201
    url = f"/api/follow-ups/{created.json()['id']}/"

    done = editor.patch(url, {"done": True}, HTTP_IF_MATCH=created["ETag"])

    assert done.status_code == 200, done.content
    assert (done.json()["done"], done.json()["done_by"], done.json()["assigned_to"]) == (True, "editrice", "camille")
    assert done.json()["version"] == 2
    again = editor.patch(url, {"done": False}, HTTP_IF_MATCH=done["ETag"])
    assert (again.json()["done"], again.json()["done_at"], again.json()["done_by"]) == (False, None, None)
    assert editor.patch(url, {"done": True}, HTTP_IF_MATCH=created["ETag"]).status_code == 412


def test_a_follow_up_is_changed_by_its_assignee_or_author_not_by_others():
    assignee = with_permissions("assignee", "add_followup")
    mine, theirs = FollowUpFactory(assigned_to=assignee), FollowUpFactory()
    client = client_for(assignee)

    assert client.patch(f"/api/follow-ups/{mine.pk}/", {"done": True}).status_code == 200
    assert client.patch(f"/api/follow-ups/{theirs.pk}/", {"done": True}).status_code == 403
    assert FollowUp.objects.get(pk=mine.pk).is_done and not FollowUp.objects.get(pk=theirs.pk).is_done


def test_a_follow_up_for_an_unknown_colleague_is_refused(editor):
    response = editor.post("/api/follow-ups/", {"title": "x", "due_on": "2026-12-16", "assigned_to": "nobody"})

    assert response.status_code == 400
    assert "assigned_to" in response.json()


# --- Query counts -----------------------------------------------------------------------------------------------


def build_interactions(count):
    organisation, agreement = OrganisationFactory(), AgreementFactory()
    for _index in range(count):
        InteractionFactory(people=PersonFactory.create_batch(2), organisations=[organisation], agreement=agreement)


def build_follow_ups(count):
    organisation, interaction = OrganisationFactory(), InteractionFactory()
    for _index in range(count):
        FollowUpFactory(people=PersonFactory.create_batch(2), organisations=[organisation], interaction=interaction)


# interactions: (cursor: no count) the rows with their authors and links, their people, their organisations;
# follow-ups: a count, the rows with their users, their people, their organisations.
@pytest.mark.parametrize(
    ("endpoint", "build", "queries"),
    [("interactions", build_interactions, 3), ("follow-ups", build_follow_ups, 4)],
)
def test_the_lists_query_count_does_not_grow_with_rows(admin_user, endpoint, build, queries):
    client = client_for(admin_user)

    def count():
        with CaptureQueriesContext(connection) as context:
            response = client.get(f"/api/{endpoint}/", {"page_size": 200})
        assert response.status_code == 200
        return len(context.captured_queries), len(response.json()["results"])

    build(10)
    assert count() == (queries, 10)
    build(90)
    assert count() == (queries, 100)
