""" "My tasks" on the dashboard: the user's follow-ups still to do, overdue first with their days, then today's,
then the next ones, at most ten with a link to the rest; an empty state; the same number of queries however many."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from interactions.services import complete_follow_up
from tests.factories import FollowUpFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def editor():
    user = UserFactory(username="camille")
    user.groups.add(Group.objects.get(name="Éditeur"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def tasks(response) -> list[str]:
    section = response.text.split('id="my-tasks-title"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<a class="task-title" href="[^"]+">([^<]+)</a>', section)


def test_my_tasks_show_overdue_then_today_then_upcoming(editor_client, editor):
    FollowUpFactory(title="Upcoming", due_on=days(3), assigned_to=editor)
    FollowUpFactory(title="Today", due_on=days(0), assigned_to=editor)
    FollowUpFactory(title="Late", due_on=days(-4), assigned_to=editor, people=[PersonFactory(family_name="Bou")])
    FollowUpFactory(title="Not mine", due_on=days(-4))
    complete_follow_up(follow_up=FollowUpFactory(title="Done", due_on=days(-1), assigned_to=editor), user=editor)

    response = editor_client.get("/en/")  # in English: the French catalogue is the translators'

    assert response.status_code == 200
    assert "My tasks" in response.text
    assert tasks(response) == ["Late", "Today", "Upcoming"]
    assert "Overdue" in response.text and "4 days late" in response.text
    assert ">Today<" in response.text


def test_at_most_ten_tasks_with_a_link_to_all_of_them(editor_client, editor):
    for index in range(12):
        FollowUpFactory(title=f"Task {index:02}", due_on=days(index), assigned_to=editor)
    response = editor_client.get("/en/")
    assert tasks(response) == [f"Task {index:02}" for index in range(10)]
    assert '<a href="/en/interactions/follow-ups/">See all my 12 follow-ups to do</a>' in response.text


def test_an_empty_state_when_there_is_nothing_to_do(editor_client):
    response = editor_client.get("/")
    assert 'id="my-tasks-title"' in response.text
    assert tasks(response) == []
    assert "empty-state" in response.text.split('id="my-tasks-title"', 1)[1].split("</section>", 1)[0]


def test_no_tasks_section_without_the_permission(client):
    user = UserFactory(username="nobody")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200 and 'id="my-tasks-title"' not in response.text


def test_a_task_is_marked_done_from_the_dashboard(editor_client, editor):
    follow_up = FollowUpFactory(title="Call back", due_on=days(-1), assigned_to=editor)
    response = editor_client.get("/")
    assert f'action="/interactions/follow-ups/{follow_up.pk}/done/"' in response.text
    response = editor_client.post(f"/interactions/follow-ups/{follow_up.pk}/done/", {"next": "/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert tasks(response) == []


@pytest.mark.parametrize("rows", [10, 100])
def test_the_dashboard_query_count_does_not_grow_with_tasks(editor_client, editor, django_assert_num_queries, rows):
    person = PersonFactory()
    for index in range(rows):
        FollowUpFactory(due_on=days(index - 50), assigned_to=editor, people=[person])
    # session, user, user and group permissions; the dashboard's counts and recent records (people, press contacts,
    # organisations, clusters, agreements, press releases, lists); my tasks (follow-ups, people, organisations,
    # count); the header's counts.
    with django_assert_num_queries(21):
        assert editor_client.get("/").status_code == 200
