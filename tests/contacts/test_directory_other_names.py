"""The directory finds people through every name of their organisations: name, acronym and other names (a former
name, the way documents write it), kept current when those names change."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clusters.models import OrganisationName
from contacts.imports import import_people
from contacts.models import Person
from contacts.search import person_search_text
from core.search import filter_words
from tests.contacts.test_directory import search
from tests.factories import (
    AgreementPartyFactory,
    OrganisationFactory,
    OrganisationNameFactory,
    PersonFactory,
    PositionFactory,
    PressContactFactory,
)


def test_the_seed_people_are_found_by_their_organisations_other_names(seed, viewer_client):
    polepharma = search(viewer_client, q="Polepharma-GIPSO")
    assert "Fabien Riolet" in polepharma
    assert "Capucine Sarrade-Loucheur" in polepharma
    biocluster = search(viewer_client, q="Basque Biocluster")
    assert sorted(biocluster) == ["Maria Pascual de Zulueta", "Mikel Alvarez Yeregui"]
    assert all(name in search(viewer_client, q="Basque Health Cluster") for name in biocluster)


def test_an_other_name_added_changed_or_deleted_changes_who_is_found_by_it(db, viewer_client):
    organisation = OrganisationFactory(name="Aerospace Valley", slug="aerospace-valley")
    PositionFactory(person=PersonFactory(given_name="Irati", family_name="Goñi"), organisation=organisation)
    PressContactFactory(person=PersonFactory(given_name="Jon", family_name="Arrieta"), organisation=organisation)
    assert search(viewer_client, q="Pôle Aéronautique") == []

    other_name = OrganisationNameFactory(organisation=organisation, name="Pôle Aéronautique")
    assert search(viewer_client, q="pole aeronautique") == ["Jon Arrieta", "Irati Goñi"]

    other_name.name = "Pégase"
    other_name.save()
    assert search(viewer_client, q="pole aeronautique") == []
    assert search(viewer_client, q="pegase") == ["Jon Arrieta", "Irati Goñi"]

    other_name.delete()
    assert search(viewer_client, q="pegase") == []
    assert search(viewer_client, q="aerospace") == ["Jon Arrieta", "Irati Goñi"]


def test_people_are_found_by_the_name_an_agreement_writes_their_organisation_by(db, viewer_client):
    organisation = OrganisationFactory(name="Polepharma", slug="polepharma")
    PositionFactory(person=PersonFactory(given_name="Fabien", family_name="Riolet"), organisation=organisation)
    party = AgreementPartyFactory(organisation=organisation, name_as_written="Pôle Pharma Centre-Val de Loire")
    assert search(viewer_client, q="pole pharma centre val de loire") == ["Fabien Riolet"]

    party.name_as_written = ""
    party.save()
    assert search(viewer_client, q="loire") == []
    party.name_as_written = "Cluster Pharma Loire"
    party.save()
    assert search(viewer_client, q="loire") == ["Fabien Riolet"]
    party.delete()
    assert search(viewer_client, q="loire") == []


@pytest.mark.parametrize("people", [3, 30])
def test_a_new_name_refreshes_the_people_in_a_bounded_number_of_queries(db, django_assert_num_queries, people):
    organisation = OrganisationFactory()
    for _index in range(people):
        PositionFactory(organisation=organisation)
    # The insert and its history; the organisation's own search text (read, names, write); its people (positions,
    # press roles); their text, read in one batch (people, positions, press roles, the organisations' other names
    # and agreement parties, contact points) and written in one executemany; on PostgreSQL, their export lines
    # deleted in one statement (contacts.export_lines).
    with django_assert_num_queries(15 if connection.vendor == "postgresql" else 14):
        OrganisationName.objects.create(organisation=organisation, name="Zarautz Biotech")
    assert Person.objects.search("zarautz").count() == people


def test_the_migration_rebuilds_the_text_of_the_people_of_organisations_with_other_names(db):
    organisation = OrganisationFactory(name="Basque Health Cluster", acronym="BHC")
    OrganisationNameFactory(organisation=organisation, name="Basque Biocluster")
    person = PersonFactory(given_name="María", family_name="Pascual")
    PositionFactory(person=person, organisation=organisation, title="Directrice")
    AgreementPartyFactory(organisation=organisation, name_as_written="Cluster de la Santé d'Euskadi")
    expected = person_search_text(Person.objects.get(pk=person.pk))
    assert {"biocluster", "euskadi"} <= set(expected.split())
    Person.objects.filter(pk=person.pk).update(search_text="maria pascual")  # as before the migration

    migration = importlib.import_module("contacts.migrations.0013_search_text_other_names")
    # The function reads only the editor's connection (SQLite refuses a schema editor inside a test's transaction).
    migration.add_other_names(apps, SimpleNamespace(connection=connection))

    assert Person.objects.get(pk=person.pk).search_text == expected


def test_the_directory_search_reads_no_other_names_table(db):
    """The other names are words of the person's own indexed ``search_text``: the search joins nothing, so a
    rare word keeps the plan through the trigram index (the performance issue's gate)."""
    organisation = OrganisationFactory(name="Basque Health Cluster")
    OrganisationNameFactory(organisation=organisation, name="Basque Biocluster")
    PositionFactory(organisation=organisation, person=PersonFactory(family_name="Zulueta"))
    with CaptureQueriesContext(connection) as queries:
        assert [person.family_name for person in Person.objects.search("biocluster")] == ["Zulueta"]
    assert not any("organisation" in query["sql"].lower() for query in queries.captured_queries)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index exists on PostgreSQL only")
def test_a_rare_word_of_an_other_name_is_looked_up_in_the_trigram_index(db):
    """Priced as in tests/contacts/test_search_index.py: with the plans that read the whole table priced out, the
    words of the people's text, other names included, are found through the index."""
    organisation = OrganisationFactory(name="Basque Health Cluster")
    OrganisationNameFactory(organisation=organisation, name="Basque Biocluster")
    PositionFactory(organisation=organisation)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE contacts_person")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = filter_words(Person.objects.only("pk"), "biocluster").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "person_search_trgm" in plan, plan


def test_an_imported_person_is_found_by_the_other_names_of_their_organisation(db):
    organisation = OrganisationFactory(name="Basque Health Cluster", acronym="BHC", slug="basque-health-cluster")
    OrganisationNameFactory(organisation=organisation, name="Basque Biocluster")
    data = "Prénom;Nom;Organisation;Fonction\r\nHélène;Etxeberria;BHC;Directrice\r\n".encode()
    result = import_people(data, file_name="contacts.csv", dry_run=False, skip_invalid_rows=False)
    assert result.counts["new"] == 1
    assert [person.family_name for person in Person.objects.search("biocluster")] == ["Etxeberria"]
