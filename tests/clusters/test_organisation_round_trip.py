"""Organisations leave as a spreadsheet and come back as they were: export, wipe, import, compare.

The export carries each organisation with its other names, sectors (by name), sites, territories, the membership
types it offers as a cluster and the memberships it holds (clusters named by identifier), so that a database
emptied of organisations, sectors and membership types gets them all back. Not carried: ids, timestamps,
versions, sectors' slugs (a sector is named by its name) and sectors no organisation is in, key figures,
relations, dues.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from clusters.imports import OrganisationBatchResource, OrganisationResource
from clusters.models import (
    Membership,
    MembershipType,
    Organisation,
    OrganisationName,
    Sector,
    Site,
    Territory,
)
from core.imports import import_file
from core.tables import TableLimits
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

pytestmark = pytest.mark.django_db

FORMULAS = ["=1+1", "-x", "+33", "@a", '=HYPERLINK("http://x";"y")', "'=1", "-"]
HOSTILE = [
    'Pôle; Santé, "Ouest" (Nord)',
    "Société d’Économie Mixte « Œuvre » (SEM)",
    "a) b (c",
    "| tube",
    '"guillemets"',
    "Virgule, point-virgule; deux-points: fin)",
]
LONG_TEXT = "\n".join(f'Ligne {number} : « é », ; "q" (p) =1+1' for number in range(120))


def hostile_organisations() -> list[Organisation]:
    """Three clusters and three dozen organisations whose every text is something a spreadsheet or a parser
    could get wrong."""
    sectors = [SectorFactory(name=name) for name in ["Santé; bien-être", "=Pharma", "Biotech (rouge)", "Cosmétique"]]
    clusters = [
        # "Zeta" sorts after its members: their memberships are read before the cluster's row.
        ClusterFactory(name="Zeta (pôle), « santé »", slug="zeta", acronym="=Z", region="Nouvelle-Aquitaine"),
        ClusterFactory(name="Alpha; cluster", slug="alpha-cluster", acronym="AC", country="ES"),
        ClusterFactory(name="-Moins", slug="moins", kind=Organisation.Kind.FEDERATION, country=""),
    ]
    types = {
        "zeta": [
            MembershipTypeFactory(cluster=clusters[0], slug="adherent", name="Adhérent (PME, ETI)", annual_fee=1500),
            MembershipTypeFactory(cluster=clusters[0], slug="fondateur", name="=Fondateur", annual_fee=None),
        ],
        "alpha-cluster": [
            MembershipTypeFactory(cluster=clusters[1], slug="membre", name='"Membre"', annual_fee=Decimal("12.50"))
        ],
    }
    names = FORMULAS + HOSTILE + [f"Entreprise n° {number}, « Sud »" for number in range(20)]
    organisations = [*clusters]
    for number, name in enumerate(names):
        organisation = OrganisationFactory(
            name=name,
            slug=f"org-{number}",
            acronym=["", "A;B", "=X", "(P)", "Ç"][number % 5],
            kind=Organisation.Kind.values[number % len(Organisation.Kind.values)],
            legal_form=["", "SAS", "Association loi 1901; « utilité publique »"][number % 3],
            country=["FR", "ES", "", "CI", "BO"][number % 5],
            region=["", "Nouvelle-Aquitaine", "Provence-Alpes-Côte d'Azur", "Pays basque (Iparralde)"][number % 4],
            city=["", "Saint-Denis, La Plaine", "Bordeaux", "=Paris"][number % 4],
            website=["", "https://example.org/a;b?c=1,2", "https://exemple.fr/"][number % 3],
            founded_on=datetime.date(1990 + number, 1 + number % 12, 1 + number % 28) if number % 2 else None,
            description=[LONG_TEXT, "", "Une ligne.\n\n  Paragraphe indenté\n=SOMME(A1)", "@a"][number % 4],
        )
        organisation.sectors.set([sectors[number % 4], sectors[(number + 1) % 4]] if number % 3 else [])
        organisations.append(organisation)
        if number % 3 == 0:
            OrganisationNameFactory(
                organisation=organisation,
                name=HOSTILE[number % len(HOSTILE)],
                kind=OrganisationName.Kind.FORMER,
                used_from=datetime.date(2001, 2, 3),
                used_until=datetime.date(2010, 10, 26),
            )
            OrganisationNameFactory(organisation=organisation, name=f"=Alias {number}", kind="alias")
        if number % 4 == 1:
            SiteFactory(
                organisation=organisation,
                name="Siège (principal), « A »",
                kind=Site.Kind.HEAD_OFFICE,
                address="12, rue de la Paix; bât. « B »\n\n| cour\n  2e étage\n=Cedex 1\n-\n33000 Bordeaux",
                city="Bordeaux, Gironde",
                region="Nouvelle-Aquitaine (33)",
                country="FR",
            )
            SiteFactory(organisation=organisation, name="-Antenne", kind=Site.Kind.ANTENNA, city="Tours")
        if number % 5 == 2:
            TerritoryFactory(
                organisation=organisation,
                region="Euskadi, Navarre (sud)",
                kind=Territory.Kind.HISTORIC,
                country="ES",
                through=clusters[0],
            )
            TerritoryFactory(organisation=organisation, region="=Occitanie", kind=Territory.Kind.SCOPE)
        if number % 2 == 0:
            MembershipFactory(
                cluster=clusters[0],
                member=organisation,
                membership_type=types["zeta"][number % 4 // 2],
                started_on=datetime.date(2013, 1, 1),
                ended_on=datetime.date(2015, 12, 31),
                cancelled_on=datetime.date(2014, 6, 30) if number % 4 == 0 else None,
                notes="Relancée ; « deux fois »\n=1+1\n| pas une suite" if number % 4 == 0 else "",
            )
            # A second period with the same cluster, and one whose start is unknown.
            MembershipFactory(
                cluster=clusters[0],
                member=organisation,
                membership_type=types["zeta"][0],
                started_on=datetime.date(2016, 1, 1),
            )
        if number % 3 == 1:
            MembershipFactory(
                cluster=clusters[1], member=organisation, membership_type=types["alpha-cluster"][0], started_on=None
            )
    # Two organisations whose names only an accent and a hyphen tell apart.
    organisations.append(OrganisationFactory(name="Pôle Santé", slug="pole-sante", acronym=""))
    organisations.append(OrganisationFactory(name="Pole-Sante", slug="pole-sante-2", acronym=""))
    MembershipFactory(cluster=clusters[2], member=clusters[0], membership_type=None, started_on=None)
    return organisations


def dump() -> dict[str, list[tuple]]:
    """Every carried field of every record, named by natural keys instead of ids; sorted."""

    def rows(queryset, *fields):
        return sorted(tuple(str(value) for value in row) for row in queryset.values_list(*fields))

    return {
        "organisations": rows(
            Organisation.objects.all(),
            *("slug", "name", "acronym", "kind", "legal_form", "country", "region", "city", "website"),
            *("founded_on", "description"),
        ),
        "sectors": rows(Sector.objects.all(), "name"),
        "organisation sectors": rows(Organisation.sectors.through.objects.all(), "organisation__slug", "sector__name"),
        "other names": rows(
            OrganisationName.objects.all(), "organisation__slug", "name", "kind", "used_from", "used_until"
        ),
        "sites": rows(Site.objects.all(), "organisation__slug", "name", "kind", "address", "city", "region", "country"),
        "territories": rows(
            Territory.objects.all(), "organisation__slug", "region", "kind", "country", "through__slug"
        ),
        "membership types": rows(MembershipType.objects.all(), "cluster__slug", "slug", "name", "annual_fee"),
        "memberships": rows(
            Membership.objects.all(),
            *("member__slug", "cluster__slug", "membership_type__slug", "started_on", "ended_on", "cancelled_on"),
            "notes",
        ),
    }


def differences(before: dict, after: dict) -> list[str]:
    found = []
    for table in before:
        found += [f"{table}: lost {row}" for row in before[table] if row not in after[table]]
        found += [f"{table}: gained {row}" for row in after[table] if row not in before[table]]
    return found


def everything() -> dict[str, list[dict]]:
    """Every row of the tables an import writes, every field, versions and histories included."""
    tracked = [Organisation, Sector, OrganisationName, Site, Territory, MembershipType, Membership]
    tables = {model.__name__: list(model.objects.order_by("pk").values()) for model in tracked}
    tables["organisation sectors"] = list(Organisation.sectors.through.objects.order_by("pk").values())
    tables |= {f"history of {model.__name__}": model.history.count() for model in tracked}
    return tables


def export(client, export_format: str, language: str = "fr") -> bytes:
    prefix = "" if language == "fr" else f"/{language}"
    response = client.get(f"{prefix}/organisations/", {"format": export_format})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def wipe() -> None:
    Membership.objects.all().delete()
    Organisation.objects.all().delete()
    Sector.objects.all().delete()
    assert not MembershipType.objects.exists()


def import_back(data: bytes, resource_class=OrganisationBatchResource):
    result = import_file(resource_class(), data, dry_run=False, skip_invalid_rows=False, limits=TableLimits.for_batch())
    assert not result.has_errors(), [error.error for error in result.base_errors] + list(result.row_errors())
    assert not result.invalid_rows, [(row.number, row.error_dict) for row in result.invalid_rows]
    return result


@pytest.mark.parametrize(
    ("export_format", "resource_class"),
    [("csv", OrganisationBatchResource), ("xlsx", OrganisationBatchResource), ("csv", OrganisationResource)],
)
def test_organisations_exported_wiped_and_imported_come_back_field_by_field(
    viewer_client, export_format, resource_class
):
    organisations = hostile_organisations()
    before = dump()
    assert len(before["organisations"]) == len(organisations) == 38
    assert len(before["memberships"]) > 20 and before["sites"] and before["territories"]
    data = export(viewer_client, export_format)

    wipe()
    result = import_back(data, resource_class)

    assert result.counts == {"new": 38, "update": 0, "skip": 0, "invalid": 0}
    assert differences(before, dump()) == []


@pytest.mark.parametrize(("exported_in", "imported_in"), [("en", "fr"), ("fr", "en")])
def test_an_export_in_either_language_is_read_back_in_the_other(viewer_client, exported_in, imported_in):
    hostile_organisations()
    before = dump()
    data = export(viewer_client, "xlsx", language=exported_in)
    wipe()
    with translation.override(imported_in):
        import_back(data)
    assert differences(before, dump()) == []


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_importing_the_export_into_the_database_it_came_from_writes_nothing(viewer_client, export_format):
    hostile_organisations()
    data = export(viewer_client, export_format)
    tables = everything()

    result = import_back(data, OrganisationResource)

    assert result.counts == {"new": 0, "update": 0, "skip": 38, "invalid": 0}
    assert everything() == tables


def test_importing_the_same_file_twice_leaves_the_database_as_the_first_import_left_it(viewer_client):
    hostile_organisations()
    data = export(viewer_client, "csv")
    wipe()
    import_back(data)
    tables = everything()

    result = import_back(data)

    assert result.counts["skip"] == 38
    assert everything() == tables


def test_the_dump_sees_a_change_in_any_carried_field(viewer_client):
    """The comparison above can fail: one changed value, one lost record, show up."""
    hostile_organisations()
    before = dump()
    Site.objects.filter(kind=Site.Kind.ANTENNA).update(city="Blois")
    OrganisationName.objects.filter(kind="alias").first().delete()
    found = differences(before, dump())
    assert any(line.startswith("sites: lost") for line in found)
    assert any(line.startswith("other names: lost") for line in found)
