"""The directory's searches as people really type them: queries drawn from the data, many per kind.

One query chosen per kind measures that query's luck, not the search's: a rare surname and a common one take
different plans, and a benchmark of "a person in the middle of the data" missed the slow ones (issue 21). Each
kind here is at least ``per_kind`` queries drawn with a fixed seed from the database being measured, each run
once through the whole Django stack as the search box sends it (the results fragment htmx asks for), and
reported as p50 / p95 / max with the slowest query named, so that a slow plan shows with the words that cause it.
"""

import random
import string
import time

import phonenumbers
from django.db import connection

from clusters.models import Organisation, OrganisationName
from contacts.models import ContactPoint, Person

SEED = 21
# Each kind again, narrowed by a filter: a country, as a user does with the filters beside the box.
FILTER = {"country": "FR"}


def _random_rows(queryset, fields: list[str], count: int, rng: random.Random) -> list[tuple]:
    """``count`` rows of ``queryset`` drawn at random by key (a key range sampled, not ORDER BY random())."""
    bounds = queryset.order_by("pk").values_list("pk", flat=True)
    first, last = bounds.first(), queryset.order_by("-pk").values_list("pk", flat=True).first()
    if first is None:
        return []
    rows: list[tuple] = []
    for _ in range(count * 3):
        key = rng.randint(first, last)
        row = queryset.filter(pk__gte=key).order_by("pk").values_list(*fields).first()
        if row:
            rows.append(row)
        if len(rows) >= count:
            break
    return rows


def _rare_names(per_kind: int, rng: random.Random) -> list[str]:
    """Full names ("given family") that one to five people have."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT given_name || ' ' || family_name FROM contacts_person GROUP BY given_name, family_name "
            "HAVING COUNT(*) <= 5 ORDER BY 1"
        )
        names = [row[0] for row in cursor.fetchall()]
    return rng.sample(names, min(per_kind, len(names)))


def _absent_words(per_kind: int, rng: random.Random) -> list[str]:
    return ["".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(6, 9))) for _ in range(per_kind)]


def _phones(per_kind: int, rng: random.Random) -> dict[str, list[str]]:
    phones = [row[0] for row in _random_rows(ContactPoint.objects.exclude(phone=""), ["phone"], per_kind, rng)]
    national, international, digits = [], [], []
    for phone in phones:
        number = phonenumbers.parse(str(phone))
        national.append(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
        international.append(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
        digits.append(str(phone).lstrip("+"))
    return {"phone, national": national, "phone, international": international, "phone, digits only": digits}


def sampled_queries(per_kind: int) -> dict[str, list[str]]:
    """Queries by kind, drawn from the data with a fixed seed."""
    rng = random.Random(SEED)  # noqa: S311 (a reproducible sample, not a secret)
    people = _random_rows(Person.objects.all(), ["given_name", "family_name"], per_kind, rng)
    organisations = _random_rows(Organisation.objects.all(), ["name", "acronym"], per_kind, rng)
    other_names = _random_rows(OrganisationName.objects.all(), ["name"], per_kind, rng)
    emails = _random_rows(ContactPoint.objects.exclude(email=""), ["email"], per_kind, rng)
    kinds = {
        "rare full name (1–5 people)": _rare_names(per_kind, rng),
        "given name": [given for given, _family in people],
        "family name": [family for _given, family in people],
        "absent word": _absent_words(per_kind, rng),
        "prefix, 1 letter": [family[:1] for _given, family in people],
        "prefix, 2 letters": [family[:2] for _given, family in people],
        "prefix, 3 letters": [family[:3] for _given, family in people],
        "organisation name or acronym": [acronym or name for name, acronym in organisations],
        "organisation's other name": [name for (name,) in other_names],
        "email fragment": [email.split("@")[0] for (email,) in emails],
        **_phones(per_kind, rng),
    }
    return {kind: queries for kind, queries in kinds.items() if queries}


def _summary(timed: list[tuple[float, str]]) -> dict:
    timed = sorted(timed)
    values = [milliseconds for milliseconds, _query in timed]
    rank = max(0, min(len(values) - 1, round(0.95 * len(values) + 0.5) - 1))
    return {
        "queries": len(values),
        "p50": values[len(values) // 2],
        "p95": values[rank],
        "max": values[-1],
        "slowest": timed[-1][1],
    }


def measure(client, url: str, per_kind: int, headers: dict) -> dict:
    """p50 / p95 / max server time of every kind, alone and with ``FILTER``; each query run once, after one
    untimed request of its kind."""
    results = {}
    for kind, queries in sampled_queries(per_kind).items():
        for label, extra in ((kind, {}), (f"{kind} + country", FILTER)):
            client.get(url, {"q": queries[0], **extra}, **headers)
            timed = []
            for query in queries:
                started = time.perf_counter()
                response = client.get(url, {"q": query, **extra}, **headers)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{label}: {query!r} answered {response.status_code}")
                timed.append((elapsed, query))
            results[label] = _summary(timed)
    return results
