"""The plans PostgreSQL runs for the directory's searches, read from the server as it runs them (auto_explain).

Issue 21: at half a million people, a rare surname took 0.3–0.7 s because the planner, guessing it common,
walked the name index and tested every row. Whatever the word, the directory now reads its matches through the
trigram index (``core.search.collected_matches``). These tests ask the server which plans it actually executed
for a directory request, the statements run inside ``crm_search_matches`` included, on a table whose statistics
make every word look common — so a change that brings back a plan reading the whole table fails here.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import Person
from core.search import COLLECTED_MATCHES

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")

PEOPLE = 3_000


@pytest.fixture
def crowd(db):
    """Three thousand people who share a family name ("Etxeberria", in every row's text: a common word) and
    one Zubizarreta, the rare word; analysed, so that the planner plans from real statistics."""
    Person.objects.bulk_create(
        Person(
            slug=f"person-{number}",
            given_name=f"Given{number}",
            family_name="Etxeberria",
            search_text=f"given{number} etxeberria mendia{number % 7}",
        )
        for number in range(PEOPLE)
    )
    Person.objects.create(
        slug="ane-zubizarreta", given_name="Ane", family_name="Zubizarreta", search_text="ane zubizarreta"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE contacts_person")


def executed_plans(client, url: str) -> list[str]:
    """The plan of every statement the server ran while answering ``url``, nested ones included."""
    notices: list[str] = []
    raw = connection.connection
    handler = notices.append
    raw.add_notice_handler(lambda diagnostic: handler(diagnostic.message_primary or ""))
    with connection.cursor() as cursor:
        cursor.execute("LOAD 'auto_explain'")
        cursor.execute("SET auto_explain.log_min_duration = 0")
        cursor.execute("SET auto_explain.log_nested_statements = on")
        cursor.execute("SET client_min_messages = log")
    try:
        response = client.get(url)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET client_min_messages")
            cursor.execute("RESET auto_explain.log_min_duration")
            cursor.execute("RESET auto_explain.log_nested_statements")
        raw.remove_notice_handler(raw._notice_handlers[-1])
    assert response.status_code == 200
    return [notice for notice in notices if notice.startswith("duration:")]


def test_a_rare_word_is_read_through_the_trigram_index_not_along_the_whole_table(crowd, admin_client):
    plans = executed_plans(admin_client, "/contacts/?q=zubizarreta")
    searched = [plan for plan in plans if "search_text" in plan and "zubizarreta" in plan]
    assert searched, "\n\n".join(plans)
    for plan in searched:
        assert "Bitmap Index Scan on person_search_trgm" in plan, plan
    for plan in plans:
        assert not re.search(r"Seq Scan on contacts_person\b", plan), plan
        assert "Index Scan using person_name_idx" not in plan, plan


def test_the_rare_word_finds_its_person(crowd, admin_client):
    response = admin_client.get("/contacts/?q=zubizarreta")
    assert "Ane Zubizarreta" in response.content.decode()


def test_a_word_with_more_matches_than_are_collected_walks_the_name_order_and_still_finds_them(
    crowd, admin_client, monkeypatch
):
    """Past ``COLLECTED_MATCHES`` matches, the search is left to the walk in name order, which a common word
    stops early; the page is the one it would be."""
    monkeypatch.setattr("core.search.COLLECTED_MATCHES", 100)
    plans = executed_plans(admin_client, "/contacts/?q=etxeberria")
    walked = [plan for plan in plans if "etxeberria" in plan and "crm_search_matches" not in plan]
    assert any("= ANY" not in plan and "search_text ~~" in plan for plan in walked), "\n\n".join(plans)
    response = admin_client.get("/contacts/?q=etxeberria")
    assert "Given0 Etxeberria" in response.content.decode()


def test_the_collection_answers_none_past_its_limit_and_every_key_under_it(crowd):
    from core.search import collected_matches

    everyone = Person.objects.all()
    assert collected_matches(everyone, ["etxeberria"], limit=PEOPLE) is not None
    assert collected_matches(everyone, ["etxeberria"], limit=PEOPLE - 1) is None
    assert len(collected_matches(everyone, ["etxeberria", "mendia3"])) == len(range(3, PEOPLE, 7))
    assert collected_matches(everyone, ["zubizarreta"]) == [Person.objects.get(slug="ane-zubizarreta").pk]
    assert COLLECTED_MATCHES >= 1_000  # past the directory's count, the walk


def test_a_phone_number_is_collected_through_the_index_too(crowd, admin_client):
    Person.objects.filter(slug="ane-zubizarreta").update(search_text="ane zubizarreta 0556113215 33556113215")
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get("/contacts/?q=05+56+11+32+15")
    assert "Ane Zubizarreta" in response.content.decode()
    assert any("crm_search_matches" in query["sql"] for query in queries.captured_queries)
