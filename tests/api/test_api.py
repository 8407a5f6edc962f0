"""The REST API at /api/: same rules as the pages."""

import re

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from contacts.models import ContactPoint, ExportLog, Person, Position
from tests.factories import EmailFactory, OrganisationFactory, PersonFactory, PhoneFactory, PositionFactory

LIST_ENDPOINTS = [
    "organisations",
    "memberships",
    "relations",
    "sites",
    "key-figures",
    "people",
    "positions",
    "contact-points",
    "press-contacts",
    "contact-lists",
    "agreements",
    "agreement-parties",
    "signatories",
    "press-releases",
]


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def viewer_api(api, viewer):
    api.force_authenticate(viewer)
    return api


@pytest.fixture
def admin_api(api, admin_user):
    api.force_authenticate(admin_user)
    return api


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
def test_anonymous_requests_get_no_data(api, seed, endpoint):
    response = api.get(f"/api/{endpoint}/")
    assert response.status_code in (401, 403)
    assert "results" not in response.json()


@pytest.mark.parametrize("endpoint", [endpoint for endpoint in LIST_ENDPOINTS if endpoint != "contact-points"])
def test_viewers_read_every_resource_of_the_seed(viewer_api, seed, endpoint):
    response = viewer_api.get(f"/api/{endpoint}/")
    assert response.status_code == 200
    assert "results" in response.json()


def test_users_without_view_permission_get_403(api, django_user_model, seed):
    api.force_authenticate(django_user_model.objects.create_user("none"))
    assert api.get("/api/people/").status_code == 403


def test_viewers_cannot_write(viewer_api, seed):
    response = viewer_api.post("/api/organisations/", {"slug": "x", "name": "X"}, format="json")
    assert response.status_code == 403
    assert viewer_api.delete("/api/people/fabien-riolet/").status_code == 403
    assert Person.objects.filter(slug="fabien-riolet").exists()


def test_token_authentication(api, viewer, seed):
    _token, key = AuthToken.objects.create(user=viewer)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/organisations/polepharma/").json()["name"] == "Polepharma"


def test_person_comes_with_current_positions_and_contact_points(viewer_api, seed):
    body = viewer_api.get("/api/people/philippe-ivanes/").json()
    assert body["family_name"] == "Ivanès"
    assert {position["organisation"] for position in body["current_positions"]} == {"polepharma", "sanofi"}
    pangaud = viewer_api.get("/api/people/emmanuelle-pangaud/").json()
    assert {point["phone"] or point["email"] for point in pangaud["contact_points"]} == {
        "+33556113215",
        "e.pangaud@gipso.org",
    }


@pytest.mark.parametrize("query", ["ivanes", "0556113215", "+33 5 56 11 32 15"])
def test_q_means_what_it_means_on_the_pages(viewer_api, seed, query):
    results = viewer_api.get("/api/people/", {"q": query}).json()["results"]
    assert len(results) == 1


def test_people_use_cursor_pagination_with_a_bounded_page_size(viewer_api, db):
    for index in range(5):
        PersonFactory(family_name=f"Arrieta{index}")
    first = viewer_api.get("/api/people/", {"page_size": 2}).json()
    assert len(first["results"]) == 2 and "cursor=" in first["next"]
    second = viewer_api.get(first["next"]).json()
    assert second["results"][0]["family_name"] == "Arrieta2"
    assert len(viewer_api.get("/api/people/", {"page_size": 100000}).json()["results"]) == 5


@pytest.mark.parametrize("rows", [10, 100])
def test_people_list_query_count_does_not_grow(viewer_api, db, django_assert_num_queries, rows):
    for _index in range(rows):
        person = PersonFactory()
        PositionFactory(person=person)
        EmailFactory(person=person)
    # user and group permissions; people; positions; contact points; press roles; tags.
    with django_assert_num_queries(7):
        assert viewer_api.get("/api/people/").status_code == 200


def test_admin_creates_a_person_and_a_phone_in_any_format(admin_api, db):
    response = admin_api.post(
        "/api/people/", {"slug": "ane-etxeberria", "given_name": "Ane", "family_name": "Etxeberria"}, format="json"
    )
    assert response.status_code == 201, response.json()
    response = admin_api.post(
        "/api/contact-points/",
        {"person": "ane-etxeberria", "medium": "phone", "kind": "mobile", "phone": "06 60 46 23 08"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert str(ContactPoint.objects.get().phone) == "+33660462308"


def test_bad_values_answer_400_naming_each_field_and_write_nothing(admin_api, db):
    PersonFactory(slug="ane")
    cases = [
        ("/api/contact-points/", {"person": "ane", "medium": "email", "email": "not-an-email"}, "email"),
        ("/api/contact-points/", {"person": "ane", "medium": "phone", "phone": "12"}, "phone"),
        ("/api/positions/", {"person": "ane", "organisation": "nowhere", "title": "Directrice"}, "organisation"),
    ]
    for url, payload, field in cases:
        response = admin_api.post(url, payload, format="json")
        assert response.status_code == 400, response.json()
        assert field in response.json()
    OrganisationFactory(slug="pole")
    response = admin_api.post(
        "/api/positions/",
        {
            "person": "ane",
            "organisation": "pole",
            "title": "Directrice",
            "started_on": "2024-01-01",
            "ended_on": "2023-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"ended_on": ["Un poste ne peut pas se terminer avant d'avoir commencé."]}
    assert not Position.objects.exists() and not ContactPoint.objects.exists()


def test_a_duplicate_email_is_refused_by_the_models_rules(admin_api, db):
    email = EmailFactory(email="ane@example.eus")
    response = admin_api.post(
        "/api/contact-points/",
        {"person": email.person.slug, "medium": "email", "email": "ANE@example.eus"},
        format="json",
    )
    assert response.status_code == 400
    assert ContactPoint.objects.count() == 1


@pytest.mark.parametrize(
    "body", ["{", "[]", '{"slug": null}', '{"name": "' + "x" * 100000 + '"}', '{"kind": {"a": 1}}']
)
def test_malformed_bodies_never_answer_500(admin_api, db, body):
    response = admin_api.generic("POST", "/api/organisations/", body, content_type="application/json")
    assert response.status_code == 400


def test_export_through_the_api_needs_the_export_permission(api, viewer, exporter, seed):
    api.force_authenticate(viewer)
    assert api.get("/api/people/export/", {"format": "csv"}).status_code == 403
    api.force_authenticate(exporter)
    response = api.get("/api/people/export/", {"format": "csv", "q": "leem"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Pautre" in text
    assert re.fullmatch(
        r'attachment; filename="contacts-leem-\d{4}-\d{2}-\d{2}-\d{4}\.csv"', response["Content-Disposition"]
    )
    assert ExportLog.objects.get().origin == "api"
    assert api.get("/api/people/export/", {"format": "pdf"}).status_code == 400


def test_schema_and_docs_are_served_with_local_assets(viewer_api, db):
    schema = viewer_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/people/" in schema.content.decode()
    docs = viewer_api.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs
    assert "cdn" not in docs.lower()


def test_phone_factory_numbers_are_searchable(viewer_api, db):
    PhoneFactory(phone="+33145038838")
    assert len(viewer_api.get("/api/people/", {"q": "01 45 03 88 38"}).json()["results"]) == 1


def test_deleting_a_person_who_signed_an_agreement_answers_409_and_keeps_them(admin_api, seed):
    response = admin_api.delete("/api/people/fabien-riolet/")
    assert response.status_code == 409
    assert "signatair" in response.json()["detail"]
    assert Person.objects.filter(slug="fabien-riolet").exists()


def test_a_created_person_comes_back_with_empty_positions(admin_api, db):
    body = admin_api.post("/api/people/", {"slug": "ane", "family_name": "Etxeberria"}, format="json").json()
    assert body["current_positions"] == [] and body["contact_points"] == []


def test_the_schema_documents_error_answers(viewer_api, db):
    schema = viewer_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    delete = schema["paths"]["/api/people/{slug}/"]["delete"]["responses"]
    assert {"204", "401", "403", "404", "409"} <= set(delete)


@pytest.mark.parametrize(
    "path", ["/api/positions/not-a-number/", "/api/nothing-here/", "/api/people/%C3%A9%F0%9F%99%82/"]
)
def test_unknown_api_addresses_answer_json_404(admin_api, db, settings, path):
    settings.DEBUG = False
    response = admin_api.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_nul_in_an_api_query_answers_json_400(admin_api, db):
    response = admin_api.get("/api/people/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_people_are_sorted_by_name_or_last_change_page_after_page(viewer_api, db):
    for name in ["Arrieta", "Bidart", "Camou", "Duboscq"]:
        PersonFactory(family_name=name)
    Person.objects.filter(family_name="Bidart").update(updated_at="2020-01-01T00:00:00Z")

    def names(page):
        return [row["family_name"] for row in page["results"]]

    first = viewer_api.get("/api/people/", {"o": "-name", "page_size": 3}).json()
    assert names(first) == ["Duboscq", "Camou", "Bidart"]
    assert names(viewer_api.get(first["next"]).json()) == ["Arrieta"]
    assert names(viewer_api.get("/api/people/", {"o": "updated"}).json())[0] == "Bidart"
    refused = viewer_api.get("/api/people/", {"o": "organisation"})
    assert refused.status_code == 400 and list(refused.json()) == ["o"]


@pytest.mark.parametrize(
    "url, payload, field",
    [
        ("/api/positions/", {"person": "ane\x00", "organisation": "x", "title": "Directrice"}, "person"),
        ("/api/memberships/", {"cluster": "\x00", "member": "\x00k"}, "cluster"),
        ("/api/people/", {"family_name": "Etxeberria", "tags": ["\x00"]}, "tags"),
    ],
)
def test_a_nul_in_a_related_slug_answers_400_on_every_database(admin_api, db, url, payload, field):
    response = admin_api.post(url, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_a_change_undone_by_a_concurrent_one_answers_409_not_500():
    from django.db import OperationalError

    from core.api_errors import exception_handler

    class DriverError(Exception):
        def __init__(self, sqlstate):
            super().__init__(sqlstate)
            self.sqlstate = sqlstate

    error = OperationalError("deadlock detected")
    error.__cause__ = DriverError("40P01")
    response = exception_handler(error, {})
    assert response.status_code == 409 and "au même moment" in str(response.data["detail"])
    other = OperationalError("server closed the connection")
    other.__cause__ = DriverError("08006")
    assert exception_handler(other, {}) is None  # anything else stays a server error
