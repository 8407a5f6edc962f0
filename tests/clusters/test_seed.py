"""The organisations, sites, territories, figures and relations the two press releases state."""

import datetime
from decimal import Decimal

import pytest

from clusters.models import DatePrecision, KeyFigure, Organisation, OrganisationRelation

pytestmark = pytest.mark.usefixtures("seed")


def test_seed_holds_every_organisation_the_releases_name(db):
    assert set(Organisation.objects.values_list("name", flat=True)) == {
        "Polepharma",
        "GIPSO",
        "Basque Health Cluster",
        "Leem",
        "Sanofi",
        "France Biotech",
        "Eurorégion Nouvelle-Aquitaine, Pays basque et Navarre",
        "CESER Aquitaine",
        "CCI Nouvelle-Aquitaine",
    }


def test_organisations_are_classified_by_kind(db):
    kinds = dict(Organisation.objects.values_list("slug", "kind"))
    assert kinds["polepharma"] == kinds["gipso"] == kinds["basque-health-cluster"] == Organisation.Kind.CLUSTER
    assert kinds["leem"] == Organisation.Kind.FEDERATION
    assert kinds["sanofi"] == Organisation.Kind.COMPANY


def test_basque_health_cluster_was_founded_as_basque_biocluster(db):
    cluster = Organisation.objects.get(slug="basque-health-cluster")
    assert cluster.founded_on == datetime.date(2010, 10, 27)
    assert cluster.legal_form == "Association sans but lucratif"
    assert cluster.country.code == "ES"
    assert cluster.website == "https://www.basquehealthcluster.org/es/"
    former = cluster.other_names.get(kind="former")
    assert former.name == "Basque Biocluster"
    assert former.used_from == datetime.date(2010, 10, 27)


def test_polepharma_is_also_written_polepharma_gipso(db):
    polepharma = Organisation.objects.get(slug="polepharma")
    assert list(polepharma.other_names.values_list("name", "kind")) == [("Polepharma-GIPSO", "alias")]
    assert polepharma.website == "https://www.polepharma.com/"


def test_polepharma_has_five_antennas(db):
    polepharma = Organisation.objects.get(slug="polepharma")
    assert sorted(polepharma.sites.filter(kind="antenna").values_list("city", flat=True)) == [
        "Bordeaux",
        "Chartres",
        "Louviers",
        "Paris",
        "Tours",
    ]


def test_polepharma_territories_historic_and_new_through_gipso(db):
    polepharma = Organisation.objects.get(slug="polepharma")
    historic = set(polepharma.territories.filter(kind="historic").values_list("region", flat=True))
    assert historic == {"Centre-Val de Loire", "Normandie", "Île-de-France"}
    new = polepharma.territories.filter(kind="establishment")
    assert set(new.values_list("region", flat=True)) == {"Nouvelle-Aquitaine", "Occitanie"}
    assert set(new.values_list("through__slug", flat=True)) == {"gipso"}


@pytest.mark.parametrize(
    ("organisation", "as_written", "value", "unit", "qualifier", "year"),
    [
        ("polepharma", "26 Mds de chiffre d'affaires à l'export", Decimal("26000000000"), "eur", "exact", None),
        ("polepharma", "60% de la production de médicaments en France", Decimal("60"), "percent", "exact", None),
        ("polepharma", "Un écosystème de plus de 360 acteurs", Decimal("360"), "count", "more_than", None),
        (
            "polepharma",
            "Plus de 70 000 emplois répartis sur tous les acteurs de la filière",
            Decimal("70000"),
            "count",
            "more_than",
            None,
        ),
        ("gipso", "près d'une centaine d'entreprises", Decimal("100"), "count", "about", None),
        ("gipso", "depuis plus de 40 ans", Decimal("40"), "years", "more_than", None),
        ("gipso", "200 entreprises", Decimal("200"), "count", "exact", None),
        ("gipso", "7 000 emplois", Decimal("7000"), "count", "exact", 2017),
        ("gipso", "63 établissements pharmaceutiques", Decimal("63"), "count", "exact", 2017),
        ("gipso", "718 M€ à l'export en 2018", Decimal("718000000"), "eur", "exact", 2018),
    ],
)
def test_key_figures_carry_value_unit_and_year(db, organisation, as_written, value, unit, qualifier, year):
    figure = KeyFigure.objects.get(organisation__slug=organisation, as_written=as_written)
    assert (figure.value, figure.unit, figure.qualifier, figure.year) == (value, unit, qualifier, year)


def test_regional_figures_name_their_sources(db):
    sources = dict(KeyFigure.objects.filter(organisation__slug="gipso").values_list("as_written", "source"))
    assert sources["200 entreprises"] == "CESER Aquitaine et CCI Nouvelle-Aquitaine"
    assert sources["7 000 emplois"] == "Leem - Rapport sur la situation de l'emploi en 2017"
    assert sources["63 établissements pharmaceutiques"] == "Leem - Rapport sur la situation de l'emploi en 2017"
    assert sources["718 M€ à l'export en 2018"] == "douane.gouv.fr, Le chiffre du commerce extérieur"
    companies = KeyFigure.objects.get(as_written="200 entreprises")
    assert set(companies.source_organisations.values_list("slug", flat=True)) == {
        "ceser-aquitaine",
        "cci-nouvelle-aquitaine",
    }
    assert companies.scope == "Filière pharmaceutique en Nouvelle-Aquitaine"


def test_gipso_is_polepharmas_network(db):
    relation = OrganisationRelation.objects.get(kind="network")
    assert (relation.source.slug, relation.target.slug) == ("gipso", "polepharma")


def test_polepharma_and_basque_health_cluster_are_partners_since_2013_around_rnaen(db):
    relation = OrganisationRelation.objects.get(
        kind="partnership", source__slug="polepharma", target__slug="basque-health-cluster"
    )
    assert relation.started_on == datetime.date(2013, 1, 1)
    assert relation.started_on_precision == DatePrecision.YEAR
    assert "RNAEN" in relation.description


def test_leem_rapprochement_with_france_biotech_dates_from_february_2020(db):
    # "en février dernier" in a release of 12 June 2020.
    relation = OrganisationRelation.objects.get(source__slug="leem", target__slug="france-biotech")
    assert relation.started_on == datetime.date(2020, 2, 1)
    assert relation.started_on_precision == DatePrecision.MONTH
