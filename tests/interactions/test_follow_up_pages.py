"""The follow-ups' pages: the list (mine by default, filtered, overdue first), the form (new, from an interaction,
changed, refused when stale), done and to do again, who may do what, and the header's count."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from interactions.models import FollowUp
from interactions.services import complete_follow_up, log_interaction
from tests.factories import FollowUpFactory, OrganisationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/interactions/follow-ups/"
NEW = "/interactions/follow-ups/new/"


def member_of(role: str, username: str, **kwargs):
    user = UserFactory(username=username, **kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def editor():
    return member_of("Éditeur", "camille", first_name="Camille", last_name="Martin")


@pytest.fixture
def reader():
    return member_of("Lecteur", "dominique")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def titles(response) -> list[str]:
    return re.findall(
        r'<td data-label="[^"]+"><a href="(?:/en)?/interactions/follow-ups/\d+/">([^<]+)</a>', response.text
    )


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


def test_the_list_shows_my_open_follow_ups_overdue_first(editor_client, editor):
    FollowUpFactory(title="Next week", due_on=days(7), assigned_to=editor)
    FollowUpFactory(title="Late", due_on=days(-3), assigned_to=editor)
    FollowUpFactory(title="Today", due_on=days(0), assigned_to=editor)
    FollowUpFactory(title="Someone else's", due_on=days(-5))
    complete_follow_up(
        follow_up=FollowUpFactory(title="Already done", due_on=days(-9), assigned_to=editor), user=editor
    )

    response = editor_client.get(f"/en{LIST}")

    assert response.status_code == 200
    assert titles(response) == ["Late", "Today", "Next week"]
    assert "3 days late" in response.text


def test_the_filters_show_anyones_the_done_ones_and_the_overdue_only(editor_client, editor):
    other = UserFactory(username="sacha")
    FollowUpFactory(title="Mine late", due_on=days(-2), assigned_to=editor)
    FollowUpFactory(title="Mine later", due_on=days(3), assigned_to=editor)
    FollowUpFactory(title="Sacha", due_on=days(1), assigned_to=other)
    done = FollowUpFactory(title="Mine done", due_on=days(-1), assigned_to=editor)
    complete_follow_up(follow_up=done, user=editor)

    assert titles(editor_client.get(LIST, {"assigned": "anyone"})) == ["Mine late", "Sacha", "Mine later"]
    assert titles(editor_client.get(LIST, {"assigned": str(other.pk)})) == ["Sacha"]
    assert titles(editor_client.get(LIST, {"status": "done"})) == ["Mine done"]
    assert titles(editor_client.get(LIST, {"overdue": "on"})) == ["Mine late"]
    # Nonsense in the query string falls back to the defaults rather than failing.
    response = editor_client.get(LIST, {"assigned": "nobody", "status": "<script>", "page": "999"})
    assert response.status_code == 200
    assert titles(response) == ["Mine late", "Mine later"]


def test_the_list_is_paginated(editor_client, editor):
    for index in range(30):
        FollowUpFactory(title=f"Task {index:02}", due_on=days(index), assigned_to=editor)
    first, second = editor_client.get(LIST), editor_client.get(LIST, {"page": 2})
    assert len(titles(first)) == 25 and len(titles(second)) == 5
    assert titles(second)[0] == "Task 25"


@pytest.mark.parametrize("rows", [10, 100])
def test_the_list_query_count_does_not_grow(editor_client, editor, django_assert_num_queries, rows):
    person, organisation = PersonFactory(), OrganisationFactory()
    for index in range(rows):
        FollowUpFactory(due_on=days(index - 5), assigned_to=editor, people=[person], organisations=[organisation])
    # session, user, user and group permissions; the assignees offered by the filter; count; follow-ups (with
    # assignee and interaction); people; organisations; the header's counts (follow-ups due, jobs running).
    with django_assert_num_queries(11):
        assert editor_client.get(LIST, {"assigned": "anyone"}).status_code == 200


def test_a_follow_up_is_created_for_me_by_default(editor_client, editor):
    person, organisation = PersonFactory(given_name="Stéphanie", family_name="Bou"), OrganisationFactory(name="Leem")
    form = editor_client.get(NEW)
    assert form.status_code == 200
    assert f'<option value="{editor.pk}" selected>' in form.text
    # People and organisations are suggested as one types, never listed in a <select>.
    assert person.full_name not in form.text and "Leem" not in form.text

    response = editor_client.post(
        NEW,
        {
            "title": "Envoyer la convention",
            "due_in": "",
            "due_on": days(5).isoformat(),
            "assigned_to": editor.pk,
            "people": [person.slug],
            "organisations": ["Leem"],  # typed in full without picking the suggestion
            "notes": "",
        },
    )

    follow_up = FollowUp.objects.get()
    assert response.status_code == 302 and response["Location"] == follow_up.get_absolute_url()
    assert (follow_up.assigned_to, follow_up.created_by, follow_up.due_on) == (editor, editor, days(5))
    assert list(follow_up.people.all()) == [person] and list(follow_up.organisations.all()) == [organisation]
    page = editor_client.get(response["Location"])
    assert "Envoyer la convention" in page.text and "Stéphanie Bou" in page.text


def test_the_form_says_what_is_wrong(editor_client, editor):
    PersonFactory(family_name="Martin", given_name="Anne")
    PersonFactory(family_name="Martin", given_name="Paul")
    response = editor_client.post(
        NEW, {"title": "  ", "due_in": "", "due_on": "", "assigned_to": editor.pk, "people": ["Martin"]}
    )
    assert response.status_code == 200
    assert not FollowUp.objects.exists()
    assert response.context["form"].errors.keys() == {"title", "due_on", "people"}


def test_a_follow_up_from_an_interaction_has_its_people_and_a_quick_date(editor_client, editor):
    person, organisation = PersonFactory(), OrganisationFactory()
    interaction = log_interaction(
        kind="call", logged_by=editor, people=[person], organisations=[organisation], subject="Appel sur le salon"
    )

    form = editor_client.get(NEW, {"interaction": interaction.pk})
    assert form.status_code == 200
    assert f'value="{person.slug}" id="id_people_0" checked' in form.text
    assert f'value="{organisation.slug}" id="id_organisations_0" checked' in form.text
    assert "Appel sur le salon" in form.text

    editor_client.post(
        NEW,
        {
            "title": "Rappeler",
            "due_in": "2w",
            "due_on": "",
            "assigned_to": editor.pk,
            "people": [person.slug],
            "organisations": [organisation.slug],
            "interaction": interaction.pk,
        },
    )
    follow_up = FollowUp.objects.get()
    assert follow_up.interaction == interaction and follow_up.due_on == days(14)
    assert list(follow_up.people.all()) == [person]
    # A mistyped interaction is left aside, not a failure.
    assert editor_client.get(NEW, {"interaction": "abc"}).status_code == 200
    assert editor_client.get(NEW, {"interaction": "999999"}).status_code == 200


def test_editing_refuses_a_stale_version(editor_client, editor):
    follow_up = FollowUpFactory(title="Relancer", due_on=days(3), assigned_to=editor)
    form = editor_client.get(f"{LIST}{follow_up.pk}/edit/")
    assert form.status_code == 200
    seen = follow_up.version
    data = {"title": "Relancer vite", "due_on": days(2).isoformat(), "assigned_to": editor.pk, "version": seen}

    follow_up.notes = "Changed meanwhile"
    follow_up.save()
    response = editor_client.post(f"{LIST}{follow_up.pk}/edit/", data)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    follow_up.refresh_from_db()
    assert follow_up.title == "Relancer"

    data["version"] = follow_up.version
    response = editor_client.post(f"{LIST}{follow_up.pk}/edit/", data)
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.title, follow_up.due_on) == ("Relancer vite", days(2))


def test_done_and_reopen_go_back_where_they_were_asked(editor_client, editor):
    follow_up = FollowUpFactory(due_on=days(-1), assigned_to=editor)

    response = editor_client.post(f"{LIST}{follow_up.pk}/done/", {"next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    follow_up.refresh_from_db()
    assert follow_up.is_done and follow_up.done_by == editor

    response = editor_client.post(f"{LIST}{follow_up.pk}/reopen/", {"next": "https://elsewhere.example/"})
    assert response["Location"] == follow_up.get_absolute_url()
    follow_up.refresh_from_db()
    assert not follow_up.is_done
    assert editor_client.get(f"{LIST}{follow_up.pk}/done/").status_code == 405


def test_a_reader_reads_but_changes_nothing(client, reader, editor):
    follow_up = FollowUpFactory(assigned_to=editor, due_on=days(1))
    client.force_login(reader)
    assert client.get(LIST, {"assigned": "anyone"}).status_code == 200
    page = client.get(follow_up.get_absolute_url())
    assert page.status_code == 200 and "/done/" not in page.text
    assert client.get(NEW).status_code == 403
    assert client.get(f"{LIST}{follow_up.pk}/edit/").status_code == 403
    assert client.post(f"{LIST}{follow_up.pk}/done/").status_code == 403


def test_the_assignee_or_author_may_change_their_own_an_editor_any(client, editor):
    contributor = UserFactory(username="alix")
    contributor.user_permissions.add(*Group.objects.get(name="Lecteur").permissions.all())
    from django.contrib.auth.models import Permission

    contributor.user_permissions.add(Permission.objects.get(codename="add_followup"))
    own = FollowUpFactory(assigned_to=contributor, due_on=days(1))
    others = FollowUpFactory(assigned_to=editor, created_by=editor, due_on=days(1))
    client.force_login(contributor)
    assert client.get(f"{LIST}{own.pk}/edit/").status_code == 200
    assert client.post(f"{LIST}{own.pk}/done/").status_code == 302
    assert client.get(f"{LIST}{others.pk}/edit/").status_code == 403
    assert client.post(f"{LIST}{others.pk}/done/").status_code == 403
    client.force_login(editor)
    assert client.get(f"{LIST}{own.pk}/edit/").status_code == 200


def test_visitors_are_sent_to_the_login_page(client):
    follow_up = FollowUpFactory()
    for url in (LIST, NEW, follow_up.get_absolute_url(), f"{LIST}{follow_up.pk}/edit/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_people_are_suggested_as_one_types(editor_client):
    PersonFactory(given_name="Stéphanie", family_name="Bou", slug="stephanie-bou")
    response = editor_client.get("/interactions/follow-ups/suggestions/people/", {"people": "bou"})
    assert response.status_code == 200
    assert '<option value="stephanie-bou">Stéphanie Bou' in response.text
    assert editor_client.get("/interactions/follow-ups/suggestions/people/").text.strip() == ""


def test_the_header_counts_my_follow_ups_due_today_or_overdue(editor_client, editor, django_assert_num_queries):
    FollowUpFactory(due_on=days(-2), assigned_to=editor)
    FollowUpFactory(due_on=days(0), assigned_to=editor)
    FollowUpFactory(due_on=days(4), assigned_to=editor)
    FollowUpFactory(due_on=days(-2))
    complete_follow_up(follow_up=FollowUpFactory(due_on=days(-1), assigned_to=editor), user=editor)

    header = editor_client.get("/jobs/").text
    assert re.search(
        r'<span class="badge" aria-hidden="true">2</span><span class="visually-hidden">\(2 [^)]+\)', header
    )

    FollowUp.objects.filter(assigned_to=editor).update(done_at=timezone.now())
    header = editor_client.get("/jobs/").text
    assert "/interactions/follow-ups/" in header and 'aria-hidden="true">0<' not in header
    assert 'class="badge" aria-hidden="true">' not in header


def test_no_count_for_visitors(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/login/").status_code == 200
