"""Two records that look like one, and the pairs that records sharing a key make: what the duplicates page of
each app is built from."""

from dataclasses import dataclass, field


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
