"""The quick-add on the timeline (with htmx and without JavaScript), an interaction's page, its edit and delete
forms, and the list of interactions: who may do what, and no answer 500 whatever is posted."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from interactions.models import Interaction, PersonLastContact
from tests.factories import InteractionFactory, OrganisationFactory, PersonFactory, PositionFactory


def with_interaction_permissions(user, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="interactions", codename__in=codenames)
    )
    return user


@pytest.fixture
def editor(user_with):
    """An Éditeur: reads everything, logs and changes interactions."""
    return with_interaction_permissions(
        user_with(), "view_interaction", "add_interaction", "change_interaction", "view_followup"
    )


@pytest.fixture
def author(user_with):
    """Logs interactions and may change their own only."""
    return with_interaction_permissions(user_with(), "view_interaction", "add_interaction")


@pytest.fixture
def reader(user_with):
    """A Lecteur: reads interactions, logs none."""
    return with_interaction_permissions(user_with(), "view_interaction", "view_followup")


@pytest.fixture
def person_at_work(db):
    person = PersonFactory(given_name="Emmanuelle", family_name="Pangaud", slug="emmanuelle-pangaud")
    current = OrganisationFactory(name="GIPSO", slug="gipso")
    former = OrganisationFactory(name="Ancien employeur", slug="ancien")
    PositionFactory(person=person, organisation=current, title="Déléguée générale")
    PositionFactory(
        person=person,
        organisation=former,
        title="Chargée de mission",
        started_on=datetime.date(2010, 1, 1),
        ended_on=datetime.date(2015, 1, 1),
    )
    return person, current, former


def log_url(record_type, slug):
    return f"/interactions/log/{record_type}/{slug}/"


# --- the quick-add -------------------------------------------------------------------------------------------


def test_without_javascript_a_call_is_logged_and_the_page_comes_back_with_a_message(
    client, editor, person_at_work, django_capture_on_commit_callbacks
):
    person, current, former = person_at_work
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(log_url("person", person.slug), {"log-kind": "call", "log-text": "Elle rappelle lundi."})

    assert response.status_code == 302 and response["Location"] == person.get_absolute_url() + "#timeline"
    interaction = Interaction.objects.get()
    assert (interaction.kind, interaction.text, interaction.logged_by) == ("call", "Elle rappelle lundi.", editor)
    assert list(interaction.people.all()) == [person]
    assert list(interaction.organisations.all()) == [current]  # the organisations of their current positions
    assert abs(interaction.occurred_at - timezone.now()) < datetime.timedelta(minutes=1)
    page = client.get(response["Location"]).content.decode()
    assert "Elle rappelle lundi." in page
    assert 'class="message success"' in page
    assert "Elle rappelle lundi." in client.get(current.get_absolute_url()).content.decode()
    assert "Elle rappelle lundi." not in client.get(former.get_absolute_url()).content.decode()
    assert PersonLastContact.objects.filter(person=person).exists()


def test_with_htmx_the_timeline_comes_back_with_the_new_entry(client, editor, person_at_work):
    person, *_ = person_at_work
    client.force_login(editor)

    response = client.post(
        log_url("person", person.slug),
        {"log-kind": "note", "log-text": "Intéressée par la convention.", "log-subject": "Salon"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section id="timeline"')
    assert "Intéressée par la convention." in html and "Salon" in html
    assert 'class="message success"' in html


def test_an_organisation_logs_an_interaction_with_itself_alone(client, editor):
    organisation = OrganisationFactory()
    client.force_login(editor)

    client.post(log_url("organisation", organisation.slug), {"log-kind": "meeting", "log-text": "Réunion annuelle"})

    interaction = Interaction.objects.get()
    assert list(interaction.organisations.all()) == [organisation] and not interaction.people.exists()


def test_a_date_in_the_past_may_be_given(client, editor, person_at_work):
    person, *_ = person_at_work
    client.force_login(editor)
    client.post(
        log_url("person", person.slug), {"log-kind": "call", "log-text": "x", "log-occurred_at": "2025-03-04T10:30"}
    )
    assert timezone.localtime(Interaction.objects.get().occurred_at).date() == datetime.date(2025, 3, 4)


@pytest.mark.parametrize(
    "data",
    [
        {"log-kind": "call", "log-text": ""},
        {"log-kind": "call", "log-text": "x" * 20_001},
        {"log-kind": "call", "log-text": "nul\x00char"},
        {"log-kind": "call", "log-text": "x", "log-subject": "s" * 301},
        {"log-kind": "telegram", "log-text": "x"},
        {"log-kind": "call", "log-text": "x", "log-occurred_at": "31/02/2025"},
        {"log-kind": "call", "log-text": "x", "log-occurred_at": "0001-01-01T00:00"},
        {"log-kind": "call", "log-text": "x", "log-occurred_at": "9999-12-31T23:59"},
        {"log-kind": "call", "log-text": "x", "log-occurred_at": "1850-01-01T00:00"},
        {},
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_what_cannot_be_logged_is_shown_as_an_error_never_a_500(client, editor, person_at_work, data, htmx):
    person, *_ = person_at_work
    client.force_login(editor)

    response = client.post(log_url("person", person.slug), data, headers={"HX-Request": "true"} if htmx else {})

    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not Interaction.objects.exists()


def test_a_reader_sees_no_form_and_may_not_post(client, reader, person_at_work):
    person, *_ = person_at_work
    client.force_login(reader)

    assert 'name="log-text"' not in client.get(person.get_absolute_url()).content.decode()
    assert client.post(log_url("person", person.slug), {"log-kind": "call", "log-text": "x"}).status_code == 403
    assert not Interaction.objects.exists()


def test_an_editor_sees_the_form(client, editor, person_at_work):
    person, *_ = person_at_work
    client.force_login(editor)
    html = client.get(person.get_absolute_url()).content.decode()
    assert 'name="log-text"' in html and 'name="log-kind"' in html


def test_a_person_who_asked_not_to_be_contacted_shows_a_warning_above_the_form(client, editor):
    person = PersonFactory(do_not_contact=True)
    client.force_login(editor)
    html = client.get("/en" + person.get_absolute_url()).content.decode()
    timeline = html[html.index('id="timeline"') :]
    assert timeline.index("This person asked not to be contacted.") < timeline.index('name="log-text"')


def test_an_unknown_record_is_404(client, editor):
    client.force_login(editor)
    assert client.post(log_url("person", "nobody"), {"log-kind": "call", "log-text": "x"}).status_code == 404


def test_the_quick_add_is_refused_to_visitors(client, person_at_work):
    person, *_ = person_at_work
    response = client.post(log_url("person", person.slug), {"log-kind": "call", "log-text": "x"})
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- an interaction's pages ----------------------------------------------------------------------------------


def test_the_interaction_page_shows_who_and_what_and_its_history(client, reader, person_at_work):
    person, current, _former = person_at_work
    interaction = InteractionFactory(
        subject="Point trimestriel", text="Budget validé.", people=[person], organisations=[current]
    )
    client.force_login(reader)

    html = client.get(interaction.get_absolute_url()).content.decode()

    assert "Point trimestriel" in html and "Budget validé." in html
    assert person.full_name in html and "GIPSO" in html
    assert 'id="history-title"' in html
    assert f"/interactions/{interaction.pk}/edit/" not in html  # a reader changes nothing


def test_its_author_edits_it_and_the_history_keeps_the_change(client, author):
    interaction = InteractionFactory(subject="Appel", text="Premier jet", logged_by=author)
    client.force_login(author)

    form = client.get(f"/interactions/{interaction.pk}/edit/")
    assert form.status_code == 200
    response = client.post(
        f"/interactions/{interaction.pk}/edit/",
        {
            "kind": "call",
            "direction": "in",
            "occurred_at": "2026-01-05T09:00",
            "subject": "Appel",
            "text": "Texte corrigé",
            "version": interaction.version,
        },
    )

    assert response.status_code == 302
    interaction.refresh_from_db()
    assert (interaction.text, interaction.direction) == ("Texte corrigé", "in")
    assert "Texte corrigé" in client.get(interaction.get_absolute_url()).content.decode()
    assert interaction.history.count() == 2


def test_someone_elses_interaction_needs_the_change_permission(client, author, editor):
    interaction = InteractionFactory(logged_by=editor)
    client.force_login(author)
    assert client.get(f"/interactions/{interaction.pk}/edit/").status_code == 403
    assert client.post(f"/interactions/{interaction.pk}/delete/").status_code == 403
    client.force_login(editor)
    assert client.get(f"/interactions/{interaction.pk}/edit/").status_code == 200


def test_a_change_made_meanwhile_is_not_overwritten(client, editor):
    interaction = InteractionFactory(subject="Appel", text="v1")
    seen = interaction.version
    interaction.text = "changé par un collègue"
    interaction.save()
    client.force_login(editor)

    response = client.post(
        f"/interactions/{interaction.pk}/edit/",
        {
            "kind": "call",
            "direction": "",
            "occurred_at": "2026-01-05T09:00",
            "subject": "Appel",
            "text": "mon texte",
            "version": seen,
        },
    )

    assert response.status_code == 200
    assert 'class="message error"' in response.content.decode()
    interaction.refresh_from_db()
    assert interaction.text == "changé par un collègue"


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "call", "occurred_at": "not a date", "version": "1"},
        {"kind": "call", "occurred_at": "2026-01-05T09:00", "text": "x\x00", "version": "1"},
        {"kind": "call", "occurred_at": "2026-01-05T09:00", "version": "abc"},
        {"kind": "call", "occurred_at": "2026-01-05T09:00", "text": "x" * 20_001, "version": "1"},
        {},
    ],
)
def test_an_invalid_edit_is_shown_as_errors(client, editor, data):
    interaction = InteractionFactory(text="v1")
    client.force_login(editor)
    response = client.post(f"/interactions/{interaction.pk}/edit/", data)
    assert response.status_code == 200 and 'class="errorlist' in response.content.decode()


def test_its_author_deletes_it_and_goes_back_to_the_person(client, author, person_at_work):
    person, *_ = person_at_work
    interaction = InteractionFactory(logged_by=author, people=[person])
    client.force_login(author)

    assert client.get(f"/interactions/{interaction.pk}/delete/").status_code == 200
    response = client.post(f"/interactions/{interaction.pk}/delete/")

    assert response.status_code == 302 and response["Location"] == person.get_absolute_url() + "#timeline"
    assert not Interaction.objects.exists()


# --- the list ------------------------------------------------------------------------------------------------


def test_the_list_filters_by_person_kind_dates_and_author(client, reader, editor, person_at_work):
    person, *_ = person_at_work
    InteractionFactory(
        subject="Appel de janvier",
        kind="call",
        occurred_at=timezone.now() - datetime.timedelta(days=40),
        people=[person],
        logged_by=editor,
    )
    InteractionFactory(subject="Note récente", kind="note", direction="", logged_by=reader)
    client.force_login(reader)

    def listed(**params):
        return client.get("/interactions/", params).content.decode()

    assert "Appel de janvier" in listed() and "Note récente" in listed()
    assert "Note récente" not in listed(person=person.slug)
    assert "Appel de janvier" not in listed(kind="note")
    assert "Appel de janvier" not in listed(
        occurred_after=(timezone.localdate() - datetime.timedelta(days=5)).isoformat()
    )
    assert "Note récente" not in listed(logged_by=editor.username)
    assert "Note récente" in listed(q="récente") and "Appel de janvier" not in listed(q="récente")
    assert client.get("/interactions/", {"occurred_before": "9999-12-31", "person": "nobody"}).status_code == 200


def test_the_list_needs_the_view_permission(client, viewer):
    client.force_login(viewer)
    assert client.get("/interactions/").status_code == 403
