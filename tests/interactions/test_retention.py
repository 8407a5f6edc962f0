"""The retention review: who is listed (nothing that kept them for some years) and who is not, for each reason;
keeping people until a date; erasing them in bulk through the erasure's jobs; who may; a bounded query count."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.erasure import erase_person
from contacts.models import ContactListEntry, Person
from contacts.privacy import person_data
from events.models import Event, EventEdition, Invitation
from interactions.models import RetentionDecision
from interactions.retention import keep_people, people_to_review
from interactions.services import log_interaction
from jobs.models import Job
from tests.factories import ContactListFactory, PersonFactory, PositionFactory, UserFactory
from tests.jobs.conftest import run_queued_tasks

URL = "/interactions/retention/"
NOW = timezone.now()
LONG_AGO = NOW - datetime.timedelta(days=365 * 5)
LATELY = NOW - datetime.timedelta(days=365)
TODAY = timezone.localdate()


def old_person(**fields) -> Person:
    """A person created and last changed five years ago."""
    person = PersonFactory(**fields)
    Person.objects.filter(pk=person.pk).update(created_at=LONG_AGO, updated_at=LONG_AGO)
    return person


def touch(person):
    """Put the person's dates back five years: the records added for them changed nothing of their own."""
    Person.objects.filter(pk=person.pk).update(created_at=LONG_AGO, updated_at=LONG_AGO)


def listed(years=3) -> set[str]:
    return set(people_to_review(years=years).values_list("slug", flat=True))


@pytest.fixture
def reviewer(user_with):
    return user_with("delete_person")


@pytest.fixture
def reviewer_client(reviewer):
    client = Client()
    client.force_login(reviewer)
    return client


def invite(person, *, starts_on, invited_at):
    event, _created = Event.objects.get_or_create(slug="rnaen", defaults={"name": "Rencontres RNAEN"})
    edition, _created = EventEdition.objects.get_or_create(
        event=event, starts_on=starts_on, defaults={"place": "Bayonne"}
    )
    invitation = Invitation.objects.create(edition=edition, person=person)
    Invitation.objects.filter(pk=invitation.pk).update(invited_at=invited_at)


# Who is listed, and who is not


def test_someone_with_nothing_for_years_is_listed_and_a_recent_record_is_not(db):
    forgotten = old_person(slug="oublie")
    PersonFactory(slug="nouveau")
    changed = old_person(slug="change")
    Person.objects.filter(pk=changed.pk).update(updated_at=LATELY)
    assert listed() == {forgotten.slug}


def test_an_interaction_within_the_years_keeps_a_person_off_the_list(db, django_capture_on_commit_callbacks):
    called, called_long_ago = old_person(slug="appele"), old_person(slug="appele-autrefois")
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):  # the last contacts are kept on commit
        log_interaction(kind="call", logged_by=user, people=[called], occurred_at=LATELY)
        log_interaction(kind="call", logged_by=user, people=[called_long_ago], occurred_at=LONG_AGO)
    assert listed() == {"appele-autrefois"}
    assert listed(years=1) == {"appele", "appele-autrefois"}


def test_a_current_position_or_one_ended_lately_keeps_a_person_off_the_list(db):
    current = old_person(slug="en-poste")
    PositionFactory(person=current, started_on=datetime.date(2010, 1, 1))
    left_lately = old_person(slug="parti-recemment")
    PositionFactory(person=left_lately, started_on=datetime.date(2010, 1, 1), ended_on=LATELY.date())
    left_long_ago = old_person(slug="parti-autrefois")
    PositionFactory(person=left_long_ago, started_on=datetime.date(2010, 1, 1), ended_on=LONG_AGO.date())
    for person in (current, left_lately, left_long_ago):
        touch(person)
    assert listed() == {"parti-autrefois"}


def test_a_list_entry_added_lately_keeps_a_person_off_the_list(db):
    listed_lately, listed_long_ago = old_person(slug="liste-recente"), old_person(slug="liste-ancienne")
    contact_list = ContactListFactory()
    for person, when in ((listed_lately, LATELY), (listed_long_ago, LONG_AGO)):
        entry = ContactListEntry.objects.create(contact_list=contact_list, person=person)
        ContactListEntry.objects.filter(pk=entry.pk).update(added_at=when)
    assert listed() == {"liste-ancienne"}


def test_an_invitation_sent_lately_or_to_an_edition_held_lately_keeps_a_person_off_the_list(db):
    invited_lately = old_person(slug="invite-recemment")
    invite(invited_lately, starts_on=LONG_AGO.date(), invited_at=LATELY)
    coming = old_person(slug="invite-a-venir")
    invite(coming, starts_on=TODAY + datetime.timedelta(days=30), invited_at=LONG_AGO)
    invited_long_ago = old_person(slug="invite-autrefois")
    invite(invited_long_ago, starts_on=LONG_AGO.date(), invited_at=LONG_AGO)
    assert listed() == {"invite-autrefois"}


def test_a_person_kept_until_a_later_review_leaves_the_list_until_that_day(db):
    kept, kept_before = old_person(slug="garde"), old_person(slug="garde-jusqu-hier")
    RetentionDecision.objects.create(person=kept, reason="Administrateur", review_on=TODAY + datetime.timedelta(days=1))
    RetentionDecision.objects.create(person=kept_before, reason="Ancien", review_on=TODAY)
    assert listed() == {"garde-jusqu-hier"}


def test_an_erased_person_is_not_listed(db):
    erased = old_person()
    erase_person(person=erased)
    touch(erased)
    assert listed() == set()


# The page


def test_the_page_lists_the_people_with_their_dates_and_the_years_can_be_changed(
    db, reviewer_client, django_capture_on_commit_callbacks
):
    person = old_person(given_name="Ainhoa", family_name="Arrieta")
    with django_capture_on_commit_callbacks(execute=True):  # the last contacts are kept on commit
        log_interaction(kind="note", logged_by=UserFactory(), people=[person], occurred_at=LATELY)
    page = reviewer_client.get(URL).content.decode()
    assert "Ainhoa Arrieta" not in page
    assert _("No one to review") in page
    page = reviewer_client.get(URL, {"years": 1}).content.decode()
    assert "Ainhoa Arrieta" in page and person.get_absolute_url() in page
    assert f'value="{person.slug}"' in page


@pytest.mark.parametrize(
    "query", [{"years": "abc"}, {"years": "0"}, {"years": "100000"}, {"page": "999"}, {"page": "x"}]
)
def test_bad_parameters_show_the_page(db, reviewer_client, query):
    old_person(family_name="Oubliée")
    response = reviewer_client.get(URL, query)
    assert response.status_code == 200
    assert "Oubliée" in response.content.decode()


def test_the_query_count_is_the_same_with_10_and_100_people(db, reviewer_client):
    def counted(number):
        for _index in range(number - Person.objects.count()):
            old_person()
        with CaptureQueriesContext(connection) as queries:
            response = reviewer_client.get(URL)
        assert response.status_code == 200
        return len(queries.captured_queries)

    assert counted(10) == counted(100)


def test_who_may_see_the_page(db, viewer_client, reviewer_client, user_with):
    assert Client().get(URL).status_code == 302
    assert viewer_client.get(URL).status_code == 403
    editor = Client()
    editor.force_login(user_with("add_person", "change_person"))
    assert editor.get(URL).status_code == 403
    assert reviewer_client.get(URL).status_code == 200
    assert (
        viewer_client.post(URL, {"action": "erase", "person": [old_person().slug], "confirm": "on"}).status_code == 403
    )


# Keep


def test_keeping_the_people_ticked_takes_them_off_until_the_review(db, reviewer, reviewer_client):
    first, second, third = old_person(), old_person(), old_person()
    review_on = TODAY + datetime.timedelta(days=365)
    response = reviewer_client.post(
        URL + "?years=3",
        {"action": "keep", "person": [first.slug, second.slug], "reason": "  Membres du  bureau ",
         "review_on": review_on, "years": "3"},
        follow=True,
    )  # fmt: skip
    assert response.redirect_chain[-1][0].endswith(URL + "?years=3")
    assert listed() == {third.slug}
    decision = RetentionDecision.objects.get(person=first)
    assert (decision.reason, decision.review_on, decision.decided_by) == ("Membres du bureau", review_on, reviewer)
    assert 'class="message success"' in response.content.decode()


@pytest.mark.parametrize(
    "values",
    [
        {"reason": "", "review_on": "2099-01-01"},
        {"reason": "Bureau", "review_on": ""},
        {"reason": "Bureau", "review_on": "2001-01-01"},
        {"reason": "Bureau", "review_on": "pas une date"},
        {"reason": "x" * 400, "review_on": "2099-01-01"},
    ],
)
def test_keeping_needs_a_reason_and_a_later_review(db, reviewer_client, values):
    person = old_person()
    response = reviewer_client.post(URL, {"action": "keep", "person": [person.slug], **values}, follow=True)
    assert 'class="message error"' in response.content.decode()
    assert not RetentionDecision.objects.exists()


def test_an_action_needs_people_ticked_known_and_not_too_many(db, reviewer_client):
    for people in ([], ["nobody"], [f"p{number}" for number in range(501)], ["bad\x00slug"]):
        response = reviewer_client.post(
            URL, {"action": "keep", "person": people, "reason": "x", "review_on": "2099-01-01"}, follow=True
        )
        assert response.status_code == 200
        assert 'class="message error"' in response.content.decode()
    assert not RetentionDecision.objects.exists()


# Erase


def test_erasing_in_bulk_starts_one_job_per_person_and_erases_them(
    db, reviewer, reviewer_client, django_capture_on_commit_callbacks
):
    first, second = old_person(family_name="Zubizarreta"), old_person(family_name="Goikoetxea")
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(
            URL, {"action": "erase", "person": [first.slug, second.slug], "confirm": "on", "years": "3"}, follow=True
        )
    assert "/jobs/" in response.content.decode()
    assert Job.objects.filter(kind=Job.Kind.ERASURE, owner=reviewer).count() == 2
    assert run_queued_tasks() == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_anonymised and second.is_anonymised
    assert "Zubizarreta" not in reviewer_client.get(URL).content.decode()


def test_erasing_needs_the_confirmation(db, reviewer_client):
    person = old_person()
    response = reviewer_client.post(URL, {"action": "erase", "person": [person.slug]}, follow=True)
    assert 'class="message error"' in response.content.decode()
    assert not Job.objects.exists()


def test_someone_contacted_since_the_page_was_read_is_not_erased(
    db, reviewer_client, django_capture_on_commit_callbacks
):
    contacted, forgotten = old_person(), old_person()
    with django_capture_on_commit_callbacks(execute=True):  # the last contacts are kept on commit
        log_interaction(kind="call", logged_by=UserFactory(), people=[contacted], occurred_at=NOW)
    response = reviewer_client.post(
        URL, {"action": "erase", "person": [contacted.slug, forgotten.slug], "confirm": "on"}, follow=True
    )
    assert 'class="message warning"' in response.content.decode()
    assert list(Job.objects.values_list("params", flat=True)) == [{"person_id": forgotten.pk}]


def test_the_decisions_to_keep_someone_are_in_their_data_and_go_with_their_erasure(db, reviewer):
    person = old_person()
    keep_people(people=[person], reason="Administratrice", review_on=TODAY + datetime.timedelta(days=90), user=reviewer)
    [decision] = person_data(person)["retention_decisions"]
    assert (decision["reason"], decision["decided_by"]) == ("Administratrice", reviewer.get_username())
    erase_person(person=person)
    assert not RetentionDecision.objects.exists()
