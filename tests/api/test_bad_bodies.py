"""Bodies and cursors no client should send answer 4xx, never 500."""

import base64

import pytest
from rest_framework.test import APIClient

from tests.factories import PersonFactory


@pytest.fixture
def admin_api(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


def test_json_nested_a_thousand_deep_answers_400(admin_api):
    """Measured before: a PATCH whose JSON nests 1 000 deep answered 500 (RecursionError)."""
    person = PersonFactory()
    body = '{"notes": ' + "[" * 1000 + "]" * 1000 + "}"
    response = admin_api.generic("PATCH", f"/api/people/{person.slug}/", body, content_type="application/json")
    assert response.status_code == 400
    assert "32" in response.json()["detail"]


def test_brackets_inside_strings_do_not_count_as_nesting(admin_api):
    person = PersonFactory()
    body = '{"notes": "' + "[{" * 100 + '"}'
    response = admin_api.generic("PATCH", f"/api/people/{person.slug}/", body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["notes"] == "[{" * 100


def test_a_body_larger_than_the_limit_is_refused(admin_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    person = PersonFactory()
    body = '{"notes": "' + "x" * 2000 + '"}'
    response = admin_api.generic("PATCH", f"/api/people/{person.slug}/", body, content_type="application/json")
    assert response.status_code in (400, 413)  # Django's own refusal (RequestDataTooBig) or the parser's
    person.refresh_from_db()
    assert person.notes == ""


@pytest.mark.parametrize(
    "position",
    [
        "p=%00",  # a NUL, which PostgreSQL refuses to compare (measured before: 500)
        "p=%00abc&r=1",
    ],
)
def test_a_forged_cursor_answers_404(admin_api, position):
    PersonFactory()
    cursor = base64.b64encode(position.encode()).decode()
    response = admin_api.get("/api/people/", {"cursor": cursor})
    assert response.status_code == 404


def test_a_cursor_whose_position_is_not_a_date_answers_404_when_sorting_by_date(admin_api):
    PersonFactory()
    cursor = base64.b64encode(b"p=pas-une-date").decode()
    response = admin_api.get("/api/people/", {"cursor": cursor, "o": "-updated"})
    assert response.status_code == 404


def test_a_real_cursor_still_pages(admin_api):
    for _ in range(3):
        PersonFactory()
    first = admin_api.get("/api/people/", {"page_size": 2, "o": "updated"}).json()
    second = admin_api.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1


@pytest.mark.parametrize("country", ["²", "١٢", {"code": "²"}])
def test_a_country_written_with_other_digits_answers_400(admin_api, country):
    """Found by hypothesis: django-countries read "²" as a numeric code and failed on int("²") (500)."""
    response = admin_api.post("/api/organisations/", {"slug": "x", "name": "X", "country": country}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["country"]


def test_a_country_named_with_accents_is_still_understood(admin_api):
    response = admin_api.post("/api/organisations/", {"slug": "x", "name": "X", "country": "Égypte"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["country"] == "EG"
