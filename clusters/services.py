"""Writes that touch several rows: merging two organisations."""

from django.db import transaction

from crm.merging import MergeReport, check_mergeable, merge_records, record_merge

from .models import Organisation, OrganisationName


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
