"""Importing organisations: which organisation a row updates, what its cells bring, what it refuses, and the
cells' format itself."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils.translation import gettext
from hypothesis import given
from hypothesis import strategies as st

from clusters.imports import OrganisationBatchResource
from clusters.models import Membership, Organisation, OrganisationName, Sector, Site
from clusters.organisation_sheet import continuation_lines, item_line, multi_line, one_line, read_items
from core.imports import import_file
from tests.admin_helpers import admin_url
from tests.factories import (
    ClusterFactory,
    MembershipFactory,
    MembershipTypeFactory,
    OrganisationFactory,
    OrganisationNameFactory,
    SectorFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db


def import_csv(text: str, *, skip_invalid_rows=False):
    return import_file(OrganisationBatchResource(), text.encode(), dry_run=False, skip_invalid_rows=skip_invalid_rows)


def errors_of(result) -> dict[int, dict[str, list[str]]]:
    return {row.number: row.error_dict for row in [*result.invalid_rows, *result.left_out_rows]}


# Which organisation a row updates.


def test_a_row_updates_the_organisation_its_identifier_names_before_one_its_name_names():
    named = OrganisationFactory(slug="alpha", name="Alpha", city="")
    namesake = OrganisationFactory(slug="beta", name="Beta", city="")
    result = import_csv("Identifiant;Nom;Ville\nalpha;Beta;Tours\n")
    assert result.counts["update"] == 1
    named.refresh_from_db()
    namesake.refresh_from_db()
    assert (named.name, named.city, namesake.city) == ("Beta", "Tours", "")


def test_an_identifier_no_organisation_has_falls_back_on_the_name_and_another_name():
    cluster = ClusterFactory(slug="bhc", name="Basque Health Cluster", city="")
    OrganisationNameFactory(organisation=cluster, name="Basque Biocluster")
    result = import_csv("Identifiant;Nom;Ville\nbasque-biocluster;BASQUE BIOCLUSTER;Donostia\n")
    assert result.counts == {"new": 0, "update": 1, "skip": 0, "invalid": 0}
    cluster.refresh_from_db()
    assert (cluster.slug, cluster.city) == ("bhc", "Donostia")


def test_a_new_organisation_keeps_the_identifier_of_its_row_and_others_leave_it_free():
    import_csv("Identifiant;Nom;Sigle\n;Acme;\nacme;Acme Corporation;\n;Sans identifiant;SID\n")
    assert dict(Organisation.objects.values_list("name", "slug")) == {
        "Acme": "acme-2",
        "Acme Corporation": "acme",
        "Sans identifiant": "sid",
    }


def test_rows_naming_two_organisations_by_their_identifiers_are_two_organisations_however_alike_their_names():
    import_csv("Identifiant;Nom\npole-sante;Pôle Santé\npole-sante-2;POLE-SANTE\n")
    assert sorted(Organisation.objects.values_list("slug", "name")) == [
        ("pole-sante", "Pôle Santé"),
        ("pole-sante-2", "POLE-SANTE"),
    ]


# What the cells bring.


def test_a_membership_of_a_cluster_listed_further_down_is_imported_with_the_type_the_cluster_offers():
    result = import_csv(
        "Identifiant;Nom;Type;Adhésions;Types d'adhésion proposés\n"
        'membre;Membre;Entreprise;"pole (adherent, 2013-01-01/2015-12-31)\n| Relancé";\n'
        'pole;Pôle;Cluster;;"Adhérent (adherent, ""1 500,50"")"\n'
    )
    assert not errors_of(result)
    membership = Membership.objects.select_related("cluster", "member", "membership_type").get()
    assert (membership.member.slug, membership.cluster.slug, membership.membership_type.name) == (
        "membre",
        "pole",
        "Adhérent",
    )
    assert (membership.started_on, membership.ended_on, membership.notes) == (
        datetime.date(2013, 1, 1),
        datetime.date(2015, 12, 31),
        "Relancé",
    )
    assert membership.membership_type.annual_fee == Decimal("1500.50")


def test_an_unknown_cluster_or_membership_type_is_an_error_of_its_row_and_nothing_is_written():
    pole = ClusterFactory(slug="pole", name="Pôle")
    MembershipTypeFactory(cluster=pole, slug="adherent")
    result = import_csv("Nom;Adhésions\nUn;nulle-part\nDeux;pole (fondateur)\n")
    errors = errors_of(result)
    column = gettext("Memberships")
    assert "nulle-part" in errors[2][column][0]
    assert "Pôle" in errors[3][column][0] and "fondateur" in errors[3][column][0]
    assert Organisation.objects.count() == 1


def test_a_cluster_whose_row_is_left_out_leaves_out_the_memberships_of_it_and_says_so():
    result = import_csv(
        "Identifiant;Nom;Site web;Adhésions\nmembre;Membre;;pole\npole;Pôle;pas une adresse;\n",
        skip_invalid_rows=True,
    )
    errors = errors_of(result)
    assert set(errors) == {2, 3}
    assert "pole" in errors[2][gettext("Memberships")][0]
    assert list(Organisation.objects.values_list("slug", flat=True)) == ["membre"]
    assert not Membership.objects.exists()


def test_hand_written_cells_are_read_with_what_they_leave_out_taken_as_not_given():
    SectorFactory(name="Pharmacie")
    import_csv(
        "Nom;Autres noms;Secteurs;Sites;Territoires;Fondée le\n"
        'Bihotz;Bihotz Elkartea;"pharmacie\nBiotech";"Chartres\nParis (siège)";Euskadi;27/10/2010\n'
    )
    organisation = Organisation.objects.get()
    assert organisation.founded_on == datetime.date(2010, 10, 27)
    assert list(organisation.other_names.values_list("name", "kind")) == [("Bihotz Elkartea", "former")]
    assert sorted(organisation.sectors.values_list("name", flat=True)) == ["Biotech", "Pharmacie"]
    assert Sector.objects.count() == 2
    assert sorted(organisation.sites.values_list("name", "kind")) == [("Chartres", "other"), ("Paris", "head_office")]
    assert list(organisation.territories.values_list("region", "kind")) == [("Euskadi", "scope")]


@pytest.mark.parametrize(
    ("column", "cell", "shown"),
    [
        ("Sites", "Chartres (Planète)", "Planète"),
        ("Autres noms", "Ancien (Ancien nom, 2010/2011/2012)", "2010/2011/2012"),
        ("Autres noms", "Ancien (Ancien nom, 2015-01-01/2010-01-01)", "avant de l'avoir été"),
        ("Sites", "| une adresse sans site", "| une adresse sans site"),
        ("Territoires", "Euskadi (Territoire d'action, Atlantide)", "Atlantide"),
        ("Types d'adhésion proposés", "Adhérent (adherent, gratuit)", "gratuit"),
        ("Sites", "Chartres (Antenne, Chartres, Centre, France, en trop)", "pays"),
    ],
)
def test_a_line_that_cannot_be_read_is_an_error_naming_the_line(column, cell, shown):
    result = import_csv(f'Nom;{column}\nBihotz;"{cell}"\n')
    ((row, errors),) = errors_of(result).items()
    assert row == 2
    ((_column, (message,)),) = errors.items()
    assert shown in message
    assert not Organisation.objects.exists()


def test_what_a_row_brings_is_added_to_what_is_known_and_nothing_is_removed():
    organisation = OrganisationFactory(slug="bihotz", name="Bihotz", description="Garder.")
    SiteFactory(organisation=organisation, name="Bayonne", city="Bayonne")
    OrganisationNameFactory(organisation=organisation, name="Ancien")
    import_csv("Identifiant;Nom;Description;Sites;Autres noms\nbihotz;Bihotz;;Biarritz (Antenne);Autre (Aussi écrit)\n")
    organisation.refresh_from_db()
    assert organisation.description == "Garder."
    assert sorted(organisation.sites.values_list("name", "city")) == [("Bayonne", "Bayonne"), ("Biarritz", "")]
    assert sorted(organisation.other_names.values_list("name", "kind")) == [("Ancien", "former"), ("Autre", "alias")]


def test_a_second_head_office_is_refused_unless_the_first_gives_up_the_title_in_the_same_row():
    organisation = OrganisationFactory(slug="bihotz", name="Bihotz")
    SiteFactory(organisation=organisation, name="Paris", kind=Site.Kind.HEAD_OFFICE)
    refused = import_csv("Identifiant;Nom;Sites\nbihotz;Bihotz;Lyon (Siège)\n")
    assert "Une organisation n'a qu'un seul siège." in errors_of(refused)[2]["Sites"]
    import_csv('Identifiant;Nom;Sites\nbihotz;Bihotz;"Lyon (Siège)\nParis (Antenne)"\n')
    assert sorted(organisation.sites.values_list("name", "kind")) == [("Lyon", "head_office"), ("Paris", "antenna")]


def test_a_row_changing_only_a_site_writes_the_site_and_leaves_the_organisation_version_alone():
    organisation = OrganisationFactory(slug="bihotz", name="Bihotz")
    history = organisation.history.count()
    result = import_csv("Identifiant;Nom;Sites\nbihotz;Bihotz;Biarritz\n")
    assert result.counts["update"] == 1
    organisation.refresh_from_db()
    assert organisation.version == 1 and organisation.history.count() == history
    assert Site.history.filter(name="Biarritz").count() == 1


def test_a_row_adding_a_sector_raises_the_organisation_version():
    """An open form would otherwise save its older list of sectors over the import's."""
    organisation = OrganisationFactory(slug="bihotz", name="Bihotz")
    import_csv("Identifiant;Nom;Secteurs\nbihotz;Bihotz;Biotech\n")
    organisation.refresh_from_db()
    assert organisation.version == 2 and list(organisation.sectors.values_list("name", flat=True)) == ["Biotech"]


def test_a_membership_is_completed_by_its_cluster_and_start_date():
    pole = ClusterFactory(slug="pole")
    member = OrganisationFactory(slug="membre", name="Membre")
    membership = MembershipFactory(cluster=pole, member=member, started_on=datetime.date(2013, 1, 1), notes="")
    import_csv('Identifiant;Nom;Adhésions\nmembre;Membre;"pole (, 2013-01-01/2014-12-31, 2014-06-30)\n| Note"\n')
    membership.refresh_from_db()
    assert (membership.ended_on, membership.cancelled_on, membership.notes, membership.version) == (
        datetime.date(2014, 12, 31),
        datetime.date(2014, 6, 30),
        "Note",
        2,
    )
    assert Membership.objects.count() == 1


# The command and the back office.


def test_the_command_imports_an_export_and_then_has_nothing_left_to_change(viewer_client, tmp_path):
    cluster = ClusterFactory(slug="pole", name="Pôle")
    MembershipFactory(cluster=cluster, member=OrganisationFactory(slug="membre", name="Membre"))
    path = tmp_path / "organisations.xlsx"
    path.write_bytes(b"".join(viewer_client.get("/organisations/", {"format": "xlsx"}).streaming_content))
    Membership.objects.all().delete()
    Organisation.objects.all().delete()

    call_command("import_contacts", str(path), "--organisations")
    assert Membership.objects.filter(cluster__slug="pole", member__slug="membre").exists()
    written = list(Organisation.objects.values_list("slug", "version")), Organisation.history.count()

    call_command("import_contacts", str(path), "--organisations")
    assert (list(Organisation.objects.values_list("slug", "version")), Organisation.history.count()) == written


def test_the_admin_previews_the_export_then_imports_it_on_confirmation(
    admin_client, settings, tmp_path, django_capture_on_commit_callbacks
):
    from tests.jobs.conftest import run_queued_tasks

    settings.MEDIA_ROOT = tmp_path / "media"
    cluster = ClusterFactory(slug="pole", name="Pôle")
    SiteFactory(organisation=cluster, name="Chartres", address="1 rue A\n28000 Chartres")
    data = b"".join(admin_client.get("/organisations/", {"format": "csv"}).streaming_content)
    Organisation.objects.all().delete()
    upload = io.BytesIO(data)
    upload.name = "organisations.csv"

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(admin_url(Organisation, "import"), {"import_file": upload})
    assert response.status_code == 303
    assert run_queued_tasks() == 1
    preview = admin_client.get(response["Location"]).content.decode()
    assert "Nouvelle : Pôle" in preview and "1 nouvelle" in preview and not Organisation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = admin_client.post(response["Location"] + "import/")
    assert run_queued_tasks() == 1
    assert "Ce qu’a fait l’import" in admin_client.get(confirmed["Location"]).content.decode()
    assert Site.objects.get(organisation__slug="pole").address == "1 rue A\n28000 Chartres"


# The cells' format.

# Any text, and text made of what the format gives a meaning to.
TEXT = st.one_of(
    st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=30),
    st.text(st.sampled_from(list("()\",| ;\n\r\t'=-a")), max_size=15),
)


@given(main=TEXT.filter(lambda text: one_line(text)), parts=st.lists(TEXT, max_size=5), following=TEXT)
def test_any_item_is_read_back_as_it_was_written(main, parts, following):
    written = "\n".join([item_line(main, parts), *continuation_lines(following)])
    (item,) = read_items(written)
    expected_parts = [one_line(part) for part in parts]
    while expected_parts and not expected_parts[-1]:
        expected_parts.pop()
    assert item.main == one_line(main)
    assert item.parts == expected_parts
    assert multi_line("\n".join(item.following)) == multi_line(following)


def test_items_are_one_a_line_with_their_parts_read_from_the_right():
    written = "\n".join(
        [
            item_line("Siège (principal)", ["Siège", "Saint-Denis, La Plaine", "", 'Pays "X"']),
            *continuation_lines("1 rue A\n\n| cour"),
            item_line("Autre", []),
        ]
    )
    assert written == (
        'Siège (principal) (Siège, "Saint-Denis, La Plaine", , "Pays ""X""")\n| 1 rue A\n|\n| | cour\nAutre'
    )
    first, second = read_items(written)
    assert (first.main, first.parts, first.following) == (
        "Siège (principal)",
        ["Siège", "Saint-Denis, La Plaine", "", 'Pays "X"'],
        ["1 rue A", "", "| cour"],
    )
    assert (second.main, second.parts) == ("Autre", [])


def test_other_names_keep_their_kind_in_either_language():
    import_csv('Nom;Autres noms\nBihotz;"Un (Also written as)\nDeux (Aussi écrit)\nTrois (former)"\n')
    assert set(OrganisationName.objects.values_list("kind", flat=True)) == {"alias", "former"}
    assert OrganisationName.objects.filter(kind="alias").count() == 2
