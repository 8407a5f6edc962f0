"""Queries and displays the rest of the CRM builds on."""

import datetime

from django.utils import timezone

from contacts.models import ContactPoint, Person, Position
from tests.factories import EmailFactory, PersonFactory, PhoneFactory, PositionFactory, PressContactFactory


def test_current_positions_are_those_held_today(db):
    today = timezone.localdate()
    held = PositionFactory(started_on=today - datetime.timedelta(days=10))
    ended = PositionFactory(ended_on=today - datetime.timedelta(days=1))
    future = PositionFactory(started_on=today + datetime.timedelta(days=1))

    assert list(Position.objects.current()) == [held]
    assert (held.is_current, ended.is_current, future.is_current) == (True, False, False)
    assert set(Position.objects.current(today + datetime.timedelta(days=1))) == {held, future}


def test_directory_fetches_people_positions_contact_points_and_press_roles_in_four_queries(
    db, django_assert_num_queries
):
    for _ in range(20):
        person = PersonFactory()
        PositionFactory(person=person, is_primary=True)
        EmailFactory(person=person)
        PhoneFactory(person=person)
        PressContactFactory(person=person)

    with django_assert_num_queries(4):
        rows = [
            (
                person.full_name,
                [p.organisation.name for p in person.current_positions],
                list(person.contact_points.all()),
                [role.organisation.name for role in person.press_roles.all()],
            )
            for person in Person.objects.directory()
        ]

    assert len(rows) == 20
    assert all(
        len(organisations) == 1 and len(points) == 2 and len(roles) == 1 for _, organisations, points, roles in rows
    )


def test_contactable_leaves_out_people_who_asked_not_to_be_contacted(db):
    reachable = PersonFactory()
    PersonFactory(do_not_contact=True)
    assert list(Person.objects.contactable()) == [reachable]


def test_phone_is_shown_nationally_for_france_and_internationally_otherwise(db):
    french = PhoneFactory(phone="+33556113215")
    spanish = PhoneFactory(phone="+34644845644")
    assert str(french) == "05 56 11 32 15"
    assert str(spanish) == "+34 644 84 56 44"
    assert str(EmailFactory(email="Camille@Example.org")) == "camille@example.org"
    assert ContactPoint.objects.get(pk=spanish.pk).phone.as_e164 == "+34644845644"
