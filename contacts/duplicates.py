"""People who are likely the same person entered twice: the same email address, the same phone number, or
the same name (folded: "PASCUAL DE ZULUETA" is "Pascual de Zulueta") at the same organisation."""

from collections import defaultdict

from django.db.models import Count
from django.utils.translation import gettext as _

from core.duplicates import LikelyDuplicates, pairs_from_groups
from core.search import fold

from .models import ContactPoint, Person, Position


def _shared(column: str) -> dict[str, set[int]]:
    shared = (
        ContactPoint.objects.exclude(**{column: ""})
        .values(column)
        .annotate(people=Count("person", distinct=True))
        .filter(people__gt=1)
        .values_list(column, flat=True)
    )
    groups: dict[str, set[int]] = defaultdict(set)
    for value, person_id in ContactPoint.objects.filter(**{f"{column}__in": shared}).values_list(column, "person_id"):
        groups[str(value)].add(person_id)
    return groups


def likely_duplicate_people(limit: int = 100) -> list[LikelyDuplicates]:
    found: dict[tuple[int, int], list[str]] = {}
    pairs_from_groups(_shared("email"), lambda email: _("same email: %(email)s") % {"email": email}, found)
    pairs_from_groups(_shared("phone"), lambda phone: _("same phone: %(phone)s") % {"phone": phone}, found)
    names: dict[tuple[str, int], set[int]] = defaultdict(set)
    organisation_names: dict[int, str] = {}
    positions = Position.objects.values_list(
        "person_id", "person__given_name", "person__family_name", "organisation_id", "organisation__name"
    )
    for person_id, given_name, family_name, organisation_id, organisation_name in positions.iterator(chunk_size=5000):
        names[(fold(f"{given_name} {family_name}"), organisation_id)].add(person_id)
        organisation_names[organisation_id] = organisation_name
    pairs_from_groups(
        {key: ids for key, ids in names.items() if len(ids) > 1},
        lambda key: _("same name at %(organisation)s") % {"organisation": organisation_names[key[1]]},
        found,
    )
    pairs = sorted(found.items())[:limit]
    people = Person.objects.directory().in_bulk({pk for pair, _reasons in pairs for pk in pair})
    return [LikelyDuplicates(people[first], people[second], reasons) for (first, second), reasons in pairs]
