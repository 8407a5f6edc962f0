"""People leave as a file and come back as they were: export everyone, empty the tables, import, compare every field.

Generated people (``demo.generation``: 2 000 for the CSV, 600 for the rest) with hostile values added:
formula-like strings, commas, semicolons, quotes and parentheses, accents, long text, several lines of notes,
labels on addresses, tags, press-contact roles, ended positions, people who asked not to be contacted, and
homonyms at the same organisation.
Not carried, by design: ids, timestamps, versions, the source of the data (an imported person's source is the
import), and a press-contact role's notes.
"""

import datetime
from collections import Counter

import pytest
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from agreements.models import Agreement
from contacts import exports, imports
from contacts.models import ContactPoint, Person, Position, PressContact, Tag
from core.search import fold
from core.tables import TableLimits
from demo import generation as demo
from tests.factories import (
    EmailFactory,
    OrganisationFactory,
    PersonFactory,
    PhoneFactory,
    PositionFactory,
    PressContactFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

HOSTILE = [
    "=1+1",
    "-Jean",
    "+Chef =1+1",
    "@SUM(A1)",
    "'=déjà cité",
    "Chef; adjoint, « intérim »",
    'Directrice "R&D" (intérim)',
    "Ñúñez-Öztürk",
    "x" * 200,
]


def snapshot() -> dict[str, Counter]:
    """Everything the import must give back, keyed by what identifies a record across databases."""
    people = Person.objects.values_list(
        "slug", "given_name", "family_name", "notes", "do_not_contact", "lawful_basis", "search_text"
    )
    positions = Position.objects.values_list(
        "person__slug", "organisation__slug", "title", "started_on", "ended_on", "is_primary"
    )
    points = ContactPoint.objects.values_list(
        "person__slug", "medium", "email", Cast("phone", TextField()), "kind", "is_primary", "label"
    )
    press = PressContact.objects.values_list("person__slug", "organisation__slug", "started_on", "ended_on")
    tags = Person.tags.through.objects.values_list("person__slug", "tag__name")
    return {
        "people": Counter(people),
        "positions": Counter(positions),
        "contact points": Counter(points),
        "press roles": Counter(press),
        "tags": Counter(tags),
    }


def namesakes(snapshot_: dict[str, Counter]) -> int:
    """How many people bear the name of someone listed before them (by slug order of creation) at an organisation
    they too hold a position at: the new people an import of the export flags as possible duplicates."""
    names = {slug: fold(f"{given} {family}") for slug, given, family, *_rest in snapshot_["people"]}
    order = {slug: pk for pk, slug in Person.objects.values_list("pk", "slug")}
    seen: set[tuple[str, str]] = set()
    flagged = 0
    held: dict[str, set[str]] = {}
    for person_slug, organisation_slug, *_rest in snapshot_["positions"]:
        held.setdefault(person_slug, set()).add(organisation_slug)
    for slug in sorted(names, key=order.get):
        keys = {(names[slug], organisation) for organisation in held.get(slug, ())}
        flagged += bool(keys & seen)
        seen |= keys
    return flagged


def differences(before: dict[str, Counter], after: dict[str, Counter]) -> dict[str, tuple[list, list]]:
    return {
        table: (
            sorted((before[table] - after[table]).elements(), key=repr)[:5],
            sorted((after[table] - before[table]).elements(), key=repr)[:5],
        )
        for table in before
        if before[table] != after[table]
    }


@pytest.fixture
def people(request):
    demo.generate_demo(people=getattr(request, "param", 600), seed=19)
    organisations = list(demo_organisations())
    leem, other = organisations[0], organisations[1]
    hostile_org = OrganisationFactory(name="Société « =Test », Santé; Lyon", slug="societe-test")
    vip, press_tag = TagFactory(name="VIP; presse, « santé »", slug="vip"), TagFactory(name="=Tag", slug="tag")
    for index, value in enumerate(HOSTILE):
        person = PersonFactory(
            given_name=value[:120] if index % 2 else "Jeanne",
            family_name=value[:120],
            notes=f"Première ligne {value}\nDeuxième ligne ; « fin »",
            lawful_basis=Person.LawfulBasis.CONSENT if index % 3 == 0 else Person.LawfulBasis.LEGITIMATE_INTEREST,
            do_not_contact=index == 4,
        )
        PositionFactory(person=person, organisation=hostile_org, title=value, is_primary=True)
        PositionFactory(
            person=person,
            organisation=other,
            title=f"Ancien poste {index}",
            started_on=datetime.date(2010, 1, 1),
            ended_on=datetime.date(2015, 6, 30),
        )
        EmailFactory(person=person, email=f"hostile{index}@example.org", label=f"bureau; étage ({index})")
        EmailFactory(person=person, email=f"perso{index}@gmail.com", kind=ContactPoint.Kind.PERSONAL, is_primary=False)
        PhoneFactory(person=person, phone=f"+3314503880{index}", kind=ContactPoint.Kind.SWITCHBOARD, label="standard")
        person.tags.add(vip, press_tag)
        PressContactFactory(person=person, organisation=leem if index % 2 else hostile_org)
    # Two Eider Arana at the same organisation with different addresses: two people, before and after.
    for email in ("eider.arana@azkue.example", "e.arana@azkue.example"):
        namesake = PersonFactory(given_name="Eider", family_name="Arana")
        PositionFactory(person=namesake, organisation=leem, title="Chercheuse", is_primary=True)
        EmailFactory(person=namesake, email=email)
    # Two Iker Goñi without email or phone, different titles: two people.
    for title in ("Chargé de mission", "Comptable"):
        PositionFactory(
            person=PersonFactory(given_name="Iker", family_name="Goñi"), organisation=leem, title=title, is_primary=True
        )
    # Two colleagues sharing a switchboard number, and two namesakes with the same title and no address: the
    # export names them by different identifiers, so they stay four people.
    for given_name in ("Ane", "Miren"):
        colleague = PersonFactory(given_name=given_name, family_name="Lasa")
        PositionFactory(person=colleague, organisation=leem, title="Assistante", is_primary=True)
        PhoneFactory(person=colleague, phone="+33145038899", kind=ContactPoint.Kind.SWITCHBOARD, is_primary=True)
    for _index in range(2):
        namesake = PersonFactory(given_name="Jon", family_name="Ugarte")
        PositionFactory(person=namesake, organisation=leem, title="Chargé d'études", is_primary=True)
    return Person.objects.count()


def demo_organisations():
    from clusters.models import Organisation

    return Organisation.objects.order_by("pk")


def export_csv() -> bytes:
    people = Person.objects.order_by("pk")
    return b"".join(exports.csv_chunks(exports.rows(people)))


def export_xlsx() -> bytes:
    with exports.xlsx_file(exports.rows(Person.objects.order_by("pk"))) as output:
        return output.read()


def empty_the_people_tables() -> None:
    Agreement.objects.all().delete()  # their signatories hold people
    Person.objects.all().delete()
    Tag.objects.all().delete()


def import_people(data: bytes):
    result = imports.import_people(data, dry_run=False, limits=TableLimits.for_batch(), file_name="export.csv")
    assert not result.rejected, result.rejected
    return result


@pytest.mark.parametrize(
    ("people", "export"), [(2000, export_csv), (600, export_xlsx)], ids=["csv", "xlsx"], indirect=["people"]
)
def test_an_export_imported_into_empty_tables_gives_back_every_field(people, export):
    before = snapshot()
    data = export()
    empty_the_people_tables()
    started = timezone.now()

    result = import_people(data)

    assert result.counts == {"new": people, "update": 0, "unchanged": 0, "rejected": 0, "flagged": namesakes(before)}
    assert differences(before, snapshot()) == {}
    assert sum(before["people"].values()) == people
    # Each record begins its history, as if typed in the back office.
    assert Person.history.filter(history_type="+", history_date__gte=started).count() == people
    assert ContactPoint.history.filter(history_date__gte=started).count() == ContactPoint.objects.count()
    assert result.unused_columns == []


def test_importing_an_export_twice_or_in_the_other_format_changes_nothing(people):
    data = export_csv()
    assert "'=1+1;" in data.decode("utf-8-sig")  # what a spreadsheet must not run is neutralised…
    empty_the_people_tables()
    import_people(data)
    # … and the quote the export added is removed on import, and only that one: a quote of the data itself stays.
    assert Person.objects.filter(family_name="=1+1").exists()
    assert Person.objects.filter(given_name="-Jean").exists()
    assert Position.objects.filter(title="'=déjà cité").exists()
    versions = dict(Person.objects.values_list("slug", "version"))
    history = Person.history.count(), Position.history.count(), ContactPoint.history.count()
    before = snapshot()

    again = import_people(data)
    as_xlsx = import_people(export_xlsx())
    as_csv_of_today = import_people(export_csv())

    for result in (again, as_xlsx, as_csv_of_today):
        assert result.counts == {"new": 0, "update": 0, "unchanged": people, "rejected": 0, "flagged": 0}
    assert differences(before, snapshot()) == {}
    assert dict(Person.objects.values_list("slug", "version")) == versions
    assert (Person.history.count(), Position.history.count(), ContactPoint.history.count()) == history
