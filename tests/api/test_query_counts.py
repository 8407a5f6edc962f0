"""Every API list answers in a number of queries that does not depend on how many rows it returns."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests import factories


def contact_list_with_people():
    contact_list = factories.ContactListFactory()
    contact_list.people.add(factories.PersonFactory(), factories.PersonFactory())
    return contact_list


def agreement_with_party_and_signatory():
    signatory = factories.SignatoryFactory()
    return signatory.agreement


def press_release_with_issuer():
    release = factories.PressReleaseFactory()
    release.issuers.add(factories.OrganisationFactory())
    factories.QuoteFactory(press_release=release)
    return release


def person_with_details():
    person = factories.PersonFactory()
    factories.PositionFactory(person=person)
    factories.EmailFactory(person=person)
    factories.PhoneFactory(person=person)
    return person


BUILDERS = {
    "organisations": factories.OrganisationNameFactory,
    "memberships": factories.MembershipFactory,
    "relations": factories.OrganisationRelationFactory,
    "sites": factories.SiteFactory,
    "key-figures": factories.KeyFigureFactory,
    "people": person_with_details,
    "positions": factories.PositionFactory,
    "contact-points": factories.EmailFactory,
    "press-contacts": factories.PressContactFactory,
    "contact-lists": contact_list_with_people,
    "agreements": agreement_with_party_and_signatory,
    "agreement-parties": factories.AgreementPartyFactory,
    "signatories": factories.SignatoryFactory,
    "press-releases": press_release_with_issuer,
}


# Queries per list for a superuser (no permission queries): a count, then the rows and one query per
# prefetched relation. Pinned, so that a relation read row by row shows here at once.
EXPECTED_QUERIES = {
    "organisations": 4,  # count, organisations, sectors, other names
    "memberships": 2,
    "relations": 2,
    "sites": 2,
    "key-figures": 3,  # count, figures, source organisations
    # people (cursor: no count), current positions, contact points, press roles, tags; the export log (the list
    # carries emails and phone numbers: contacts.privacy)
    "people": 6,
    "positions": 2,
    "contact-points": 3,  # count, contact points, the export log
    "press-contacts": 2,
    "contact-lists": 3,  # count, lists with owners, people
    "agreements": 6,  # count, agreements with hosts, topics, parties, signatories, press releases
    "agreement-parties": 2,
    "signatories": 2,
    "press-releases": 6,  # count, releases, issuers, agreements, quotes, speakers (these quotes name no organisation)
}


def queries_for(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, {"page_size": 200})
    assert response.status_code == 200
    return len(context.captured_queries), len(response.json()["results"])


@pytest.mark.parametrize("endpoint", BUILDERS)
def test_list_query_count_is_the_same_at_10_and_at_60_rows(db, admin_user, endpoint):
    client = APIClient()
    client.force_authenticate(admin_user)
    build = BUILDERS[endpoint]
    for _index in range(10):
        build()
    few, few_rows = queries_for(client, f"/api/{endpoint}/")
    for _index in range(50):
        build()
    many, many_rows = queries_for(client, f"/api/{endpoint}/")
    assert many_rows > few_rows >= 10
    assert few == EXPECTED_QUERIES[endpoint], f"{endpoint}: {few} queries at {few_rows} rows"
    assert many == few, f"{endpoint}: {few} queries at {few_rows} rows, {many} at {many_rows}"
