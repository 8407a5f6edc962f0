"""The directory's search: one box that finds a person by name, organisation, title, email or phone.

A person's ``search_text`` holds, folded (see ``core.search``): their names, the titles they hold or held, every
name of the organisations they work at or speak for (name, acronym, other names such as "Polepharma-GIPSO" or
"Basque Biocluster", names as agreements write them), their email addresses, and each phone number as digits,
twice — national ("0556113215") and international ("33556113215") — so that a number typed in any format is found.
Signals keep it current (``contacts.signals``); ``manage.py rebuild_search_text`` rebuilds it all.
"""

import re
from collections.abc import Iterable

import phonenumbers
from django.conf import settings
from django.db import connection
from django.db.models import Prefetch, Q

from core.bulk import any_of
from core.search import build_search_text, collected_matches, filter_words_collected

# A query made only of what people write in phone numbers: digits, spaces, + . - / ( ).
_PHONE_QUERY = re.compile(r"\+?[\d\s.\-/()]+")
MIN_PHONE_DIGITS = 4
MAX_QUERY_LENGTH = 200


def phone_number_searched(term: str) -> str | None:
    """The E.164 form of a search term that is a valid phone number ("05 56 11 32 15"), else None."""
    if sum(char.isdigit() for char in term) < 6 or len(term) > 40:
        return None
    try:
        number = phonenumbers.parse(term, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_digits(number) -> list[str]:
    """A stored number as the digit strings one may search it by: national, then with the country code."""
    if not number:
        return []
    e164 = str(number)
    digits = [e164.lstrip("+")]
    if getattr(number, "is_valid", lambda: False)():
        national = re.sub(r"\D", "", number.format_as(phonenumbers.PhoneNumberFormat.NATIONAL))
        digits.insert(0, national)
    return digits


def search_people(queryset, query: str):
    """People matching every word of ``query``, or the phone number it is."""
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    if not query:
        return queryset
    if _PHONE_QUERY.fullmatch(query):
        digits = re.sub(r"\D", "", query)
        if len(digits) >= MIN_PHONE_DIGITS:
            candidates = {digits}
            e164 = phone_number_searched(query)
            if e164:
                candidates.add(e164.lstrip("+"))
            keys = collected_matches(queryset, sorted(candidates), any_word=True)
            if keys is not None:
                return queryset.filter(any_of("pk", keys))
            condition = Q()
            for candidate in sorted(candidates):
                condition |= Q(search_text__contains=candidate)
            return queryset.filter(condition)
    return filter_words_collected(queryset, query)


def search_text_of(
    *,
    given_name: str,
    family_name: str,
    titles: Iterable[str],
    organisations: Iterable[Iterable[str]],
    contact_values: Iterable[str],
) -> str:
    """``search_text`` from plain values, in the order ``person_search_text`` reads them: the titles of the
    positions, the names of the organisations of the positions then of the press roles (``organisation_names``),
    and for
    each contact point its email or its ``phone_digits``. Bulk writers that hold no model instances (the demo
    data) use it too, so that both produce the same text."""
    values = [given_name, family_name, *titles]
    for names in organisations:
        values += names
    values += contact_values
    return build_search_text(*values)


def organisation_names(organisation) -> tuple[str, ...]:
    """Every name ``organisation`` is searched by in the directory: its name, acronym, other names, and the names
    agreements write it by (``AgreementParty.name_as_written``, reached by its reverse relation: agreements sit
    above this app). Read through ``other_names`` and ``agreement_parties``, which ``refresh_search_text``
    prefetches."""
    return (
        organisation.name,
        organisation.acronym,
        *(other.name for other in organisation.other_names.all()),
        *(party.name_as_written for party in organisation.agreement_parties.all() if party.name_as_written),
    )


def person_search_text(person) -> str:
    """What ``search_text`` holds for ``person``: read through its positions, press roles and contact
    points, which ``refresh_search_text`` prefetches."""
    positions = person.positions.all()
    organisations = [position.organisation for position in positions]
    organisations += [role.organisation for role in person.press_roles.all()]
    contact_values = []
    for point in person.contact_points.all():
        if point.email:
            contact_values.append(point.email)
        contact_values += phone_digits(point.phone)
    return search_text_of(
        given_name=person.given_name,
        family_name=person.family_name,
        titles=[position.title for position in positions],
        organisations=[organisation_names(organisation) for organisation in organisations],
        contact_values=contact_values,
    )


REFRESH_BATCH = 500


def people_of_organisations(organisation_ids) -> set[int]:
    """The people whose ``search_text`` holds the names of these organisations: those who work or worked there
    and their press contacts."""
    from .models import Position, PressContact

    people = set(Position.objects.filter(organisation__in=organisation_ids).values_list("person_id", flat=True))
    people |= set(PressContact.objects.filter(organisation__in=organisation_ids).values_list("person_id", flat=True))
    return people


def refresh_search_text(person_ids) -> None:
    """Recompute ``search_text`` for these people, a few queries per 500 people; ids of people that do
    not exist are ignored."""
    from .models import Person, Position, PressContact

    ids = sorted(set(person_ids))
    for start in range(0, len(ids), REFRESH_BATCH):
        people = list(
            Person.objects.filter(pk__in=ids[start : start + REFRESH_BATCH])
            .only("pk", "given_name", "family_name")
            .prefetch_related(
                Prefetch("positions", queryset=Position.objects.select_related("organisation")),
                Prefetch("press_roles", queryset=PressContact.objects.select_related("organisation")),
                "positions__organisation__other_names",
                "positions__organisation__agreement_parties",
                "press_roles__organisation__other_names",
                "press_roles__organisation__agreement_parties",
                "contact_points",
            )
        )
        # One UPDATE per person, sent together (psycopg pipelines executemany): much cheaper to build than
        # bulk_update()'s CASE over 500 ids, and the same on SQLite.
        table = connection.ops.quote_name(Person._meta.db_table)
        column = connection.ops.quote_name(Person._meta.get_field("search_text").column)
        key = connection.ops.quote_name(Person._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET {column} = %s WHERE {key} = %s",  # noqa: S608 (names from the model, values bound)
                [(person_search_text(person), person.pk) for person in people],
            )


def create_trigram_index(apps, schema_editor):
    """On PostgreSQL, a trigram index serves the directory's ``LIKE '%word%'`` searches (contacts' migration 0002;
    and the test database, built from the models)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS person_search_trgm ON contacts_person USING gin (search_text gin_trgm_ops)"
    )
