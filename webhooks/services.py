"""Deliveries: recorded for each endpoint an event concerns, signed, posted by a worker, retried with backoff.

``emit`` records one ``Delivery`` per endpoint subscribed to the event and enqueues ``tasks.deliver`` for each;
``attempt_delivery`` (the task's work) claims the delivery, posts it and logs the attempt, then marks it delivered,
enqueues the next attempt with ``run_after`` (a network error, a timeout, 408, 429 or 5xx), or gives up (any other
answer, an address refused, the last attempt). ``retry_now`` is the admin's action.
"""

import functools
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from .events import SOURCES, record_payload
from .models import Delivery, DeliveryAttempt, Endpoint

logger = logging.getLogger(__name__)

RETRIED_STATUSES = {408, 429}
USER_AGENT = "ClusterCRM-Webhooks/1"
EXCERPT_CHARACTERS = 1000
# A delivery left "sending" this long (its worker died while posting) may be sent again from the admin.
STALLED_SENDING = timedelta(minutes=10)


class AddressRefused(Exception):
    """The endpoint's host is, or resolves to, an address the CRM does not post to (private, loopback…)."""


def emit_record_event(model, action: str, pk: int) -> list[Delivery]:
    endpoints = Endpoint.objects.subscribed_to(f"{SOURCES[model].kind}.{action}")
    if not endpoints:
        return []  # no endpoint wants it: the record is not even read
    payload = record_payload(model, action, pk)
    return emit(payload, endpoints=endpoints) if payload is not None else []


def emit(payload: dict, *, endpoints: list[Endpoint] | None = None) -> list[Delivery]:
    """One delivery of ``payload`` per active endpoint subscribed to its type (``endpoints``, if already read),
    recorded and enqueued in one transaction: the queue is in the same database."""
    if endpoints is None:
        endpoints = Endpoint.objects.subscribed_to(payload["type"])
    if not endpoints:
        return []
    with transaction.atomic():
        deliveries = Delivery.objects.bulk_create(
            Delivery(
                endpoint=endpoint,
                event_id=payload["id"],
                event_type=payload["type"],
                payload=payload,
                max_attempts=settings.WEBHOOKS_MAX_ATTEMPTS,
                next_attempt_at=timezone.now(),
            )
            for endpoint in endpoints
        )
        for delivery in deliveries:
            _enqueue(delivery.pk, 1)
    return deliveries


def _enqueue(delivery_pk, attempt: int, run_after=None) -> None:
    from .tasks import deliver

    task = deliver.using(run_after=run_after) if run_after is not None else deliver
    task.enqueue(delivery_pk, attempt)


def retry_pause(attempt: int) -> timedelta:
    """The pause after failed attempt ``attempt`` (1, 2…): WEBHOOKS_RETRY_PAUSES in turn, the last one repeated."""
    pauses = settings.WEBHOOKS_RETRY_PAUSES
    return timedelta(seconds=pauses[min(attempt, len(pauses)) - 1])


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``t=<unix time>,v1=<HMAC-SHA256 of "<t>.<body>">``, as docs/webhooks.md tells receivers to check it."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def check_address(url: str) -> None:
    """Refuse an address that is, or whose host resolves to, a private, loopback, link-local or reserved address
    (unless WEBHOOKS_ALLOW_PRIVATE_ADDRESSES): a webhook must not reach into the CRM's own network. Raises
    ``AddressRefused``, or ``OSError`` if the name does not resolve."""
    if settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        return
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    for *_rest, address in socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP):
        if not ipaddress.ip_address(address[0].split("%")[0]).is_global:
            raise AddressRefused(_("The address %(address)s is not public.") % {"address": address[0]})


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A receiver answers; a redirect could lead a signed body anywhere (an internal address among others)."""

    def redirect_request(self, *args, **kwargs):
        return None


# No proxy from the environment either: the address checked is the address posted to.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def post(delivery: Delivery) -> dict:
    """Post ``delivery`` once: what the attempt log records (status code, error, response excerpt, duration)."""
    body = body_of(delivery.payload)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-CRM-Event": delivery.event_type,
        "X-CRM-Delivery": str(delivery.public_id),
        "X-CRM-Signature": signature(delivery.endpoint.secret, int(time.time()), body),
    }
    result = {"status_code": None, "error": "", "response_excerpt": "", "retry": False}
    started = time.monotonic()
    try:
        check_address(delivery.endpoint.url)
        request = urllib.request.Request(delivery.endpoint.url, data=body, headers=headers, method="POST")  # noqa: S310
        with _opener.open(request, timeout=settings.WEBHOOKS_TIMEOUT) as response:
            result["status_code"] = response.status
            result["response_excerpt"] = _excerpt(response)
    except AddressRefused as error:
        result["error"] = str(error)
    except urllib.error.HTTPError as error:
        result["status_code"] = error.code
        result["response_excerpt"] = _excerpt(error)
        result["retry"] = error.code in RETRIED_STATUSES or error.code >= 500
        if 300 <= error.code < 400:
            result["error"] = _("Redirects are not followed.")
    except (OSError, ValueError) as error:  # URLError, timeouts, refused connections, a name that does not resolve
        reason = getattr(error, "reason", None) or error
        result["error"] = (str(reason) or error.__class__.__name__)[:500]
        result["retry"] = True
    result["duration_ms"] = round((time.monotonic() - started) * 1000)
    return result


def _excerpt(response) -> str:
    try:
        return response.read(EXCERPT_CHARACTERS).decode("utf-8", errors="replace")[:EXCERPT_CHARACTERS]
    except OSError:
        return ""


def _this_attempt(delivery_pk, attempt: int):
    return Delivery.objects.filter(pk=delivery_pk, status=Delivery.Status.SENDING, attempts=attempt)


def attempt_delivery(delivery_pk, attempt: int) -> str:
    """Attempt ``attempt`` of a delivery, if it is still the one due: a task enqueued twice posts once."""
    now = timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_pk, status=Delivery.Status.PENDING, attempts=attempt - 1, max_attempts__gte=attempt
    ).update(status=Delivery.Status.SENDING, attempts=attempt, last_attempt_at=now, next_attempt_at=None)
    if not claimed:
        return "skipped"
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_pk)
    if not delivery.endpoint.is_active:
        result = {"status_code": None, "error": _("The endpoint is inactive."), "retry": False, "duration_ms": 0}
    else:
        result = post(delivery)
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=attempt,
        started_at=now,
        duration_ms=result["duration_ms"],
        status_code=result["status_code"],
        error=result["error"][:500],
        response_excerpt=result.get("response_excerpt", ""),
    )
    code = result["status_code"]
    if code is not None and 200 <= code < 300:
        _this_attempt(delivery.pk, attempt).update(
            status=Delivery.Status.DELIVERED, last_status_code=code, delivered_at=timezone.now()
        )
        return "delivered"
    if result["retry"] and attempt < delivery.max_attempts:
        run_after = timezone.now() + retry_pause(attempt)
        if _this_attempt(delivery.pk, attempt).update(
            status=Delivery.Status.PENDING, last_status_code=code, next_attempt_at=run_after
        ):
            transaction.on_commit(functools.partial(_enqueue, delivery.pk, attempt + 1, run_after))
        return "retrying"
    _this_attempt(delivery.pk, attempt).update(status=Delivery.Status.FAILED, last_status_code=code)
    logger.warning(
        "Webhook delivery %s (%s) to endpoint %s failed on attempt %s: %s",
        delivery.public_id,
        delivery.event_type,
        delivery.endpoint_id,
        attempt,
        code or result["error"],
    )
    return "failed"


def forget_person(person_id: int) -> int:
    """An erasure (inside its transaction): the person's earlier deliveries keep only the record number, and those
    not sent yet are not sent (the ``person.erased`` event follows). How many deliveries were changed."""
    deliveries = Delivery.objects.filter(event_type__startswith="person.", payload__record_id=person_id)
    changed = 0
    for delivery in deliveries.exclude(event_type="person.erased"):
        delivery.payload["data"] = {"id": person_id}
        if delivery.status in (Delivery.Status.PENDING, Delivery.Status.SENDING):
            delivery.status = Delivery.Status.FAILED
        delivery.save(update_fields=["payload", "status"])
        changed += 1
    return changed


def retry_now(delivery: Delivery) -> bool:
    """Send a delivery now: a pending one without waiting for its pause, a failed one once more (one attempt),
    one left *sending* by a worker that died. False if it was delivered, or is being sent."""
    stalled = Q(status=Delivery.Status.SENDING, last_attempt_at__lt=timezone.now() - STALLED_SENDING)
    moved = (
        Delivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts)
        .filter(Q(status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED]) | stalled)
        .update(
            status=Delivery.Status.PENDING,
            max_attempts=Greatest(F("max_attempts"), F("attempts") + 1),
            next_attempt_at=timezone.now(),
        )
    )
    if moved:
        transaction.on_commit(functools.partial(_enqueue, delivery.pk, delivery.attempts + 1))
    return bool(moved)
