"""Deliveries through the real queue to a real HTTP server: signed as docs/webhooks.md says, retried with backoff on
a failing receiver, given up on a refusal, sent once however often enqueued."""

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from tests.factories import OrganisationFactory
from tests.jobs.conftest import run_queued_tasks
from webhooks import services
from webhooks.models import Delivery, DeliveryAttempt, Endpoint
from webhooks.tasks import deliver

from .conftest import documented_verify

pytestmark = pytest.mark.django_db


def create_organisation(capture, **fields):
    with capture(execute=True):
        return OrganisationFactory(**fields)


def run_tasks(capture) -> int:
    """Run the ready tasks; the retries they enqueue on commit are enqueued too (not run: they are not due)."""
    with capture(execute=True):
        return run_queued_tasks()


def next_attempts():
    return list(DBTaskResult.objects.filter(task_path=deliver.module_path, status="READY").order_by("run_after"))


def test_a_receiver_following_the_docs_verifies_the_signature(
    receiver, endpoint_for, django_capture_on_commit_callbacks, admin_user
):
    endpoint = endpoint_for("organisation.created")
    organisation = create_organisation(django_capture_on_commit_callbacks, name="Pôle Santé Ouest")
    assert run_tasks(django_capture_on_commit_callbacks) == 1

    (request,) = receiver.requests
    verify = documented_verify()
    body, header = request["body"], request["headers"]["X-CRM-Signature"]
    assert verify(endpoint.secret, body, header)
    assert not verify("whsec_another", body, header)
    assert not verify(endpoint.secret, body.replace(b"Ouest", b"Est"), header)
    assert not verify(endpoint.secret, body, header, now=time.time() + 600)  # a replay ten minutes later

    delivery = Delivery.objects.get()
    assert request["headers"]["X-CRM-Event"] == "organisation.created"
    assert request["headers"]["X-CRM-Delivery"] == str(delivery.public_id)
    payload = json.loads(body)
    assert payload["type"] == "organisation.created"
    assert payload["record_id"] == organisation.pk
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.attempt_log.get().status_code == 200

    # The data is the API's representation of the record.
    api = APIClient()
    api.force_authenticate(admin_user)
    answer = api.get(f"/api/organisations/{organisation.slug}/").json()
    assert answer.pop("url").endswith(payload["data"].pop("url"))
    assert payload["data"] == answer


def test_a_failing_receiver_is_retried_with_backoff(receiver, endpoint_for, django_capture_on_commit_callbacks):
    receiver.statuses = [500, 503, 200]
    endpoint_for("organisation.created")
    create_organisation(django_capture_on_commit_callbacks)

    before = timezone.now()
    assert run_tasks(django_capture_on_commit_callbacks) == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    (retry,) = next_attempts()
    assert retry.args_kwargs["args"] == [delivery.pk, 2]
    assert before + timedelta(seconds=60) <= retry.run_after <= timezone.now() + timedelta(seconds=60)
    assert delivery.next_attempt_at == retry.run_after
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.number, attempt.status_code, attempt.response_excerpt) == (1, 500, "answered 500")
    assert attempt.duration_ms < 5000

    assert run_tasks(django_capture_on_commit_callbacks) == 0  # not due for a minute

    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # a minute later
    before = timezone.now()
    run_tasks(django_capture_on_commit_callbacks)
    (retry,) = next_attempts()
    assert before + timedelta(seconds=300) <= retry.run_after <= timezone.now() + timedelta(seconds=300)

    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_tasks(django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 200)
    assert list(delivery.attempt_log.values_list("number", "status_code")) == [(1, 500), (2, 503), (3, 200)]
    assert next_attempts() == []
    assert len({request["headers"]["X-CRM-Delivery"] for request in receiver.requests}) == 1


@pytest.mark.parametrize("status", [400, 401, 404, 410])
def test_a_refusal_is_not_retried(receiver, endpoint_for, django_capture_on_commit_callbacks, status):
    receiver.statuses = [status]
    endpoint_for("organisation.created")
    create_organisation(django_capture_on_commit_callbacks)
    run_tasks(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 1, status)
    assert next_attempts() == []


@pytest.mark.parametrize("status", [408, 429, 502])
def test_a_busy_receiver_is_retried(receiver, endpoint_for, django_capture_on_commit_callbacks, status):
    receiver.statuses = [status]
    endpoint_for("organisation.created")
    create_organisation(django_capture_on_commit_callbacks)
    run_tasks(django_capture_on_commit_callbacks)
    assert Delivery.objects.get().status == "pending"
    assert len(next_attempts()) == 1


def test_an_unreachable_receiver_is_retried_and_the_error_logged(
    receiver, django_capture_on_commit_callbacks, settings
):
    receiver.server.server_close()  # nobody listens on this port any more
    Endpoint.objects.create(url=receiver.url, events=["organisation.created"])
    create_organisation(django_capture_on_commit_callbacks)
    run_tasks(django_capture_on_commit_callbacks)
    attempt = DeliveryAttempt.objects.get()
    assert attempt.status_code is None
    assert attempt.error
    assert Delivery.objects.get().status == "pending"


def test_the_last_attempt_gives_up(receiver, endpoint_for, django_capture_on_commit_callbacks, settings):
    settings.WEBHOOKS_MAX_ATTEMPTS = 2
    receiver.statuses = [500]
    endpoint_for("organisation.created")
    create_organisation(django_capture_on_commit_callbacks)
    run_tasks(django_capture_on_commit_callbacks)
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_tasks(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert next_attempts() == []
    assert len(receiver.requests) == 2


def test_a_delivery_enqueued_twice_is_sent_once(receiver, endpoint_for, django_capture_on_commit_callbacks):
    endpoint_for("organisation.created")
    create_organisation(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    deliver.enqueue(delivery.pk, 1)  # the same attempt again, as a "retry now" racing the queue would
    assert run_tasks(django_capture_on_commit_callbacks) == 2
    assert len(receiver.requests) == 1
    assert DeliveryAttempt.objects.count() == 1


def test_retry_now_sends_a_failed_delivery_once_more(receiver, endpoint_for, django_capture_on_commit_callbacks):
    receiver.statuses = [410, 200]
    endpoint_for("organisation.created")
    create_organisation(django_capture_on_commit_callbacks)
    run_tasks(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == "failed"

    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry_now(delivery)
    run_tasks(django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert not services.retry_now(delivery)  # delivered: nothing to do


def test_an_inactive_endpoint_receives_nothing(receiver, endpoint_for, django_capture_on_commit_callbacks):
    endpoint = endpoint_for("organisation.created")
    create_organisation(django_capture_on_commit_callbacks)
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    run_tasks(django_capture_on_commit_callbacks)
    assert receiver.requests == []
    assert Delivery.objects.get().status == "failed"


def test_a_private_address_is_refused_at_delivery_unless_allowed(
    receiver, endpoint_for, django_capture_on_commit_callbacks, settings
):
    endpoint_for("organisation.created")
    create_organisation(django_capture_on_commit_callbacks)
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    run_tasks(django_capture_on_commit_callbacks)
    assert receiver.requests == []
    delivery = Delivery.objects.get()
    assert delivery.status == "failed"
    assert "127.0.0.1" in delivery.attempt_log.get().error
