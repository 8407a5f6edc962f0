"""Webhooks: the endpoints administrators register, each delivery of an event to one of them, and each attempt.

A delivery is sent by one worker at a time: a worker claims it by moving it from *pending* to *sending* and
counting the attempt in one conditional UPDATE that names the attempt it expects, so that a task enqueued twice
(a retry and an administrator's "retry now") sends it once.
"""

import secrets
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EventType(models.TextChoices):
    PERSON_CREATED = "person.created", _("Person created")
    PERSON_CHANGED = "person.changed", _("Person changed")
    PERSON_DELETED = "person.deleted", _("Person deleted")
    PERSON_ERASED = "person.erased", _("Person erased (GDPR)")
    ORGANISATION_CREATED = "organisation.created", _("Organisation created")
    ORGANISATION_CHANGED = "organisation.changed", _("Organisation changed")
    ORGANISATION_DELETED = "organisation.deleted", _("Organisation deleted")
    MEMBERSHIP_CREATED = "membership.created", _("Membership created")
    MEMBERSHIP_CHANGED = "membership.changed", _("Membership changed")
    MEMBERSHIP_DELETED = "membership.deleted", _("Membership deleted")
    AGREEMENT_CREATED = "agreement.created", _("Agreement created")
    AGREEMENT_CHANGED = "agreement.changed", _("Agreement changed")
    AGREEMENT_DELETED = "agreement.deleted", _("Agreement deleted")


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


class EndpointQuerySet(models.QuerySet):
    def subscribed_to(self, event_type: str) -> list["Endpoint"]:
        """The active endpoints that chose ``event_type`` (a handful: filtered here, the same on every database)."""
        return [endpoint for endpoint in self.filter(is_active=True) if event_type in endpoint.events]


class Endpoint(models.Model):
    url = models.URLField(
        _("address"),
        max_length=500,
        help_text=_("Where the events are posted: an https address that the CRM's workers can reach."),
    )
    description = models.CharField(
        _("description"), max_length=200, blank=True, help_text=_("Who receives these events, and what for.")
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        default=new_secret,
        help_text=_("The key of the deliveries' signatures, shared with the receiver only (docs/webhooks.md)."),
    )
    events = models.JSONField(_("events"), default=list, help_text=_("The kinds of event sent to this address."))
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("An inactive endpoint receives nothing, retries included.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EndpointQuerySet.as_manager()

    class Meta:
        ordering = ["url", "pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        permissions = [("manage_webhooks", _("Can manage webhook endpoints and their deliveries"))]

    def __str__(self):
        return self.description or self.url


class Delivery(models.Model):
    class Status(models.TextChoices):
        # In context: French says these of "un envoi", not of "une tâche" as the jobs' statuses do.
        PENDING = "pending", pgettext_lazy("webhook delivery", "Pending")
        SENDING = "sending", pgettext_lazy("webhook delivery", "Sending")
        DELIVERED = "delivered", pgettext_lazy("webhook delivery", "Delivered")
        FAILED = "failed", pgettext_lazy("webhook delivery", "Failed")

    public_id = models.UUIDField(
        _("delivery id"), unique=True, default=uuid.uuid4, editable=False, help_text=_("Sent as X-CRM-Delivery.")
    )
    endpoint = models.ForeignKey(
        Endpoint, verbose_name=_("endpoint"), related_name="deliveries", on_delete=models.CASCADE
    )
    event_id = models.UUIDField(_("event"), help_text=_("The event's id: the same in each endpoint's delivery."))
    event_type = models.CharField(_("event type"), max_length=40, choices=EventType.choices)
    payload = models.JSONField(_("payload"), help_text=_("The body posted, as JSON."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("maximum attempts"))
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last response status"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "-created_at"], name="webhook_delivery_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(attempts__lte=models.F("max_attempts")), name="webhook_delivery_attempts_bounded"
            )
        ]

    def __str__(self):
        return f"{self.event_type} · {self.public_id}"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), related_name="attempt_log", on_delete=models.CASCADE
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    status_code = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    response_excerpt = models.TextField(
        _("response excerpt"), blank=True, help_text=_("The beginning of the receiver's answer.")
    )

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_unique_number"),
        ]

    def __str__(self):
        return f"#{self.number}"
