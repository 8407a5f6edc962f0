"""History lines say who changed a record — the seed loader is named, not "someone unknown" — and read right in
each language: English punctuation in English ("created: …"), French in French."""

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from clusters.models import Organisation
from core.history import history_of, loader_name
from tests.factories import OrganisationFactory


def history_lines(response) -> list[str]:
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return [" ".join(entry.get_text().split()) for entry in soup.select(".history-entries > li")]


def who(response) -> list[str]:
    soup = BeautifulSoup(response.content, "html.parser")
    return [entry.get_text(strip=True) for entry in soup.select(".history-entries .history-who")]


def test_records_loaded_with_the_seed_are_attributed_to_the_seed_loader(seed, admin_client):
    leem = Organisation.objects.get(slug="leem")
    assert leem.history.get().history_change_reason == "loaddata seed"

    response = admin_client.get(leem.get_absolute_url())
    with translation.override("fr"):
        assert who(response) == [gettext("the seed loader")]
        assert gettext("someone unknown") not in response.content.decode()


def test_the_seed_loader_is_named_in_english_on_english_pages(seed, admin_client):
    response = admin_client.get("/en" + Organisation.objects.get(slug="leem").get_absolute_url())
    assert who(response) == ["the seed loader"]
    assert history_lines(response)[0].endswith("— the seed loader — created: organisation “Leem”")


def test_a_change_by_nobody_known_still_says_someone_unknown(db, admin_client):
    organisation = OrganisationFactory(name="Basque Biocluster")  # saved outside any request: no user
    response = admin_client.get("/en" + organisation.get_absolute_url())
    assert who(response) == ["someone unknown"]


def test_english_history_lines_have_no_space_before_a_colon(db, admin_client):
    organisation = OrganisationFactory(name="Basque Biocluster")
    organisation.name = "Basque Health Cluster"
    organisation.save()

    lines = history_lines(admin_client.get("/en" + organisation.get_absolute_url()))
    assert any(
        "changed: organisation “Basque Health Cluster” Name: Basque Biocluster → Basque Health Cluster" in line
        for line in lines
    ), lines
    assert not any(" :" in line or "«" in line for line in lines), lines


def test_french_history_lines_follow_the_french_catalogue(db, admin_client):
    organisation = OrganisationFactory(name="Basque Biocluster")
    organisation.name = "Basque Health Cluster"
    organisation.save()

    lines = history_lines(admin_client.get(organisation.get_absolute_url()))
    with translation.override("fr"):
        record = gettext("%(kind)s “%(name)s”") % {"kind": "organisation", "name": "Basque Health Cluster"}
        expected = gettext("%(action)s: %(record)s") % {"action": gettext("changed"), "record": record}
    assert any(expected in line for line in lines), lines


def test_a_fixture_other_than_the_seed_is_named_with_its_command(db):
    with translation.override("en"):
        assert loader_name("loaddata seed") == "the seed loader"
        assert loader_name("loaddata demo_extra") == "the fixture loader (loaddata demo_extra)"
    assert loader_name("loaddata seed") == "le chargement des données de départ"
    assert loader_name("loaddata demo_extra") == "le chargement de données (loaddata demo_extra)"
    assert loader_name("restored") == ""
    assert loader_name("") == ""


def test_loading_the_seed_with_the_command_marks_the_history_it_starts(db):
    call_command("loaddata", "seed", verbosity=0)
    polepharma = Organisation.objects.get(slug="polepharma")
    with translation.override("en"):
        (change,) = history_of(polepharma)
    assert change.who == "the seed loader"
    assert change.reason == ""  # named as the author, not repeated as a reason


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_stale_record_message_joins_who_and_what_in_the_language(db, language):
    organisation = OrganisationFactory(name="Leem")
    with translation.override(language):
        (change,) = history_of(organisation)
        expected = gettext("%(when)s, %(who)s: %(what)s") % {
            "when": "",
            "who": gettext("someone unknown"),
            "what": gettext("created"),
        }
        assert str(change).endswith(expected)
