"""Organisations that are likely the same one entered twice: the same name or acronym, once folded."""

from collections import defaultdict

from django.utils.translation import gettext as _

from core.duplicates import LikelyDuplicates, pairs_from_groups
from core.search import fold

from .models import Organisation


def likely_duplicate_organisations(limit: int = 100) -> list[LikelyDuplicates]:
    names: dict[str, set[int]] = defaultdict(set)
    acronyms: dict[str, set[int]] = defaultdict(set)
    written: dict[str, str] = {}
    organisations = Organisation.objects.order_by("pk").values_list("pk", "name", "acronym")
    for pk, name, acronym in organisations.iterator(chunk_size=5000):
        names[fold(name)].add(pk)
        written.setdefault(fold(name), name)
        if fold(acronym):
            acronyms[fold(acronym)].add(pk)
            written.setdefault(f"acronym:{fold(acronym)}", acronym)
    found: dict[tuple[int, int], list[str]] = {}
    pairs_from_groups(
        {key: ids for key, ids in names.items() if len(ids) > 1},
        lambda key: _("same name: %(name)s") % {"name": written[key]},
        found,
    )
    pairs_from_groups(
        {key: ids for key, ids in acronyms.items() if len(ids) > 1},
        lambda key: _("same acronym: %(acronym)s") % {"acronym": written[f"acronym:{key}"]},
        found,
    )
    pairs = sorted(found.items())[:limit]
    records = Organisation.objects.in_bulk({pk for pair, _reasons in pairs for pk in pair})
    return [LikelyDuplicates(records[first], records[second], reasons) for (first, second), reasons in pairs]
