"""Contact details in bulk have one gate in the API: lists carry emails and phones only for users who may export
contacts, never for people who asked not to be contacted, and are logged; one person's record carries them, those
of a person who asked not to be contacted only for users who may change people."""

import pytest
from rest_framework.test import APIClient

from contacts.models import ExportLog, Person


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def bou_asked_not_to_be_contacted(seed):
    Person.objects.filter(slug="stephanie-bou").update(do_not_contact=True)


def emails_in(rows) -> list[str]:
    return [point["email"] for row in rows for point in (row["contact_points"] or []) if point["email"]]


def test_a_reader_pages_through_people_without_their_details(viewer, bou_asked_not_to_be_contacted):
    """Measured before: a Lecteur paging through /api/people/?page_size=200&include_do_not_contact=true got everyone's
    emails and phones, do-not-contact people's included, logged nowhere."""
    rows = (
        client_for(viewer).get("/api/people/", {"page_size": 200, "include_do_not_contact": "true"}).json()["results"]
    )
    assert len(rows) == 12
    assert {row["contact_points"] for row in rows} == {None}
    assert rows[0]["current_positions"] is not None  # names, organisations and titles stay
    assert not ExportLog.objects.exists()


def test_an_exporter_gets_the_details_of_those_who_may_be_contacted_and_the_page_is_logged(
    exporter, bou_asked_not_to_be_contacted
):
    response = client_for(exporter).get("/api/people/", {"page_size": 200, "include_do_not_contact": "true"})
    rows = response.json()["results"]
    by_slug = {row["slug"]: row for row in rows}
    assert by_slug["stephanie-bou"]["contact_points"] is None
    assert "e.pangaud@gipso.org" in emails_in(rows) and "sbou@leem.org" not in emails_in(rows)
    log = ExportLog.objects.get()
    assert (log.username, log.export_format, log.origin, log.row_count) == ("exporter", "json", "api", 11)
    assert log.filters == {"page_size": "200", "include_do_not_contact": "true"}


def test_one_persons_record_shows_their_details_to_a_reader(viewer, seed):
    record = client_for(viewer).get("/api/people/emmanuelle-pangaud/").json()
    assert emails_in([record]) == ["e.pangaud@gipso.org"]


def test_a_person_who_asked_not_to_be_contacted_is_reachable_by_slug_without_a_parameter(
    viewer, user_with, bou_asked_not_to_be_contacted
):
    """Measured before: such a person answered 404 on detail, PATCH and DELETE without ?include_do_not_contact=true."""
    editor = client_for(user_with("change_person"))
    record = editor.get("/api/people/stephanie-bou/")
    assert record.status_code == 200 and emails_in([record.json()]) == ["sbou@leem.org"]
    changed = editor.patch("/api/people/stephanie-bou/", {"notes": "Rappeler en juin"}, format="json")
    assert changed.status_code == 200
    seen_by_reader = client_for(viewer).get("/api/people/stephanie-bou/")
    assert seen_by_reader.status_code == 200 and seen_by_reader.json()["contact_points"] is None


def test_listing_contact_points_is_an_export(viewer, exporter, bou_asked_not_to_be_contacted):
    assert client_for(viewer).get("/api/contact-points/").status_code == 403
    response = client_for(exporter).get("/api/contact-points/", {"page_size": 200})
    values = [row["email"] or row["phone"] for row in response.json()["results"]]
    assert "e.pangaud@gipso.org" in values and "sbou@leem.org" not in values and "+33145038838" not in values
    assert ExportLog.objects.get().origin == "api"


def test_one_contact_point_of_a_person_who_asked_not_to_be_contacted_only_for_those_who_may_change_people(
    viewer, user_with, bou_asked_not_to_be_contacted
):
    point = Person.objects.get(slug="stephanie-bou").contact_points.filter(medium="email").get()
    assert client_for(viewer).get(f"/api/contact-points/{point.pk}/").status_code == 404
    assert client_for(user_with("change_person")).get(f"/api/contact-points/{point.pk}/").status_code == 200
