"""No page renders the whole of a table: its HTML is the same size with 100 and with 2 000 organisations, and with
100 and 2 000 people.

A filter's ``<select>`` of every organisation made /agreements/ and /press-releases/ 800 KB pages at 10 000
organisations (issue 21); choices of an organisation are boxes with suggestions (``core.widgets.SuggestedKeyInput``)
and lists are paginated. Each page here is rendered over the same records, once with 100 organisations in the
database and once with 2 000, and may not grow by more than a few kilobytes.
"""

import pytest
from django.urls import get_resolver, reverse

from clusters.models import Organisation
from contacts.models import Person
from tests.factories import AgreementFactory, OrganisationFactory, PersonFactory, PositionFactory

PAGES = [
    "/",
    "/contacts/",
    "/organisations/",
    "/agreements/",
    "/press-releases/",
    "/contacts/lists/",
    "/contacts/events/",
    "/duplicates/",
    "/search/?q=polepharma",
]
# The API's lists as a browser sees them (the browsable API), every ``api:*-list`` URL name: its filters' form
# listed every person and every organisation in a <select> (93 options for 40 positions).
_prefix, _api = get_resolver().namespace_dict["api"]
API_LISTS = sorted(
    reverse(f"api:{name}") for name in _api.reverse_dict if isinstance(name, str) and name.endswith("-list")
)
# Pages that choose a person: the interactions' filter listed every person (751 KB at 10 000 people).
PEOPLE_PAGES = ["/", "/contacts/", "/interactions/", "/interactions/follow-ups/", "/interactions/retention/"]
# Slack for what legitimately differs between the two renders: counts with more digits, a CSRF token.
SLACK_BYTES = 3_000


def organisations_up_to(total: int) -> None:
    missing = total - Organisation.objects.count()
    Organisation.objects.bulk_create(
        Organisation(name=f"Organisation {number:05d}", slug=f"organisation-{number:05d}")
        for number in range(Organisation.objects.count(), Organisation.objects.count() + missing)
    )


def sizes(client, pages=PAGES) -> dict[str, int]:
    found = {}
    for url in pages:
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
        found[url] = len(response.content)
    return found


@pytest.fixture
def records(db):
    polepharma = OrganisationFactory(name="Polepharma", slug="polepharma")
    for number in range(30):
        PositionFactory(person=PersonFactory(family_name=f"Person{number}"), organisation=polepharma)
    AgreementFactory()


def people_up_to(total: int) -> None:
    start = Person.objects.count()
    Person.objects.bulk_create(
        Person(given_name="Jeanne", family_name=f"Personne {number:05d}", slug=f"personne-{number:05d}")
        for number in range(start, total)
    )


@pytest.mark.parametrize(
    ("records_up_to", "pages"),
    [(organisations_up_to, PAGES + API_LISTS), (people_up_to, PEOPLE_PAGES + API_LISTS)],
    ids=["organisations", "people"],
)
def test_no_page_grows_with_the_number_of_records(records, admin_client, records_up_to, pages):
    records_up_to(100)
    small = sizes(admin_client, pages)
    records_up_to(2_000)
    large = sizes(admin_client, pages)
    grown = {url: large[url] - small[url] for url in small if large[url] - small[url] > SLACK_BYTES}
    assert grown == {}, f"bytes added by 1 900 more records: {grown}"


def test_the_agreements_and_press_releases_filters_suggest_organisations_rather_than_list_them(records, admin_client):
    organisations_up_to(100)
    for url in ("/agreements/", "/press-releases/"):
        html = admin_client.get(url).content.decode()
        assert "Organisation 00050" not in html, url
        assert 'hx-get="/organisations/suggestions/"' in html, url
