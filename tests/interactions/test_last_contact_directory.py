"""“Dernier contact” in the directory: a column, a sort (never contacted last), a filter “not contacted for”,
the exports' column that an import of them leaves alone, and contact lists built from such a search."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts import exports, imports
from contacts.filters import months_before
from contacts.models import ContactList, Person
from core.tables import TableLimits
from interactions.last_contacts import rebuild_last_contacts
from interactions.models import Interaction, InteractionPerson
from tests.factories import EmailFactory, PersonFactory, PositionFactory

URL = "/en/contacts/"


def contacted(person, days_ago: int) -> None:
    """An interaction with ``person`` ``days_ago`` days ago, written as a bulk write would be, then the last
    contacts rebuilt (the signals' work is tested with the models)."""
    interaction = Interaction.objects.create(
        kind="call", occurred_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    InteractionPerson.objects.create(interaction=interaction, person=person)


@pytest.fixture
def people(db):
    """Four people: contacted a week ago, eight months ago, three years ago, and never."""
    week = PersonFactory(given_name="Agnès", family_name="Semaine")
    months = PersonFactory(given_name="Bruno", family_name="Huitmois")
    years = PersonFactory(given_name="Chloé", family_name="Troisans")
    never = PersonFactory(given_name="Denis", family_name="Jamais")
    contacted(week, 7)
    contacted(months, 240)
    contacted(years, 3 * 365)
    rebuild_last_contacts()
    return {"week": week, "months": months, "years": years, "never": never}


def names(response) -> list[str]:
    """The people listed, in order."""
    html = response.content.decode()
    return re.findall(r'<td>\s*<a href="/en/contacts/[\w-]+/">([^<]+)</a>', html)


def test_the_directory_shows_the_last_contact_or_never(viewer_client, people):
    html = viewer_client.get(URL).content.decode()
    assert ">Last contact<" in html
    row = html[html.index("Agnès Semaine") :]
    expected = timezone.localdate(timezone.now() - datetime.timedelta(days=7))
    assert f'datetime="{expected.isoformat()}"' in row[: row.index("</tr>")]
    never = html[html.index("Denis Jamais") :]
    assert "never" in never[: never.index("</tr>")]


def test_sorting_by_last_contact_puts_people_never_contacted_last_both_ways(viewer_client, people):
    assert names(viewer_client.get(URL, {"o": "last_contact"})) == [
        "Chloé Troisans",
        "Bruno Huitmois",
        "Agnès Semaine",
        "Denis Jamais",
    ]
    assert names(viewer_client.get(URL, {"o": "-last_contact"})) == [
        "Agnès Semaine",
        "Bruno Huitmois",
        "Chloé Troisans",
        "Denis Jamais",
    ]


@pytest.mark.parametrize(
    ("months", "expected"),
    [
        ("3", {"Bruno Huitmois", "Chloé Troisans", "Denis Jamais"}),
        ("6", {"Bruno Huitmois", "Chloé Troisans", "Denis Jamais"}),
        ("12", {"Chloé Troisans", "Denis Jamais"}),
        ("24", {"Chloé Troisans", "Denis Jamais"}),
    ],
)
def test_not_contacted_for_includes_people_never_contacted(viewer_client, people, months, expected):
    assert set(names(viewer_client.get(URL, {"not_contacted_since": months}))) == expected


def test_the_filter_is_offered_with_its_choices(viewer_client, people):
    html = viewer_client.get(URL).content.decode()
    assert 'name="not_contacted_since"' in html
    for label in ("3 months", "6 months", "1 year", "2 years"):
        assert label in html


@pytest.mark.parametrize("value", ["5", "abc", "-1", "99999999999"])
def test_an_unknown_choice_is_no_error_page(viewer_client, people, value):
    assert viewer_client.get(URL, {"not_contacted_since": value, "o": "last_contact"}).status_code == 200


def test_a_month_earlier_keeps_the_day_or_the_months_last(db):
    assert months_before(datetime.date(2026, 5, 31), 3) == datetime.date(2026, 2, 28)
    assert months_before(datetime.date(2026, 1, 15), 24) == datetime.date(2024, 1, 15)
    assert months_before(datetime.date(2026, 3, 31), 1) == datetime.date(2026, 2, 28)


def test_the_filter_and_the_sort_combine_with_a_search(viewer_client, people):
    PositionFactory(person=people["never"], title="Chargé d'affaires")
    PositionFactory(person=people["week"], title="Chargée d'affaires")
    assert names(viewer_client.get(URL, {"q": "affaires", "not_contacted_since": "3", "o": "-last_contact"})) == [
        "Denis Jamais"
    ]


@pytest.mark.parametrize("rows", [10, 100])
def test_the_directory_reads_the_last_contacts_in_no_extra_query(db, viewer_client, django_assert_num_queries, rows):
    for index in range(rows):
        person = PersonFactory()
        PositionFactory(person=person, title="Chargée d'affaires")
        EmailFactory(person=person)
        if index % 2:
            contacted(person, index)
    rebuild_last_contacts()
    # As tests/contacts/test_directory.py pins it: the last contacts come with the people, in the same query.
    with django_assert_num_queries(16 if connection.vendor == "postgresql" else 15):
        response = viewer_client.get(URL, {"q": "affaires", "o": "-last_contact", "not_contacted_since": "3"})
    not_contacted = sum(1 for index in range(rows) if index % 2 == 0 or index > 92)
    assert len(names(response)) == min(not_contacted, 25)


def test_sorting_by_last_contact_pages_across_the_people_never_contacted(viewer_client, people):
    """The page where the contacted end and the never-contacted begin holds both, in order, and every person
    comes once over the pages."""
    more = [PersonFactory(given_name="Eve", family_name=f"Zed{index:02d}") for index in range(30)]
    for index, person in enumerate(more[:20]):
        contacted(person, 400 + index)
    rebuild_last_contacts()
    first, second = (names(viewer_client.get(URL, {"o": "-last_contact", "page": page})) for page in (1, 2))
    zed = [f"Eve Zed{index:02d}" for index in range(30)]
    assert first == ["Agnès Semaine", "Bruno Huitmois", *zed[:20], "Chloé Troisans", "Denis Jamais", zed[20]]
    assert second == zed[21:]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of PostgreSQL's query")
def test_sorting_by_last_contact_follows_its_index_and_stops_early(db, viewer_client):
    """Measured before: one query over the outer join, ``ORDER BY … NULLS LAST``, which no index serves: every
    person read and sorted (385 ms at a million people). Now the contacted are read along the last contacts'
    index (backwards for the latest first), the never-contacted by an anti-join, each part stopping at its limit."""
    Person.objects.bulk_create(
        Person(slug=f"p-{index}", given_name="Jeanne", family_name=f"Nom{index:05d}", search_text=f"nom{index}")
        for index in range(3000)
    )
    interactions = Interaction.objects.bulk_create(
        Interaction(kind="call", occurred_at=timezone.now() - datetime.timedelta(hours=index)) for index in range(2000)
    )
    keys = list(Person.objects.order_by("pk").values_list("pk", flat=True)[:2000])
    InteractionPerson.objects.bulk_create(
        InteractionPerson(interaction=interaction, person_id=key)
        for interaction, key in zip(interactions, keys, strict=True)
    )
    rebuild_last_contacts()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with CaptureQueriesContext(connection) as queries:
        assert viewer_client.get(URL, {"o": "-last_contact"}).status_code == 200
    (sql,) = [query["sql"] for query in queries.captured_queries if "having_it" in query["sql"]]
    with transaction.atomic(), connection.cursor() as cursor:
        # A table this small is cheaper read whole and sorted: priced out, the plan a large one takes shows.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Scan Backward using person_last_contact_idx" in plan, plan
    assert "Anti Join" in plan, plan


# --- exports and lists ------------------------------------------------------------------------------------------


def exported(client, **params) -> list[dict]:
    response = client.get("/en/contacts/export/", {"format": "csv", **params})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_the_export_has_a_last_contact_column(exporter_client, people):
    rows = {row["Given name"]: row["Last contact"] for row in exported(exporter_client, o="name")}
    expected = timezone.localdate(timezone.now() - datetime.timedelta(days=7)).isoformat()
    assert rows["Agnès"] == expected and rows["Denis"] == ""


def test_the_export_of_a_search_not_contacted_for_a_year(exporter_client, people):
    assert {row["Given name"] for row in exported(exporter_client, not_contacted_since="12")} == {"Chloé", "Denis"}


def test_an_export_imported_back_leaves_the_last_contact_alone(people):
    data = b"".join(exports.csv_chunks(exports.rows(Person.objects.order_by("pk"))))
    for language_data in (data,):
        result = imports.import_people(language_data, dry_run=False, limits=TableLimits.for_batch(), file_name="e.csv")
        assert not result.rejected and result.unused_columns == []
        assert result.counts["unchanged"] == 4


def test_a_contact_list_built_from_the_search_holds_the_people_not_contacted(client, user_with, people):
    client.force_login(user_with("add_contactlist"))
    page = client.get("/contacts/lists/new/", {"not_contacted_since": "12"})
    assert page.status_code == 200

    client.post("/contacts/lists/new/", {"name": "À relancer", "query": "not_contacted_since=12"})

    contact_list = ContactList.objects.get(name="À relancer")
    assert set(contact_list.people.values_list("given_name", flat=True)) == {"Chloé", "Denis"}


def test_the_api_filters_people_not_contacted(client, viewer, people):
    client.force_login(viewer)
    response = client.get("/api/people/", {"not_contacted_since": "12"}, headers={"Accept": "application/json"})
    assert response.status_code == 200
    body = response.json()
    results = body["results"] if isinstance(body, dict) else body
    assert {row["given_name"] for row in results} == {"Chloé", "Denis"}
