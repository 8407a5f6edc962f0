"""Writes that touch several rows: merging two organisations; renewing, paying and cancelling memberships."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import update_with_history
from core.merging import MergeReport, check_mergeable, merge_records, record_merge

from .models import Due, Membership, Organisation, OrganisationName


def merge_organisations(*, keep: Organisation, other: Organisation, user) -> MergeReport:
    """Merge ``other`` into ``keep`` and delete ``other``: people's positions, press contacts, memberships,
    relations, sites, figures, agreements, signatures, quotes and provenance all move to ``keep``, without
    duplicates. ``other``'s name stays findable as one of ``keep``'s other names. The merge is kept in
    ``keep``'s history."""
    check_mergeable(keep, other)
    with transaction.atomic():
        other_name, other_pk = other.name, other.pk
        report = merge_records(keep=keep, other=other)
        if other_name != keep.name and not keep.other_names.filter(name=other_name).exists():
            OrganisationName.objects.create(organisation=keep, name=other_name, kind=OrganisationName.Kind.ALIAS)
        record_merge(user=user, keep=keep, other_name=other_name, other_pk=other_pk, report=report)
    return report


def next_period_end(start: datetime.date) -> datetime.date:
    """The last day of a one-year period starting on ``start`` (29 February starts end on 28 February)."""
    try:
        return start.replace(year=start.year + 1) - datetime.timedelta(days=1)
    except ValueError:
        return start.replace(year=start.year + 1, day=28)


@transaction.atomic
def renew_membership(*, membership: Membership, today: datetime.date | None = None) -> Membership:
    """Create the period that follows ``membership``: one year from the day after it ends, of the same
    type, with its due invoiced today at the type's annual fee. A renewed period is not renewed twice."""
    today = today or timezone.localdate()
    if membership.ended_on is None:
        raise ValidationError(_("A membership without an end date runs on: there is nothing to renew."))
    if membership.cancelled_on is not None:
        raise ValidationError(_("A cancelled membership cannot be renewed."))
    start = membership.ended_on + datetime.timedelta(days=1)
    if Membership.objects.filter(cluster=membership.cluster, member=membership.member, started_on__gte=start).exists():
        raise ValidationError(_("This membership has already been renewed."))
    renewal = Membership.objects.create(
        cluster=membership.cluster,
        member=membership.member,
        membership_type=membership.membership_type,
        started_on=start,
        ended_on=next_period_end(start),
    )
    fee = membership.membership_type.annual_fee if membership.membership_type else None
    if fee is not None:
        Due.objects.create(membership=renewal, amount=fee, invoiced_on=today)
    return renewal


@transaction.atomic
def mark_dues_paid(*, membership: Membership, on: datetime.date | None = None) -> int:
    """Record every unpaid due of ``membership`` as paid on ``on`` (today by default). Returns how many."""
    on = on or timezone.localdate()
    unpaid = Due.objects.filter(membership=membership, paid_on__isnull=True, invoiced_on__lte=on)
    return update_with_history(unpaid, paid_on=on)


@transaction.atomic
def cancel_membership(*, membership: Membership, on: datetime.date | None = None) -> None:
    """Cancel ``membership`` from ``on`` (today by default): from that day it no longer counts."""
    if membership.cancelled_on is None:
        membership.cancelled_on = on or timezone.localdate()
        membership.save(update_fields=["cancelled_on"])
