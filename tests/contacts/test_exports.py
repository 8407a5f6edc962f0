"""Exports of the directory and of contact lists: every format read back, injection, permissions, the log."""

import csv
import datetime
import io
import re

import openpyxl
import pytest
import vobject
from django.db import connection
from openpyxl.utils import get_column_letter

from contacts.models import ExportLog
from events.models import Event, EventEdition, Invitation
from tests.factories import (
    ClusterFactory,
    ContactListFactory,
    EmailFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    PhoneFactory,
    PositionFactory,
    TagFactory,
)

URL = "/contacts/export/"


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def read_csv(response) -> list[dict]:
    data = content(response)
    assert data.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 byte-order mark for Excel"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def read_xlsx(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content(response))).active
    return [[cell for cell in row] for row in sheet.iter_rows()]


def read_vcards(response) -> list:
    return list(vobject.readComponents(content(response).decode("utf-8")))


@pytest.fixture
def seeded_exporter(seed, exporter_client):
    return exporter_client


def test_csv_has_one_row_per_person_with_accents_intact(seeded_exporter):
    response = seeded_exporter.get(URL, {"format": "csv", "q": "polepharma"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="contacts-')
    rows = read_csv(response)
    assert [row["Nom"] for row in rows] == ["Garcia", "Ivanès", "Riolet", "Sarrade-Loucheur"]
    capucine = rows[3]
    assert capucine["Prénom"] == "Capucine"
    assert capucine["Organisation"] == "Polepharma"
    assert capucine["Fonction"] == "Responsable Communication"
    assert capucine["E-mail"] == "capucine.sarrade-loucheur@polepharma.com"
    # International format, marked as text so that a spreadsheet does not read "+33…" as a formula.
    assert capucine["Téléphone"] == "'+33 2 37 20 24 24"


def test_csv_exports_every_page_not_only_the_first(db, exporter_client):
    for index in range(60):
        PersonFactory(family_name=f"Lefèvre{index:02d}")
    rows = read_csv(exporter_client.get(URL, {"format": "csv", "q": "lefevre"}))
    assert len(rows) == 60


def test_press_contact_without_position_is_exported_with_the_organisation_they_speak_for(seeded_exporter):
    rows = read_csv(seeded_exporter.get(URL, {"format": "csv", "q": "sbou"}))
    assert rows[0]["Organisation"] == "Leem"
    assert rows[0]["Fonction"] == "Contact presse"
    assert rows[0]["Contact presse pour"] == "leem"
    assert rows[0]["Téléphone"] == "'+33 1 45 03 88 38"
    assert rows[0]["Mobiles"] == "'+33 6 60 46 23 08"


def test_xlsx_read_back_with_openpyxl(seeded_exporter):
    response = seeded_exporter.get(URL, {"format": "xlsx", "q": "zulueta"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    header, row = read_xlsx(response)
    values = dict(zip([cell.value for cell in header], [cell.value for cell in row], strict=True))
    assert values["Nom"] == "Pascual de Zulueta"
    assert values["Organisation"] == "Basque Health Cluster"
    assert values["E-mail"] == "maria@basquehealthcluster.org"
    assert values["Téléphone"] == "+34 644 84 56 44"


def test_vcard_read_back_with_vobject(seeded_exporter):
    response = seeded_exporter.get(URL, {"format": "vcf", "q": "pangaud"})
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    (card,) = read_vcards(response)
    assert card.version.value == "3.0"
    assert card.fn.value == "Emmanuelle Pangaud"
    assert card.n.value.family == "Pangaud" and card.n.value.given == "Emmanuelle"
    assert card.org.value == ["GIPSO"]
    assert card.email.value == "e.pangaud@gipso.org"
    assert card.tel.value == "+33 5 56 11 32 15"
    assert "WORK" in card.tel.params["TYPE"]


def test_vcard_marks_mobiles_and_keeps_accents(db, exporter_client):
    person = PersonFactory(given_name="Stéphane", family_name="Béranger")
    PositionFactory(person=person, organisation=OrganisationFactory(name="Société Générale"), title="Président")
    PhoneFactory(person=person, phone="+33612345678", kind="mobile")
    (card,) = read_vcards(exporter_client.get(URL, {"format": "vcf"}))
    assert card.fn.value == "Stéphane Béranger"
    assert card.org.value == ["Société Générale"]
    assert card.title.value == "Président"
    assert card.tel.params["TYPE"] == ["CELL", "VOICE"]


def test_vcards_carry_a_uid_per_person_a_revision_and_pref_on_the_preferred_phone_and_email(db, exporter_client):
    """A phone or mail client importing a second export updates the cards of the first: the UID is the same for
    a person in every export and differs between people; REV says when the record last changed."""
    ane = PersonFactory(given_name="Ane", family_name="Arana")
    PhoneFactory(person=ane, phone="+34943000000", kind="switchboard")
    PhoneFactory(person=ane, phone="+34644845644", kind="mobile", is_primary=True)
    EmailFactory(person=ane, email="ane.arana@gmail.com", kind="personal")
    EmailFactory(person=ane, email="aarana@azkue.example", kind="work", is_primary=True)
    other = PersonFactory(given_name="Eider", family_name="Arana")
    first = {card.fn.value: card for card in read_vcards(exporter_client.get(URL, {"format": "vcf"}))}
    again = {card.fn.value: card for card in read_vcards(exporter_client.get(URL, {"format": "vcf"}))}

    card = first["Ane Arana"]
    assert card.uid.value.startswith("urn:uuid:")
    assert card.uid.value == again["Ane Arana"].uid.value != first["Eider Arana"].uid.value
    ane.refresh_from_db()
    assert card.rev.value == ane.updated_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    phones = {line.value: line.params["TYPE"] for line in card.contents["tel"]}
    assert phones == {"+34 644 84 56 44": ["CELL", "VOICE", "PREF"], "+34 943 00 00 00": ["MAIN", "WORK", "VOICE"]}
    emails = {line.value: line.params["TYPE"] for line in card.contents["email"]}
    assert emails == {
        "aarana@azkue.example": ["INTERNET", "WORK", "PREF"],
        "ane.arana@gmail.com": ["INTERNET", "HOME"],
    }
    assert other.pk and "PREF" not in str(first["Eider Arana"].serialize())


HOSTILE = ['=HYPERLINK("http://evil")', "+1+2", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_injection_is_neutralised_in_csv(db, exporter_client, value):
    PositionFactory(person=PersonFactory(family_name="Injection"), title=value)
    (row,) = read_csv(exporter_client.get(URL, {"format": "csv"}))
    assert row["Fonction"] == "'" + value


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_injection_is_neutralised_in_xlsx(db, exporter_client, value):
    PositionFactory(person=PersonFactory(family_name="Injection"), title=value)
    _header, row = read_xlsx(exporter_client.get(URL, {"format": "xlsx"}))
    title = row[4]
    assert title.value.strip() == value.strip()  # XML keeps a carriage return as a line feed
    assert title.data_type == "s", "a formula cell would run in Excel"
    assert title.quotePrefix


def test_do_not_contact_people_are_left_out_of_exports_even_when_asked_for(db, exporter_client):
    PersonFactory(family_name="Optout", do_not_contact=True)
    PersonFactory(family_name="Reachable")
    assert [row["Nom"] for row in read_csv(exporter_client.get(URL, {"format": "csv"}))] == ["Reachable"]
    asked = exporter_client.get(URL, {"format": "csv", "include_do_not_contact": "on"})
    assert asked["X-Left-Out-Do-Not-Contact"] == "1"
    rows = read_csv(asked)
    assert [row["Nom"] for row in rows] == ["Reachable"]
    assert rows[0]["Ne pas contacter"] == ""  # no one in a staff export asked not to be contacted


def test_export_matches_the_page_filters(seeded_exporter):
    rows = read_csv(seeded_exporter.get(URL, {"format": "csv", "organisation": "leem", "has_phone": "on"}))
    assert [row["Nom"] for row in rows] == ["Bou", "Pautre"]


def test_every_export_is_logged(seeded_exporter, exporter):
    read_csv(seeded_exporter.get(URL, {"format": "csv", "q": "leem", "press_only": "on", "page": "3"}))
    log = ExportLog.objects.get()
    assert log.user == exporter
    assert log.username == "exporter"
    assert log.export_format == "csv"
    assert log.origin == ExportLog.Origin.DIRECTORY
    assert log.filters == {"q": "leem", "press_only": "on"}
    assert log.row_count == 3
    assert log.created_at is not None


def test_viewer_without_export_permission_gets_403_and_no_data(seed, viewer_client):
    response = viewer_client.get(URL, {"format": "csv"})
    assert response.status_code == 403
    assert b"Ivan" not in response.content
    assert not ExportLog.objects.exists()


def test_anonymous_export_goes_to_the_login_page(seed, client):
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("params", [{}, {"format": "pdf"}, {"format": "csv", "organisation": "nowhere"}])
def test_bad_export_requests_get_a_clear_400_and_no_file(seeded_exporter, params):
    response = seeded_exporter.get(URL, params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert not ExportLog.objects.exists()


def test_contact_list_export_holds_the_list(db, exporter_client):
    contact_list = ContactListFactory(slug="presse-sante")
    listed = PersonFactory(family_name="Listée")
    EmailFactory(person=listed, email="listee@example.org")
    PersonFactory(family_name="Ailleurs")
    contact_list.people.add(listed, PersonFactory(family_name="Refus", do_not_contact=True))
    response = exporter_client.get("/contacts/lists/presse-sante/export/", {"format": "csv"})
    assert [row["Nom"] for row in read_csv(response)] == ["Listée"]
    log = ExportLog.objects.get()
    assert (log.origin, log.row_count, log.filters) == (
        ExportLog.Origin.CONTACT_LIST,
        1,
        {"contact_list": "presse-sante"},
    )


def test_contact_list_export_needs_the_export_permission(db, viewer_client):
    ContactListFactory(slug="presse-sante")
    assert viewer_client.get("/contacts/lists/presse-sante/export/", {"format": "csv"}).status_code == 403


def test_csv_export_in_english_has_english_headers(seeded_exporter):
    rows = read_csv(seeded_exporter.get("/en" + URL, {"format": "csv", "q": "riolet"}))
    assert rows[0]["Family name"] == "Riolet"


def test_export_reads_people_in_a_fixed_number_of_queries(db, exporter_client, django_assert_num_queries):
    for _index in range(30):
        person = PersonFactory()
        EmailFactory(person=person)
        PositionFactory(person=person)
    # Session, user, user and group permissions; whether there are more than EXPORT_DIRECT_MAX_ROWS (a count under
    # a LIMIT), the count and the log insert; then, in Python, people, positions, press roles, tags, contact points.
    # On PostgreSQL, the first export writes the people's export lines (which lack one; a savepoint, their people
    # locked, read as in Python, the lines written, the savepoint released), the next finds none lacking; then the
    # COPY, which runs on the driver's cursor, out of Django's count (contacts.export_lines).
    for queries in [17, 8] if connection.vendor == "postgresql" else [12, 12]:
        with django_assert_num_queries(queries):
            response = exporter_client.get(URL, {"format": "csv"})
            rows = read_csv(response)
        assert len(rows) == 30


def test_an_xlsx_export_opens_with_a_frozen_header_a_filter_over_every_row_and_fitted_columns(db, exporter_client):
    for number in range(3):
        PersonFactory(family_name=f"Sarrade-Loucheur-Étchegaray {number}")
    sheet = openpyxl.load_workbook(io.BytesIO(content(exporter_client.get(URL, {"format": "xlsx"})))).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(sheet.max_column)}4"
    family_name = get_column_letter([cell.value for cell in sheet[1]].index("Nom") + 1)
    assert sheet.column_dimensions[family_name].width >= len("Sarrade-Loucheur-Étchegaray 0")


# --- the names of the files ----------------------------------------------------------------------------------

STAMP = r"\d{4}-\d{2}-\d{2}-\d{4}"


def file_name(response) -> str:
    match = re.fullmatch(r'attachment; filename="([A-Za-z0-9.-]+)"', response["Content-Disposition"])
    assert match, response["Content-Disposition"]
    return match[1]


def test_a_directory_export_is_named_after_the_words_searched_and_the_filters_chosen(db, exporter_client):
    organisation = OrganisationFactory(name="Société Générale", slug="sg")
    tag = TagFactory(name="Presse écrite", slug="presse-ecrite")
    person = PersonFactory(family_name="Ivanès")
    PositionFactory(person=person, organisation=organisation)
    person.tags.add(tag)
    response = exporter_client.get(
        "/en" + URL, {"format": "csv", "q": "Ivanès", "organisation": "sg", "tag": "presse-ecrite"}
    )
    assert re.fullmatch(rf"contacts-ivanes-societe-generale-presse-ecrite-{STAMP}\.csv", file_name(response))
    assert re.fullmatch(rf"contacts-{STAMP}\.xlsx", file_name(exporter_client.get(URL, {"format": "xlsx"})))


def test_a_long_search_gives_a_file_name_cut_to_80_characters(db, exporter_client):
    name = file_name(exporter_client.get(URL, {"format": "vcf", "q": "pharmacie " * 19}))
    assert len(name) <= 80
    assert re.fullmatch(rf"contacts(-pharmacie)+-{STAMP}\.vcf", name), name


def test_what_is_searched_cannot_break_out_of_the_file_name(db, exporter_client):
    response = exporter_client.get(URL, {"format": "csv", "q": 'Zoé"; X-Injected: oui'})
    assert re.fullmatch(rf"contacts-zoe-x-injected-oui-{STAMP}\.csv", file_name(response))
    assert "X-Injected" not in response.headers


def test_a_contact_lists_export_is_named_after_the_list(db, exporter_client):
    contact_list = ContactListFactory(name="Presse santé — Nouvelle-Aquitaine", slug="presse-sante")
    contact_list.people.add(PersonFactory())
    response = exporter_client.get("/en/contacts/lists/presse-sante/export/", {"format": "csv"})
    assert re.fullmatch(rf"list-presse-sante-nouvelle-aquitaine-{STAMP}\.csv", file_name(response))


def test_an_editions_invitations_are_named_after_the_event_and_the_edition(db, exporter_client):
    edition = EventEdition.objects.create(
        event=Event.objects.create(slug="rnaen", name="Rencontres nationales", acronym="RNAEN"),
        starts_on=datetime.date(2026, 10, 8),
        place="Bordeaux",
    )
    Invitation.objects.create(edition=edition, person=PersonFactory())
    response = exporter_client.get("/en" + URL, {"format": "xlsx", "invited_to": edition.pk})
    assert re.fullmatch(rf"invitations-rnaen-2026-10-08-bordeaux-{STAMP}\.xlsx", file_name(response))


def test_a_clusters_members_are_named_after_the_cluster(db, exporter_client):
    cluster = ClusterFactory(name="Pôle Santé Ouest", slug="pso")
    member = OrganisationFactory()
    MembershipFactory(cluster=cluster, member=member)
    PositionFactory(person=PersonFactory(), organisation=member)
    response = exporter_client.get("/en" + URL, {"format": "csv", "member_of": "pso"})
    assert re.fullmatch(rf"members-pole-sante-ouest-{STAMP}\.csv", file_name(response))
