"""The retention review: the people the CRM has had no reason to keep for a number of years (``RETENTION_YEARS``),
for staff to keep — with a reason and the day to look again — or to erase (GDPR: data kept no longer than needed).

A person is listed when, for that many years, nothing happened to them: no interaction, no position held (a
current one, or one ended since), no entry added to a contact list, no event invitation (sent, or for an edition
held since), no change to their record; and no decision to keep them runs past today. Each is judged by its date,
in one query of ``NOT EXISTS`` per reason, so that the page's query count does not grow with its rows.
docs/privacy.md says what the page is for.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from contacts.models import ANONYMISED_SLUG_PREFIX, ContactListEntry, Person, Position
from contacts.tasks import start_erasure
from events.models import Invitation
from jobs.models import Job

from .models import RetentionDecision

# A bulk action changes at most this many people at once (the tick boxes of a few pages).
MAX_SELECTED = 500
MAX_YEARS = 50


def default_years() -> int:
    return settings.RETENTION_YEARS


def years_before(moment: datetime.datetime, years: int) -> datetime.datetime:
    """``moment`` ``years`` years earlier (29 February becomes the 28th)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def people_to_review(*, years: int, now: datetime.datetime | None = None) -> QuerySet[Person]:
    """The people with nothing that kept them in the last ``years`` years, the longest untouched first."""
    now = now or timezone.now()
    since = years_before(now, years)
    since_day, today = timezone.localdate(since), timezone.localdate(now)
    person = OuterRef("pk")
    return (
        Person.objects.exclude(slug__startswith=ANONYMISED_SLUG_PREFIX)
        .filter(updated_at__lt=since, created_at__lt=since)
        # The date of the latest interaction is kept beside the person (``PersonLastContact``).
        .filter(Q(last_contact__isnull=True) | Q(last_contact__occurred_at__lt=since))
        .filter(
            ~Exists(
                Position.objects.filter(person=person).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=since_day))
            ),
            ~Exists(ContactListEntry.objects.filter(person=person, added_at__gte=since)),
            ~Exists(
                Invitation.objects.filter(person=person).filter(
                    Q(invited_at__gte=since) | Q(edition__starts_on__gte=since_day)
                )
            ),
            ~Exists(RetentionDecision.objects.filter(person=person, review_on__gt=today)),
        )
        .order_by("updated_at", "pk")
    )


def _latest(queryset, field: str):
    return Subquery(queryset.filter(person=OuterRef("pk")).order_by(F(field).desc(nulls_last=True)).values(field)[:1])


def with_last_dates(people: QuerySet[Person]) -> QuerySet[Person]:
    """``people`` with the date of each reason they had to be kept, as the review's rows show them."""
    return people.annotate(
        last_interaction=F("last_contact__occurred_at"),
        last_position_ended=_latest(Position.objects.all(), "ended_on"),
        last_listed=_latest(ContactListEntry.objects.all(), "added_at"),
        last_invited=_latest(Invitation.objects.all(), "invited_at"),
        last_kept_until=_latest(RetentionDecision.objects.all(), "review_on"),
        last_kept_reason=_latest(RetentionDecision.objects.all(), "reason"),
    )


@transaction.atomic
def keep_people(*, people: Iterable[Person], reason: str, review_on: datetime.date, user) -> int:
    """Keep ``people`` until ``review_on``, for ``reason``: they leave the review until that day. Returns how many."""
    decisions = [
        RetentionDecision(person=person, reason=reason, review_on=review_on, decided_by=user) for person in people
    ]
    for decision in decisions:
        decision.full_clean(exclude=["person", "decided_by"])
    RetentionDecision.objects.bulk_create(decisions, batch_size=500)
    return len(decisions)


@transaction.atomic
def erase_people(*, people: Iterable[Person], user) -> list[Job]:
    """Erase ``people`` through ``contacts.erasure.erase_person``: one job each on the queue's workers, each erasure
    in its own transaction. An erasure searches every text column of every table (seconds at a million people):
    hundreds in one request, or in one transaction, would hold the locks of every row they blank for minutes, and
    one failure would undo the others. Each job is retried or fails on its own, and says what it erased."""
    return [start_erasure(person, user) for person in people]
