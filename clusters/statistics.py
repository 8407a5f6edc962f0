"""Figures behind the charts of a cluster's page: its members over time, by region, by kind."""

import datetime
from collections import Counter

from django.db.models import Count, Min
from django.db.models.lookups import In
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Membership, Organisation, membership_status


def members_over_time(cluster, *, years: int = 10, today: datetime.date | None = None) -> list[tuple[str, int]]:
    """How many organisations were members of ``cluster`` at the end of each year (today for this year),
    from its first recorded membership, over at most ``years`` years."""
    today = today or timezone.localdate()
    first = Membership.objects.filter(cluster=cluster, started_on__isnull=False).aggregate(first=Min("started_on"))
    if first["first"] is None:
        return []
    days = {
        str(year): datetime.date(year, 12, 31) if year < today.year else today
        for year in range(max(first["first"].year, today.year - years + 1), today.year + 1)
    }
    # One query for every year: for each, the distinct members with a period active that day (as members_of).
    counts = Membership.objects.filter(cluster=cluster).aggregate(
        **{
            year: Count("member", distinct=True, filter=In(membership_status(day), Membership.ACTIVE_STATUSES))
            for year, day in days.items()
        }
    )
    return [(year, counts[year]) for year in days]


def members_by_region(cluster, *, today: datetime.date | None = None) -> list[tuple[str, int]]:
    regions = Counter(Organisation.objects.members_of(cluster, on=today).values_list("region", flat=True))
    return sorted(((region or _("Unknown"), count) for region, count in regions.items()), key=lambda item: -item[1])


def members_by_kind(cluster, *, today: datetime.date | None = None) -> list[tuple[str, int]]:
    kinds = Counter(Organisation.objects.members_of(cluster, on=today).values_list("kind", flat=True))
    return [(str(label), kinds[value]) for value, label in Organisation.Kind.choices if kinds[value]]
