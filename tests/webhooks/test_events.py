"""Which events leave, when, and what they say: on commit only, one delivery per endpoint subscribed, the API's
representation for a change, identifiers for a deletion, nothing personal for an erasure."""

import json

import pytest
from django.db import transaction

from contacts.erasure import erase_person
from tests.factories import (
    AgreementFactory,
    EmailFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    PhoneFactory,
)
from tests.jobs.conftest import run_queued_tasks
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db


def test_events_leave_on_commit_one_delivery_per_endpoint_subscribed(django_capture_on_commit_callbacks):
    wanted = Endpoint.objects.create(url="https://a.example.org/hooks", events=["person.created"])
    Endpoint.objects.create(url="https://b.example.org/hooks", events=["person.changed"])
    Endpoint.objects.create(url="https://c.example.org/hooks", events=["person.created"], is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        person = PersonFactory()
    delivery = Delivery.objects.get()
    assert (delivery.endpoint, delivery.event_type) == (wanted, "person.created")
    assert delivery.payload["record_id"] == person.pk
    assert delivery.payload["data"]["slug"] == person.slug
    assert delivery.payload["data"]["contact_points"] is None  # an endpoint is no user allowed to see them


def test_no_event_leaves_before_the_commit_nor_for_a_change_rolled_back(django_capture_on_commit_callbacks):
    Endpoint.objects.create(url="https://a.example.org/hooks", events=["organisation.created"])
    OrganisationFactory()  # the test's transaction never commits
    assert not Delivery.objects.exists()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            OrganisationFactory()
            raise RuntimeError
    assert callbacks == []
    assert not Delivery.objects.exists()


@pytest.mark.parametrize(
    ("factory", "kind", "identifiers"),
    [
        (PersonFactory, "person", {"id", "slug"}),
        (OrganisationFactory, "organisation", {"id", "slug"}),
        (MembershipFactory, "membership", {"id"}),
        (AgreementFactory, "agreement", {"id", "slug"}),
    ],
)
def test_each_record_sends_created_changed_and_deleted(django_capture_on_commit_callbacks, factory, kind, identifiers):
    Endpoint.objects.create(
        url="https://a.example.org/hooks", events=[f"{kind}.created", f"{kind}.changed", f"{kind}.deleted"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        record = factory()
    with django_capture_on_commit_callbacks(execute=True):
        record.save()
    pk = record.pk
    with django_capture_on_commit_callbacks(execute=True):
        record.delete()
    created, changed, deleted = Delivery.objects.order_by("created_at", "event_type")
    assert [created.event_type, changed.event_type, deleted.event_type] == [
        f"{kind}.created",
        f"{kind}.changed",
        f"{kind}.deleted",
    ]
    changes = {"version", "updated_at"}
    assert changed.payload["data"]["version"] == created.payload["data"]["version"] + 1
    assert {k: v for k, v in created.payload["data"].items() if k not in changes} == {
        k: v for k, v in changed.payload["data"].items() if k not in changes
    }
    assert set(deleted.payload["data"]) == identifiers
    assert deleted.payload["record_id"] == deleted.payload["data"]["id"] == pk


def test_an_erasure_event_carries_nothing_personal(receiver, endpoint_for, django_capture_on_commit_callbacks):
    person = PersonFactory(given_name="Bernadette", family_name="Quiroga", slug="bernadette-quiroga")
    person.notes = "Rencontree au salon, prefere le telephone"
    person.save()
    EmailFactory(person=person, email="b.quiroga@example.net")
    PhoneFactory(person=person, phone="+33145001234")
    endpoint_for("person.changed", "person.deleted", "person.erased")

    with django_capture_on_commit_callbacks(execute=True):
        erase_person(person=person)
    with django_capture_on_commit_callbacks(execute=True):
        run_queued_tasks()

    (request,) = receiver.requests  # the erasure's own change of the record sends no person.changed
    body = request["body"].decode()
    assert request["headers"]["X-CRM-Event"] == "person.erased"
    for personal in ["Bernadette", "Quiroga", "quiroga", "b.quiroga@example.net", "145001234", "salon", "telephone"]:
        assert personal not in body
    payload = json.loads(body)
    assert payload["data"] == {"id": person.pk}
    assert payload["record_id"] == person.pk
    assert set(payload) == {"id", "type", "created", "record_id", "data"}


def test_an_erasure_leaves_only_the_record_number_in_earlier_deliveries(django_capture_on_commit_callbacks):
    Endpoint.objects.create(url="https://a.example.org/hooks", events=["person.created"])
    with django_capture_on_commit_callbacks(execute=True):
        person = PersonFactory(given_name="Bernadette", family_name="Quiroga", slug="bernadette-quiroga")
    delivery = Delivery.objects.get()
    assert "Quiroga" in json.dumps(delivery.payload)

    with django_capture_on_commit_callbacks(execute=True):
        erase_person(person=person)
    delivery.refresh_from_db()
    assert delivery.payload["data"] == {"id": person.pk}  # the record number only, as the erasure event says
    assert delivery.status == "failed"  # not sent after the erasure
