"""The back office of interactions and follow-ups: lists, forms, who may change what, follow-ups marked done."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from agreements.models import Agreement, PressRelease
from clusters.models import Organisation
from contacts.models import Person
from events.models import Event, EventEdition
from interactions.models import FollowUp, Interaction, PersonLastContact
from tests.admin_helpers import admin_url, change_form_data, management_form
from tests.factories import (
    FollowUpFactory,
    InteractionFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def staff_in(role, username):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def staff_with(username, *codenames):
    user = UserFactory(username=username, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="interactions", codename__in=codenames))
    return user


def logged_in(client, user):
    client.force_login(user)
    return client


def form_as_loaded(page):
    """What the change page posts if nothing is touched (its date and time in their two boxes)."""
    data = change_form_data(page)
    occurred_at = timezone.localtime(page.context["original"].occurred_at)
    del data["occurred_at"]
    return {**data, "occurred_at_0": f"{occurred_at:%Y-%m-%d}", "occurred_at_1": f"{occurred_at:%H:%M:%S}"}


def interaction_form(**values):
    """What the add form posts: the interaction, and its people and organisations as inline rows."""
    people = values.pop("people", [])
    organisations = values.pop("organisations", [])
    data = {
        "kind": "call",
        "direction": "out",
        "occurred_at_0": "2026-11-30",
        "occurred_at_1": "10:30:00",
        "subject": "Renouvellement de l’adhésion",
        "text": "Rappeler en janvier.",
        **management_form("person_links", total=len(people)),
        **management_form("organisation_links", total=len(organisations)),
        **values,
    }
    for index, person in enumerate(people):
        data[f"person_links-{index}-person"] = str(person.pk)
    for index, organisation in enumerate(organisations):
        data[f"organisation_links-{index}-organisation"] = str(organisation.pk)
    return data


@pytest.fixture
def seeded_interactions(seed, admin_user):
    """Interactions and follow-ups about the seed's people and organisations, with every kind of link."""
    person = Person.objects.get(slug="stephanie-bou")
    organisation = Organisation.objects.get(slug="polepharma")
    edition = EventEdition.objects.create(event=Event.objects.get(slug="rnaen"), starts_on=datetime.date(2026, 10, 8))
    interaction = InteractionFactory(
        logged_by=admin_user,
        people=[person, *Person.objects.exclude(pk=person.pk)[:2]],
        organisations=[organisation],
        agreement=Agreement.objects.first(),
        press_release=PressRelease.objects.first(),
        event_edition=edition,
    )
    InteractionFactory(kind="note", direction="", people=[person])
    FollowUpFactory(interaction=interaction, people=[person], organisations=[organisation], assigned_to=admin_user)
    FollowUpFactory(done_at=timezone.now(), organisations=[organisation])


@pytest.mark.parametrize("model", [Interaction, FollowUp], ids=["interaction", "follow-up"])
def test_the_list_the_add_form_and_every_change_form_open_with_the_seed(admin_client, seeded_interactions, model):
    listing = admin_client.get(admin_url(model, "changelist"))
    assert listing.status_code == 200
    assert all(str(record) in listing.text for record in model.objects.all())
    assert admin_client.get(admin_url(model, "add")).status_code == 200
    for record in model.objects.all():
        page = admin_client.get(admin_url(model, "change", record.pk))
        assert page.status_code == 200
        assert page.context["original"] == record
        assert admin_client.get(admin_url(model, "history", record.pk)).status_code == 200
    assert admin_client.get(admin_url(model, "deleted")).status_code == 200


def test_the_list_names_the_people_and_organisations_of_each_interaction(admin_client):
    person, organisation = PersonFactory(given_name="Ane", family_name="Etxeberria"), OrganisationFactory(name="Bihotz")
    InteractionFactory(subject="Point sur le projet", people=[person], organisations=[organisation])

    page = admin_client.get(admin_url(Interaction, "changelist")).text

    assert "Point sur le projet" in page
    assert "Ane Etxeberria" in page and "Bihotz" in page


def build_interactions(count):
    organisation = OrganisationFactory()
    for _index in range(count):
        InteractionFactory(people=PersonFactory.create_batch(2), organisations=[organisation])


def build_follow_ups(count):
    organisation = OrganisationFactory()
    interaction = InteractionFactory()
    for _index in range(count):
        FollowUpFactory(people=PersonFactory.create_batch(2), organisations=[organisation], interaction=interaction)


# Session, user, then: interactions, a capped count, the rows with their authors, their people, their organisations;
# follow-ups, the users of the "assigned to" filter, two counts (filtered and in all), the rows with their users and
# interactions, their people, their organisations.
@pytest.mark.parametrize(
    ("model", "build", "queries"),
    [(Interaction, build_interactions, 6), (FollowUp, build_follow_ups, 8)],
    ids=["interaction", "follow-up"],
)
def test_the_list_query_count_does_not_grow_with_rows(admin_client, django_assert_num_queries, model, build, queries):
    url = admin_url(model, "changelist")
    build(10)
    admin_client.get(url)  # the first request of a test fills per-process caches (content types)

    with django_assert_num_queries(queries):
        assert admin_client.get(url).status_code == 200

    build(90)
    with django_assert_num_queries(queries):
        assert admin_client.get(url).status_code == 200


def test_an_editor_logs_an_interaction_as_its_author_and_its_people_are_in_touch(
    client, django_capture_on_commit_callbacks
):
    editor = staff_in("Éditeur", "editrice")
    person, organisation = PersonFactory(), OrganisationFactory()
    version = person.version

    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(client, editor).post(
            admin_url(Interaction, "add"), interaction_form(people=[person], organisations=[organisation])
        )

    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert interaction.logged_by == editor
    assert list(interaction.people.all()) == [person] and list(interaction.organisations.all()) == [organisation]
    assert interaction.history.count() == 1
    person.refresh_from_db()
    assert person.version == version
    assert PersonLastContact.objects.filter(person=person).exists()


def test_the_author_is_not_a_field_of_the_form(client):
    editor = staff_in("Éditeur", "editrice")
    other = UserFactory(username="autre")

    logged_in(client, editor).post(admin_url(Interaction, "add"), interaction_form(logged_by=str(other.pk)))

    assert Interaction.objects.get().logged_by == editor


def test_a_note_with_a_direction_is_refused_with_a_message(client):
    editor = staff_in("Éditeur", "editrice")

    response = logged_in(client, editor).post(admin_url(Interaction, "add"), interaction_form(kind="note"))

    assert response.status_code == 200
    assert Interaction.objects.count() == 0
    assert "direction" in response.context["adminform"].form.errors


def test_whoever_may_only_log_interactions_changes_their_own_and_not_anothers(client):
    author = staff_with("auteur", "add_interaction")
    own = InteractionFactory(logged_by=author, subject="Mon appel")
    anothers = InteractionFactory(subject="L’appel d’un autre")
    client = logged_in(client, author)

    page = client.get(admin_url(Interaction, "change", own.pk))
    assert page.status_code == 200
    data = form_as_loaded(page)
    data["subject"] = "Mon appel, complété"
    assert client.post(admin_url(Interaction, "change", own.pk), data).status_code == 302
    own.refresh_from_db()
    assert own.subject == "Mon appel, complété"

    # Another's interaction is not among those they may open: the back office says so and goes back to its index.
    for response in (
        client.get(admin_url(Interaction, "change", anothers.pk)),
        client.post(admin_url(Interaction, "change", anothers.pk), data),
    ):
        assert (response.status_code, response.url) == (302, "/admin/")
    anothers.refresh_from_db()
    assert anothers.subject == "L’appel d’un autre"
    listing = client.get(admin_url(Interaction, "changelist")).text
    assert "Mon appel, complété" in listing and "L’appel d’un autre" not in listing


def test_whoever_may_log_and_read_interactions_reads_anothers_without_changing_it(client):
    author = staff_with("auteur", "add_interaction", "view_interaction")
    anothers = InteractionFactory(subject="L’appel d’un autre")
    client = logged_in(client, author)

    page = client.get(admin_url(Interaction, "change", anothers.pk))

    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert client.post(admin_url(Interaction, "change", anothers.pk), {"subject": "x"}).status_code == 403
    anothers.refresh_from_db()
    assert anothers.subject == "L’appel d’un autre"


def test_an_author_adds_and_removes_the_people_of_their_interaction(client):
    author = staff_with("auteur", "add_interaction")
    kept, removed, added = PersonFactory(), PersonFactory(), PersonFactory()
    interaction = InteractionFactory(logged_by=author, people=[kept, removed])
    client = logged_in(client, author)
    data = form_as_loaded(client.get(admin_url(Interaction, "change", interaction.pk)))
    rows = {data[f"person_links-{index}-person"]: index for index in range(2)}
    data[f"person_links-{rows[str(removed.pk)]}-DELETE"] = "on"
    data.update({"person_links-TOTAL_FORMS": "3", "person_links-2-person": str(added.pk)})

    assert client.post(admin_url(Interaction, "change", interaction.pk), data).status_code == 302

    assert set(interaction.people.all()) == {kept, added}


def test_a_reader_reads_and_changes_nothing(client):
    reader = staff_in("Lecteur", "lectrice")
    interaction = InteractionFactory(subject="Appel lu")
    follow_up = FollowUpFactory(title="Relance lue")
    client = logged_in(client, reader)

    assert "Appel lu" in client.get(admin_url(Interaction, "changelist")).text
    page = client.get(admin_url(Interaction, "change", interaction.pk))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert client.post(admin_url(Interaction, "change", interaction.pk), {"subject": "x"}).status_code == 403
    assert client.get(admin_url(Interaction, "add")).status_code == 403
    assert client.get(admin_url(FollowUp, "change", follow_up.pk)).status_code == 200
    assert client.post(admin_url(FollowUp, "add"), {"title": "x"}).status_code == 403
    interaction.refresh_from_db()
    assert interaction.subject == "Appel lu"


def test_an_editor_adds_a_follow_up_created_by_them_and_assigned_to_them_by_default(client):
    editor = staff_in("Éditeur", "editrice")
    person = PersonFactory()
    client = logged_in(client, editor)
    assert client.get(admin_url(FollowUp, "add")).context["adminform"].form.initial["assigned_to"] == editor.pk

    response = client.post(
        admin_url(FollowUp, "add"),
        {
            "title": "Rappeler pour le renouvellement",
            "due_on": "2026-12-15",
            "assigned_to": str(editor.pk),
            **management_form("person_links", total=1),
            "person_links-0-person": str(person.pk),
            **management_form("organisation_links"),
        },
    )

    assert response.status_code == 302
    follow_up = FollowUp.objects.get()
    assert (follow_up.created_by, follow_up.assigned_to) == (editor, editor)
    assert list(follow_up.people.all()) == [person]


def test_marking_follow_ups_done_records_who_and_leaves_others_ones_alone(client):
    assignee = staff_with("assignee", "add_followup", "view_followup")
    mine, theirs = FollowUpFactory(assigned_to=assignee), FollowUpFactory()
    client = logged_in(client, assignee)

    response = client.post(
        admin_url(FollowUp, "changelist"),
        {"action": "mark_done", "_selected_action": [str(mine.pk), str(theirs.pk)]},
        follow=True,
    )

    assert response.status_code == 200
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.is_done and mine.done_by == assignee
    assert not theirs.is_done
    messages = [str(message) for message in response.context["messages"]]
    assert len(messages) == 2

    client.post(admin_url(FollowUp, "changelist"), {"action": "mark_to_do", "_selected_action": [str(mine.pk)]})
    mine.refresh_from_db()
    assert not mine.is_done and mine.done_by is None


def test_the_state_filter_shows_overdue_follow_ups(admin_client):
    today = timezone.localdate()
    FollowUpFactory(title="Appeler Polepharma", due_on=today - datetime.timedelta(days=3))
    FollowUpFactory(title="Écrire au Leem", due_on=today + datetime.timedelta(days=3))
    FollowUpFactory(title="Relancer GIPSO", due_on=today - datetime.timedelta(days=3), done_at=timezone.now())

    page = admin_client.get(admin_url(FollowUp, "changelist"), {"state": "overdue"}).text

    assert "Appeler Polepharma" in page and "Écrire au Leem" not in page and "Relancer GIPSO" not in page


def test_a_person_and_an_organisation_show_their_latest_interactions(admin_client):
    person, organisation = PersonFactory(), OrganisationFactory()
    InteractionFactory(subject="Appel de janvier", people=[person], organisations=[organisation])
    InteractionFactory(subject="Appel d’un autre")

    for model, record in ((Person, person), (Organisation, organisation)):
        page = admin_client.get(admin_url(model, "change", record.pk)).text
        assert "Appel de janvier" in page and "Appel d’un autre" not in page


def test_whoever_may_not_read_interactions_does_not_see_them_on_a_person(client, viewer):
    person = PersonFactory()
    InteractionFactory(subject="Appel de janvier", people=[person])
    viewer.is_staff = True
    viewer.save()

    page = logged_in(client, viewer).get(admin_url(Person, "change", person.pk))

    assert page.status_code == 200
    assert "Appel de janvier" not in page.text
