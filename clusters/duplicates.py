"""Organisations that are likely the same one entered twice: the same name or acronym, once folded."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import Organisation
from .search import fold


@dataclass
class LikelyDuplicates:
    """Two records that look like one, and why."""

    first: object
    second: object
    reasons: list[str] = field(default_factory=list)

    @property
    def records(self) -> tuple:
        return self.first, self.second


def pairs_from_groups(groups: dict[str, set[int]], reason, found: dict[tuple[int, int], list[str]]) -> None:
    """Add to ``found`` every pair of ids sharing a key of ``groups``, with ``reason(key)``."""
    for key, ids in groups.items():
        ordered = sorted(ids)
        for index, first in enumerate(ordered):
            for second in ordered[index + 1 :]:
                found.setdefault((first, second), []).append(reason(key))


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
