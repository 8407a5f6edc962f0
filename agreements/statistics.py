"""Figures behind the agreements chart."""

from django.db.models import Count
from django.db.models.functions import ExtractYear

from .models import Agreement


def agreements_per_year(agreements=None) -> list[tuple[str, int]]:
    """How many of ``agreements`` (all by default) were signed each year, years without any included."""
    agreements = Agreement.objects.all() if agreements is None else agreements
    counts = dict(
        agreements.filter(signed_on__isnull=False)
        .annotate(year=ExtractYear("signed_on"))
        .order_by()
        .values("year")
        .annotate(count=Count("pk", distinct=True))
        .values_list("year", "count")
    )
    if not counts:
        return []
    return [(str(year), counts.get(year, 0)) for year in range(min(counts), max(counts) + 1)]
