"""The daily digest of follow-ups (Django's locmem email backend): what it says and links to, to whom it goes, once a
day, in the reader's language, and the periodic task that sends it."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from interactions import tasks
from interactions.digest import send_follow_up_digests
from interactions.models import DigestSent
from interactions.services import complete_follow_up
from jobs import schedule
from jobs.models import Job
from tests.factories import FollowUpFactory, OrganisationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://crm.example.org"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "crm@example.org"


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def in_english(user):
    """The user asked for an export in English: the CRM knows their language."""
    Job.objects.create(kind=Job.Kind.EXPORT, title="Export", owner=user, task_path="t", language="en")


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_the_digest_lists_overdue_first_then_today_then_the_next_days_with_links():
    user = UserFactory(username="camille", email="camille@example.org", first_name="Camille")
    in_english(user)
    person, organisation = PersonFactory(given_name="Stéphanie", family_name="Bou"), OrganisationFactory(name="Leem")
    today = FollowUpFactory(title="Send the agreement", due_on=days(0), assigned_to=user, organisations=[organisation])
    late = FollowUpFactory(title="Call back about the renewal", due_on=days(-3), assigned_to=user, people=[person])
    soon = FollowUpFactory(title="Prepare the meeting", due_on=days(5), assigned_to=user)
    FollowUpFactory(title="Far away", due_on=days(30), assigned_to=user)
    complete_follow_up(follow_up=FollowUpFactory(title="Done already", due_on=days(-1), assigned_to=user), user=user)

    assert send_follow_up_digests(today=TODAY) == 1

    [message] = mail.outbox
    assert message.to == ["camille@example.org"] and message.from_email == "crm@example.org"
    assert message.subject == "Cluster CRM · 2 follow-ups to do (1 overdue)"
    body = message.body
    assert body.startswith("Hello Camille,")
    assert body.index("Overdue") < body.index("Call back about the renewal") < body.index("Due today")
    assert body.index("Due today") < body.index("Send the agreement") < body.index("Prepare the meeting")
    assert "3 days late" in body and "Stéphanie Bou" in body and "Leem" in body
    assert f"https://crm.example.org/en/interactions/follow-ups/{late.pk}/" in body
    assert "Far away" not in body and "Done already" not in body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    for follow_up in (late, today, soon):
        assert (
            f'<a href="https://crm.example.org/en/interactions/follow-ups/{follow_up.pk}/">{follow_up.title}</a>'
            in html
        )
    assert html.index(late.title) < html.index(today.title) < html.index(soon.title)


def test_nothing_is_sent_to_those_with_nothing_due_or_no_address():
    FollowUpFactory(due_on=days(2), assigned_to=UserFactory(username="later"))  # only upcoming
    FollowUpFactory(due_on=days(-1), assigned_to=UserFactory(username="nomail", email=""))
    FollowUpFactory(due_on=days(-1), assigned_to=UserFactory(username="gone", is_active=False))
    FollowUpFactory(due_on=days(-1), assigned_to=None, created_by=None)
    done = FollowUpFactory(due_on=days(-1), assigned_to=UserFactory(username="done"))
    complete_follow_up(follow_up=done, user=done.assigned_to)

    assert send_follow_up_digests(today=TODAY) == 0
    assert mail.outbox == [] and not DigestSent.objects.exists()


def test_one_digest_a_day_however_many_times_the_job_runs():
    user = UserFactory(username="camille")
    FollowUpFactory(due_on=days(-1), assigned_to=user)

    assert send_follow_up_digests(today=TODAY) == 1
    assert send_follow_up_digests(today=TODAY) == 0
    assert len(mail.outbox) == 1
    assert send_follow_up_digests(today=days(1)) == 1
    assert len(mail.outbox) == 2
    assert list(DigestSent.objects.values_list("sent_on", flat=True)) == [days(1), TODAY]


def test_a_digest_the_mail_server_refused_is_sent_at_the_next_run(settings):
    FollowUpFactory(due_on=days(0), assigned_to=UserFactory(username="camille"))
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    assert send_follow_up_digests(today=TODAY) == 0
    assert not DigestSent.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_follow_up_digests(today=TODAY) == 1


def test_the_digest_is_in_the_readers_language_else_in_the_sites(settings):
    english, french = UserFactory(username="alex"), UserFactory(username="camille")
    in_english(english)
    older = datetime(2020, 1, 1, tzinfo=UTC)
    Job.objects.create(
        kind=Job.Kind.EXPORT, title="Older", owner=english, task_path="t", language="fr", created_at=older
    )
    FollowUpFactory(title="Upcoming", due_on=date(2026, 3, 12), assigned_to=english)
    FollowUpFactory(title="Due", due_on=TODAY, assigned_to=english)
    FollowUpFactory(title="Upcoming", due_on=date(2026, 3, 12), assigned_to=french)
    FollowUpFactory(title="Due", due_on=TODAY, assigned_to=french)

    send_follow_up_digests(today=TODAY)

    by_reader = {message.to[0]: message for message in mail.outbox}
    assert "/en/interactions/" in by_reader["alex@example.org"].body
    assert "March 12, 2026" in by_reader["alex@example.org"].body
    assert settings.LANGUAGE_CODE == "fr"
    assert "/en/" not in by_reader["camille@example.org"].body
    assert "12 mars 2026" in by_reader["camille@example.org"].body


def test_the_digest_is_a_periodic_task_of_the_queue_sent_from_the_morning(settings, monkeypatch):
    assert (tasks.send_follow_up_digests, timedelta(hours=1)) in schedule.periodic_tasks()
    assert "interactions.tasks.send_follow_up_digests" in schedule.enqueue_due_tasks()
    FollowUpFactory(due_on=timezone.localdate() - timedelta(days=1), assigned_to=UserFactory(username="camille"))
    settings.FOLLOW_UP_DIGEST_HOUR = 24  # not yet
    assert tasks.send_follow_up_digests.call() == 0
    settings.FOLLOW_UP_DIGEST_HOUR = 0
    assert tasks.send_follow_up_digests.call() == 1
    assert len(mail.outbox) == 1
