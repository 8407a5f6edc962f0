"""The CSV export on PostgreSQL: a ``COPY`` of each person's export line (contacts.export_lines), which must say
cell for cell what the Python export says, and be written again whenever what it is made of changes."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from clusters.models import Organisation
from contacts import export_lines, exports
from contacts.erasure import erase_person
from contacts.filters import PersonExportFilterSet
from contacts.models import ContactPoint, ExportLine, Person, Position, PressContact, Tag
from contacts.services import tag_people
from interactions.services import log_interaction
from tests.factories import (
    EmailFactory,
    OrganisationFactory,
    PersonFactory,
    PhoneFactory,
    PositionFactory,
    TagFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the export is a COPY on PostgreSQL only"),
    pytest.mark.django_db,
]

HOSTILE = [
    "=1+1",
    "+33 1 23",
    "-Jean",
    "@SUM(A1)",
    "'=déjà neutralisé",
    "''+deux",
    "\tTab",
    "\rRetour",
    'Guillemets "doubles" ; point-virgule',
    "Ligne\nsuivante",
    "Fin\r\nWindows",
    "Œuvre Ærø Łódź ñ ß 漢字",
    " espaces ",
    "x" * 3000,
]


def copied(people) -> list[list[str]]:
    data = b"".join(export_lines.copy_csv_chunks([people], exports.header()))
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def written_in_python(people) -> list[list[str]]:
    data = b"".join(exports.csv_chunks(exports.rows(people)))
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def everyone():
    return Person.objects.directory().order_by("family_name", "given_name", "pk")


@pytest.fixture
def hostile_people(db):
    today = timezone.localdate()
    user = UserFactory()
    organisations = [OrganisationFactory(name=f"Org {value}"[:200]) for value in HOSTILE[:5]]
    people = []
    for index, value in enumerate(HOSTILE):
        person = PersonFactory(
            given_name=value[:100],
            family_name=f"{value[:90]} {index}",
            notes=value,
            lawful_basis=[choice for choice, _ in Person.LawfulBasis.choices][index % 5],
        )
        people.append(person)
        organisation = organisations[index % len(organisations)]
        PositionFactory(person=person, organisation=organisation, title=value[:200], is_primary=index % 2 == 0)
        PositionFactory(
            person=person,
            organisation=organisations[(index + 1) % len(organisations)],
            title=f"Ancien {value[:50]}",
            started_on=today - datetime.timedelta(days=900),
            ended_on=today - datetime.timedelta(days=30),
        )
        EmailFactory(person=person, email=f"p{index}@example.org", label=value[:120], is_primary=True)
        EmailFactory(person=person, email=f"perso{index}@gmail.com", kind=ContactPoint.Kind.PERSONAL)
        PhoneFactory(person=person, phone="+33556113215", kind=ContactPoint.Kind.WORK, is_primary=True)
        PhoneFactory(person=person, phone=f"+3361234567{index % 10}", kind=ContactPoint.Kind.MOBILE, label=value[:60])
        person.tags.add(TagFactory(name=f"Étiquette {index} {value[:40]}"))
        if index % 3 == 0:
            log_interaction(kind="call", logged_by=user, people=[person], occurred_at=timezone.now())
    # A press contact with no position: "Press contact" at the organisation they speak for.
    press = PersonFactory(given_name="Presse", family_name="Seule", do_not_contact=True)
    PressContact.objects.create(person=press, organisation=organisations[0])
    PressContact.objects.create(person=press, organisation=organisations[1], started_on=today)
    # Someone with nothing but a name, and someone whose position starts tomorrow.
    PersonFactory(given_name="", family_name="Rien")
    later = PersonFactory(given_name="Demain", family_name="Commence")
    PositionFactory(person=later, organisation=organisations[2], started_on=today + datetime.timedelta(days=1))
    return people


def test_the_copy_says_cell_for_cell_what_the_python_export_says(hostile_people):
    expected = written_in_python(everyone())
    assert len(expected) == 1 + len(HOSTILE) + 3
    assert copied(everyone()) == expected


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_words_the_export_writes_are_in_the_language_of_the_export(hostile_people, language):
    from django.utils import translation

    with translation.override(language):
        expected = written_in_python(everyone())
        assert copied(everyone()) == expected
    press = next(row for row in expected if row[2] == "Seule")
    assert press[4] == {"fr": "Contact presse", "en": "Press contact"}[language]
    assert press[16] == {"fr": "oui", "en": "yes"}[language]


@pytest.mark.parametrize("ordering", ["organisation", "-name", "-last_contact", "updated"])
def test_the_directory_s_filters_and_orders_keep_their_people_and_order(hostile_people, ordering):
    chosen = PersonExportFilterSet(QueryDict(f"q=e&o={ordering}"), queryset=Person.objects.directory(), request=None).qs
    assert copied(chosen) == written_in_python(chosen)
    assert len(copied(chosen)) > 2 and copied(Person.objects.directory().none()) == [exports.header()]


def test_people_chosen_as_distinct_rows_are_written_in_python(hostile_people):
    people = everyone().filter(positions__title__contains="e").distinct()
    assert not export_lines.copied([people]) and export_lines.copied([everyone()])


def test_the_file_is_streamed_as_the_database_writes_it(hostile_people):
    chunks = list(export_lines.copy_csv_chunks([everyone(), everyone()], exports.header()))
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == exports.header() and len(rows) == 1 + 2 * (len(HOSTILE) + 3)


def cells_of(person) -> dict:
    row = next(row for row in copied(everyone()) if row[0] == Person.objects.get(pk=person.pk).slug)
    return dict(zip(exports.EXPORT_COLUMNS, row, strict=True))


@pytest.fixture
def exported_person(db):
    """Someone exported once, so that their line exists."""
    person = PersonFactory(given_name="Ane", family_name="Etxeberria")
    PositionFactory(person=person, organisation=OrganisationFactory(name="Bihotz", slug="bihotz"), title="Chargée")
    EmailFactory(person=person, email="ane@bihotz.eus")
    cells_of(person)
    assert ExportLine.objects.filter(person=person).exists()
    return person


def test_a_changed_contact_point_is_in_the_next_export(exported_person):
    point = exported_person.contact_points.get()
    point.email = "ane.etxeberria@bihotz.eus"
    point.save()
    assert cells_of(exported_person)["work_emails"] == "ane.etxeberria@bihotz.eus"
    PhoneFactory(person=exported_person, phone="+34943123456", kind=ContactPoint.Kind.MOBILE)
    assert cells_of(exported_person)["mobiles"] == "'+34 943 12 34 56"  # neutralised: a leading +
    point.delete()
    assert cells_of(exported_person)["work_emails"] == ""


def test_a_changed_position_or_press_role_is_in_the_next_export(exported_person):
    position = exported_person.positions.get()
    position.title = "Directrice"
    position.save()
    assert cells_of(exported_person)["title"] == "Directrice"
    Position.objects.filter(pk=position.pk).get().delete()
    PressContact.objects.create(person=exported_person, organisation=Organisation.objects.get(slug="bihotz"))
    cells = cells_of(exported_person)
    assert (cells["organisation"], cells["title"], cells["press_for"]) == ("Bihotz", "Contact presse", "bihotz")


def test_a_renamed_organisation_is_in_the_next_export(exported_person):
    organisation = Organisation.objects.get(slug="bihotz")
    organisation.name = "Bihotz Gaixotasunak"
    organisation.save()
    assert cells_of(exported_person)["organisation"] == "Bihotz Gaixotasunak"


def test_tags_given_taken_away_and_renamed_are_in_the_next_export(exported_person):
    tag = TagFactory(name="Presse")
    exported_person.tags.add(tag)
    assert cells_of(exported_person)["tags"] == "Presse"
    tag.name = "Journalistes"
    tag.save()
    assert cells_of(exported_person)["tags"] == "Journalistes"
    tag.people.remove(exported_person)
    assert cells_of(exported_person)["tags"] == ""
    tag_people(tag=Tag.objects.create(slug="voeux", name="Vœux"), people=Person.objects.filter(pk=exported_person.pk))
    assert cells_of(exported_person)["tags"] == "Vœux"


def test_a_position_that_ends_changes_the_organisation_shown_from_the_next_day(exported_person, monkeypatch):
    today = timezone.localdate()
    exported_person.positions.update(ended_on=today)  # a bulk write: no signal, the line is not forgotten
    line = ExportLine.objects.get(person=exported_person)
    export_lines.forget([exported_person.pk])
    assert cells_of(exported_person)["organisation"] == "Bihotz"
    line = ExportLine.objects.get(person=exported_person)
    assert line.changes_on == today + datetime.timedelta(days=1)

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today + datetime.timedelta(days=1))
    assert (cells_of(exported_person)["organisation"], cells_of(exported_person)["title"]) == ("", "")


def test_an_erased_person_leaves_no_line(exported_person):
    erase_person(person_id=exported_person.pk, user=UserFactory(is_superuser=True))
    assert not ExportLine.objects.filter(person_id=exported_person.pk).exists()
