"""The search text behind the directory, and its index on PostgreSQL."""

import pytest
from django.core.management import call_command
from django.db import connection

from contacts.models import Person
from contacts.search import search_people
from tests.factories import EmailFactory, OrganisationFactory, PersonFactory, PhoneFactory, PositionFactory


def test_search_text_holds_names_titles_organisations_emails_and_phone_digits(db):
    person = PersonFactory(given_name="Hélène", family_name="D'Ormesson-Lefèvre")
    PositionFactory(person=person, organisation=OrganisationFactory(name="Pôle Santé", acronym="PS"), title="Déléguée")
    EmailFactory(person=person, email="h.dormesson@pole.fr")
    PhoneFactory(person=person, phone="+33145038838")
    person.refresh_from_db()
    words = person.search_text.split()
    for word in ("helene", "d", "ormesson", "lefevre", "deleguee", "pole", "sante", "ps", "h", "fr"):
        assert word in words
    assert "0145038838" in words and "33145038838" in words


def test_rebuild_command_restores_text_written_around_the_signals(db):
    person = PersonFactory(family_name="Ibarra")
    Person.objects.filter(pk=person.pk).update(search_text="")
    call_command("rebuild_search_text", verbosity=0)
    assert search_people(Person.objects.all(), "ibarra").get() == person


def test_a_huge_query_finds_no_one_rather_than_failing(db):
    PersonFactory(family_name="Ibarra")
    assert list(search_people(Person.objects.all(), "ibarra " + "x " * 500)) == []
    assert search_people(Person.objects.all(), "   ").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index exists on PostgreSQL only")
def test_postgresql_plans_the_search_on_the_trigram_index(db):
    people = [
        Person(
            slug=f"p-{index}", given_name="Jean", family_name=f"Name{index}", search_text=f"jean name{index} x{index}"
        )
        for index in range(20000)
    ]
    Person.objects.bulk_create(people, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE contacts_person")
        sql, params = Person.objects.search("name12345").only("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "person_search_trgm" in plan, plan
