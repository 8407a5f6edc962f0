"""Endpoints and deliveries in the back office: for those who may manage webhooks only."""

import uuid

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from tests.admin_helpers import admin_url
from tests.factories import OrganisationFactory
from tests.jobs.conftest import run_queued_tasks
from webhooks.forms import EndpointForm
from webhooks.models import Delivery, DeliveryAttempt, Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(receiver, django_capture_on_commit_callbacks):
    endpoint = Endpoint.objects.create(url=receiver.url, events=["organisation.created"])
    with django_capture_on_commit_callbacks(execute=True):
        OrganisationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        run_queued_tasks()
    return endpoint, Delivery.objects.get()


def test_the_admin_pages_answer_for_an_administrator(admin_client, delivered):
    endpoint, delivery = delivered
    for url in [
        admin_url(Endpoint, "changelist"),
        admin_url(Endpoint, "add"),
        admin_url(Endpoint, "change", endpoint.pk),
        admin_url(Delivery, "changelist"),
        admin_url(Delivery, "changelist") + "?status=delivered&event_type=organisation.created"
        f"&endpoint__id__exact={endpoint.pk}",
        admin_url(Delivery, "change", delivery.pk),
    ]:
        assert admin_client.get(url).status_code == 200, url
    page = admin_client.get(admin_url(Delivery, "change", delivery.pk)).content.decode()
    assert "answered 200" in page  # the attempt's log, with the receiver's answer
    assert endpoint.secret in admin_client.get(admin_url(Endpoint, "change", endpoint.pk)).content.decode()


def test_staff_without_the_permission_neither_see_nor_add_endpoints(client, user_with, delivered):
    endpoint, delivery = delivered
    staff = user_with("change_organisation")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    for url in [
        admin_url(Endpoint, "changelist"),
        admin_url(Endpoint, "add"),
        admin_url(Endpoint, "change", endpoint.pk),
        admin_url(Delivery, "changelist"),
        admin_url(Delivery, "change", delivery.pk),
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(admin_url(Endpoint, "add"), {"url": "https://example.org/"}).status_code == 403
    assert "webhooks" not in client.get("/admin/").content.decode()

    staff.user_permissions.add(Permission.objects.get(codename="manage_webhooks"))
    client.force_login(staff)
    assert client.get(admin_url(Endpoint, "changelist")).status_code == 200
    assert client.get(admin_url(Delivery, "change", delivery.pk)).status_code == 200


def test_an_administrator_adds_an_endpoint_with_a_generated_secret(admin_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True  # no name to resolve in the tests' sandbox
    response = admin_client.post(
        admin_url(Endpoint, "add"),
        {"url": "https://hooks.example.org/crm", "events": ["person.erased", "agreement.created"], "is_active": "on"},
    )
    assert response.status_code == 302
    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["person.erased", "agreement.created"]
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    assert endpoint.secret in admin_client.get(response.url).content.decode()  # shown once added


def test_retry_now_from_the_admin(admin_client, receiver, delivered, django_capture_on_commit_callbacks):
    _endpoint, delivery = delivered
    Delivery.objects.filter(pk=delivery.pk).update(status="failed")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            admin_url(Delivery, "changelist"), {"action": "send_again", "_selected_action": [delivery.pk]}
        )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        run_queued_tasks()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert len(receiver.requests) == 2


@pytest.mark.parametrize(
    ("url", "allowed", "debug", "error"),
    [
        ("http://hooks.example.org/crm", False, False, "https"),
        ("https://127.0.0.1/crm", False, False, "private"),
        ("https://10.1.2.3/crm", False, False, "private"),
        ("https://[::1]/crm", False, False, "private"),
        ("https://169.254.169.254/latest", False, False, "private"),
        ("https://127.0.0.1/crm", True, False, None),
        ("http://127.0.0.1:8001/crm", True, True, None),
    ],
)
def test_endpoint_addresses_must_be_https_and_public(settings, url, allowed, debug, error):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = allowed
    settings.DEBUG = debug
    form = EndpointForm({"url": url, "events": ["person.created"], "is_active": "on"})
    if error is None:
        assert form.is_valid(), form.errors
    else:
        assert not form.is_valid()
        assert [problem.code for problem in form.errors.as_data()["url"]] == [error]


def build_deliveries(count):
    endpoint = Endpoint.objects.create(url="https://a.example.org/hooks", events=["person.created"])
    deliveries = Delivery.objects.bulk_create(
        Delivery(endpoint=endpoint, event_id=uuid.uuid4(), event_type="person.created", payload={}, max_attempts=6)
        for _ in range(count)
    )
    DeliveryAttempt.objects.bulk_create(
        DeliveryAttempt(delivery=delivery, number=1, started_at=timezone.now(), duration_ms=3, status_code=500)
        for delivery in deliveries
    )


def test_the_deliveries_list_runs_the_same_queries_at_10_and_100_rows(admin_client, django_assert_num_queries):
    url = admin_url(Delivery, "changelist")
    build_deliveries(10)
    admin_client.get(url)  # the first request of a test fills per-process caches (content types)
    with django_assert_num_queries(QUERIES_OF_THE_DELIVERIES_LIST):
        assert admin_client.get(url).status_code == 200
    build_deliveries(90)
    with django_assert_num_queries(QUERIES_OF_THE_DELIVERIES_LIST):
        assert admin_client.get(url).status_code == 200


QUERIES_OF_THE_DELIVERIES_LIST = 7
