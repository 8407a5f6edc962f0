"""The organisations export, from the organisations page and the back office: who may, what it holds, what it
costs."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.utils.translation import gettext

from clusters.models import Organisation
from tests.admin_helpers import admin_url
from tests.factories import (
    ClusterFactory,
    MembershipFactory,
    MembershipTypeFactory,
    OrganisationFactory,
    OrganisationNameFactory,
    SectorFactory,
    SiteFactory,
    TerritoryFactory,
)

URL = "/organisations/"


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def xlsx_rows(response) -> list[list[str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def polepharma(db):
    cluster = ClusterFactory(name="Polepharma", slug="polepharma", region="Centre-Val de Loire", city="Dreux")
    MembershipTypeFactory(cluster=cluster, name="Adhérent", slug="adherent", annual_fee=1500)
    return cluster


def test_anonymous_visitors_go_to_login_and_others_need_the_view_permission(client, polepharma, django_user_model):
    assert client.get(URL, {"format": "csv"})["Location"] == "/login/?next=/organisations/%3Fformat%3Dcsv"
    user = django_user_model.objects.create_user("people-only", password="correct-horse-battery-staple")
    user.user_permissions.set(Permission.objects.filter(codename="view_person"))
    client.force_login(user)
    assert client.get(URL, {"format": "csv"}).status_code == 403


def test_the_page_offers_the_export_of_what_it_lists(viewer_client, polepharma):
    page = viewer_client.get(URL, {"kind": "cluster", "page": "1"}).content.decode()
    assert 'href="/organisations/?kind=cluster&amp;format=csv"' in page
    assert 'href="/organisations/?kind=cluster&amp;format=xlsx"' in page


def test_a_search_with_no_result_offers_no_export(viewer_client, polepharma):
    assert "format=csv" not in viewer_client.get(URL, {"q": "introuvable"}).content.decode()


def test_the_export_holds_every_organisation_the_filters_match_with_everything_the_import_needs(
    viewer_client, polepharma
):
    member = OrganisationFactory(
        name="Sanofi Chimie",
        slug="sanofi-chimie",
        acronym="SC",
        kind=Organisation.Kind.COMPANY,
        founded_on=datetime.date(1973, 7, 1),
        description="Chimie fine.\nPrincipes actifs.",
    )
    member.sectors.add(SectorFactory(name="Pharmacie"))
    OrganisationNameFactory(
        organisation=member, name="Sanofi Winthrop", used_from=datetime.date(1990, 1, 1), used_until=None
    )
    SiteFactory(organisation=member, name="Vertolaye", kind="establishment", city="Vertolaye", address="Rue A\nCS 1")
    TerritoryFactory(organisation=member, region="Auvergne", kind="historic", country="FR", through=polepharma)
    MembershipFactory(
        cluster=polepharma,
        member=member,
        membership_type=polepharma.membership_types.get(),
        started_on=datetime.date(2013, 1, 1),
        notes="Ligne 1\nLigne 2",
    )
    OrganisationFactory(name="Hors région", region="Bretagne")

    rows = csv_rows(viewer_client.get(URL, {"q": "sanofi", "format": "csv"}))

    assert rows == [
        [
            gettext("Identifier"),
            *("Nom", "Sigle", "Type", "Forme juridique", "Pays", "Région", "Ville", "Site web"),
            *("Fondée le", "Description", "Autres noms", "Secteurs", "Sites", "Territoires"),
            *(gettext("Membership types offered"), gettext("Memberships")),
        ],
        [
            *("sanofi-chimie", "Sanofi Chimie", "SC", "Entreprise", "", "France", "", "", ""),
            *("1973-07-01", "Chimie fine.\nPrincipes actifs.", "Sanofi Winthrop (Ancien nom, 1990-01-01/)"),
            "Pharmacie",
            "Vertolaye (Établissement, Vertolaye)\n| Rue A\n| CS 1",
            "Auvergne (Territoire historique fondateur, France, polepharma)",
            "",
            "polepharma (adherent, 2013-01-01/)\n| Ligne 1\n| Ligne 2",
        ],
    ]
    cluster_row = csv_rows(viewer_client.get(URL, {"kind": "cluster", "format": "csv"}))[1]
    assert cluster_row[0] == "polepharma" and cluster_row[15] == "Adhérent (adherent, 1500.00)"


def test_cells_a_spreadsheet_would_run_are_neutralised(viewer_client, db):
    OrganisationFactory(name="=1+1", slug="formule", acronym="@a", description="-x")
    raw = b"".join(viewer_client.get(URL, {"format": "csv"}).streaming_content).decode("utf-8-sig")
    assert "formule;'=1+1;'@a;" in raw and ";'-x;" in raw
    (header, row) = xlsx_rows(viewer_client.get(URL, {"format": "xlsx"}))
    assert row[:3] == ["formule", "=1+1", "@a"]


def test_an_english_page_exports_english_headers_and_labels(viewer_client, polepharma):
    rows = xlsx_rows(viewer_client.get("/en" + URL, {"format": "xlsx"}))
    assert rows[0][:4] == ["Identifier", "Name", "Acronym", "Kind"]
    assert rows[1][:4] == ["polepharma", "Polepharma", "", "Cluster"]


def test_invalid_filters_are_refused_rather_than_exporting_everything(viewer_client, polepharma):
    response = viewer_client.get(URL, {"kind": "vaisseau", "format": "csv"})
    assert response.status_code == 400
    assert "organisations" in response.content.decode()


def test_an_unknown_format_shows_the_page(viewer_client, polepharma):
    response = viewer_client.get(URL, {"format": "pdf"})
    assert response.status_code == 200 and "Polepharma" in response.content.decode()


@pytest.mark.parametrize("count", [10, 100])
def test_the_export_reads_the_same_number_of_queries_whatever_the_number_of_organisations(
    db, viewer_client, django_assert_num_queries, count
):
    cluster = ClusterFactory(slug="pole")
    membership_type = MembershipTypeFactory(cluster=cluster)
    sector = SectorFactory()
    for _index in range(count):
        organisation = OrganisationFactory()
        organisation.sectors.add(sector)
        OrganisationNameFactory(organisation=organisation)
        SiteFactory(organisation=organisation)
        TerritoryFactory(organisation=organisation, through=cluster)
        MembershipFactory(cluster=cluster, member=organisation, membership_type=membership_type)
    # Session, user, user's and groups' permissions; the organisations; their other names, sectors, sites,
    # territories with their networks, membership types, memberships with their clusters and types.
    with django_assert_num_queries(11):
        rows = csv_rows(viewer_client.get(URL, {"format": "csv"}))
    assert len(rows) == count + 2


def test_the_export_reads_the_organisations_a_chunk_at_a_time(
    db, viewer_client, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr("clusters.exports.CHUNK_SIZE", 4)
    for _index in range(10):
        SiteFactory(organisation=OrganisationFactory())
    # The organisations in one query, read four at a time; the six related queries for each of the three chunks.
    with django_assert_num_queries(4 + 1 + 3 * 6):
        rows = csv_rows(viewer_client.get(URL, {"format": "csv"}))
    assert len(rows) == 11 and all(row[13] for row in rows[1:])


def export_action(client, action, organisations):
    return client.post(
        admin_url(Organisation, "changelist"),
        {"action": action, "_selected_action": [organisation.pk for organisation in organisations]},
    )


def test_the_admin_action_exports_the_selected_organisations(admin_client, polepharma):
    chosen = OrganisationFactory(name="Choisie", slug="choisie")
    OrganisationFactory(name="Laissée")
    rows = csv_rows(export_action(admin_client, "export_csv", [chosen, polepharma]))
    assert [row[0] for row in rows[1:]] == ["choisie", "polepharma"]
    rows = xlsx_rows(export_action(admin_client, "export_xlsx", [chosen]))
    assert [row[1] for row in rows[1:]] == ["Choisie"]


def test_staff_who_may_only_view_organisations_may_export_them_from_the_back_office(client, user_with, polepharma):
    user = user_with()
    user.is_staff = True
    user.save()
    client.force_login(user)
    changelist = client.get(admin_url(Organisation, "changelist")).content.decode()
    assert 'value="export_csv"' in changelist and 'value="export_xlsx"' in changelist
    assert [row[0] for row in csv_rows(export_action(client, "export_csv", [polepharma]))[1:]] == ["polepharma"]
