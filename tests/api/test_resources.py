"""Every API resource, one by one: who may create, change and delete it, and how its list filters and sorts.

Each resource is described once (how to build a valid new record, an existing one, a change); the tests
run over all of them, so that a resource added to the API without its permissions wired fails here.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from rest_framework.test import APIClient

from tests.factories import (
    AgreementFactory,
    AgreementPartyFactory,
    ClusterFactory,
    ContactListFactory,
    EmailFactory,
    KeyFigureFactory,
    MembershipFactory,
    OrganisationFactory,
    OrganisationRelationFactory,
    PersonFactory,
    PhoneFactory,
    PositionFactory,
    PressContactFactory,
    PressReleaseFactory,
    SignatoryFactory,
    SiteFactory,
)


@dataclass
class Resource:
    endpoint: str
    model_name: str
    new: Callable[[], dict]
    existing: Callable[[], object]
    change: dict
    lookup: str = "id"
    shown: dict = field(default_factory=dict)

    def __str__(self):
        return self.endpoint

    def detail(self, record):
        return f"/api/{self.endpoint}/{getattr(record, self.lookup)}/"


def new_signatory():
    party = AgreementPartyFactory()
    return {
        "agreement": party.agreement.slug,
        "person": PersonFactory(slug="ane-etxeberria").slug,
        "organisation": party.organisation.slug,
        "title_at_signing": "Présidente",
    }


def existing_signatory():
    party = AgreementPartyFactory()
    return SignatoryFactory(agreement=party.agreement, organisation=party.organisation)


RESOURCES = [
    Resource(
        "organisations",
        "organisation",
        new=lambda: {"slug": "bihotz", "name": "Bihotz Cluster", "kind": "cluster", "country": "ES"},
        existing=OrganisationFactory,
        change={"city": "Bilbao"},
        lookup="slug",
    ),
    Resource(
        "memberships",
        "membership",
        new=lambda: {
            "cluster": ClusterFactory().slug,
            "member": OrganisationFactory().slug,
            "status": "current",
            "started_on": "2024-01-01",
        },
        existing=MembershipFactory,
        change={"notes": "Adhésion renouvelée en janvier."},
    ),
    Resource(
        "relations",
        "organisationrelation",
        new=lambda: {
            "source": OrganisationFactory().slug,
            "kind": "partnership",
            "target": OrganisationFactory().slug,
            "started_on": "2013-01-01",
            "started_on_precision": "year",
        },
        existing=OrganisationRelationFactory,
        change={"description": "Réunions communes."},
    ),
    Resource(
        "sites",
        "site",
        new=lambda: {"organisation": OrganisationFactory().slug, "name": "Antenne de Pau", "kind": "antenna"},
        existing=SiteFactory,
        change={"city": "Pau"},
    ),
    Resource(
        "key-figures",
        "keyfigure",
        new=lambda: {"organisation": OrganisationFactory().slug, "label": "entreprises", "value": "200.00"},
        existing=KeyFigureFactory,
        change={"year": 2019},
    ),
    Resource(
        "people",
        "person",
        new=lambda: {"slug": "ane-etxeberria", "given_name": "Ane", "family_name": "Etxeberria"},
        existing=PersonFactory,
        change={"notes": "Préfère être appelée le matin."},
        lookup="slug",
    ),
    Resource(
        "positions",
        "position",
        new=lambda: {"person": PersonFactory().slug, "organisation": OrganisationFactory().slug, "title": "Directrice"},
        existing=PositionFactory,
        change={"title": "Présidente"},
    ),
    Resource(
        "contact-points",
        "contactpoint",
        new=lambda: {"person": PersonFactory().slug, "medium": "email", "email": "ane@example.eus"},
        existing=EmailFactory,
        change={"label": "Service de presse"},
    ),
    Resource(
        "press-contacts",
        "presscontact",
        new=lambda: {"person": PersonFactory().slug, "organisation": OrganisationFactory().slug},
        existing=PressContactFactory,
        change={"notes": "Joignable le matin."},
    ),
    Resource(
        "contact-lists",
        "contactlist",
        new=lambda: {"slug": "presse-regionale", "name": "Presse régionale", "people": [PersonFactory().slug]},
        existing=ContactListFactory,
        change={"name": "Presse régionale et nationale"},
        lookup="slug",
    ),
    Resource(
        "agreements",
        "agreement",
        new=lambda: {"slug": "accord-pau", "title": "Accord de Pau", "kind": "partnership", "signed_on": "2024-03-01"},
        existing=AgreementFactory,
        change={"place": "Bayonne"},
        lookup="slug",
    ),
    Resource(
        "agreement-parties",
        "agreementparty",
        new=lambda: {"agreement": AgreementFactory().slug, "organisation": OrganisationFactory().slug},
        existing=AgreementPartyFactory,
        change={"name_as_written": "POLEPHARMA"},
    ),
    Resource(
        "signatories",
        "signatory",
        new=new_signatory,
        existing=existing_signatory,
        change={"title_at_signing": "Directeur Général"},
    ),
    Resource(
        "press-releases",
        "pressrelease",
        new=lambda: {"slug": "2024-05-02-communique", "title": "Communiqué", "published_on": "2024-05-02"},
        existing=PressReleaseFactory,
        change={"place": "Hendaye"},
        lookup="slug",
    ),
]


def client_for(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def model_of(resource, django_user_model):
    from django.apps import apps

    for app_label in ("clusters", "contacts", "events", "agreements"):
        try:
            return apps.get_model(app_label, resource.model_name)
        except LookupError:
            continue
    raise LookupError(resource.model_name)


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_creating_needs_the_add_permission(resource, user_with, django_user_model):
    model = model_of(resource, django_user_model)
    payload = resource.new()
    if resource.endpoint == "press-releases":
        payload["text"] = "COMMUNIQUÉ DE PRESSE"
    before = model.objects.count()

    refused = client_for(user_with()).post(f"/api/{resource.endpoint}/", payload, format="json")
    assert refused.status_code == 403
    assert model.objects.count() == before

    created = client_for(user_with(f"add_{resource.model_name}")).post(
        f"/api/{resource.endpoint}/", payload, format="json"
    )
    assert created.status_code == 201, created.json()
    assert model.objects.count() == before + 1
    body = created.json()
    for name, value in payload.items():
        assert body[name] == value, name


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_changing_needs_the_change_permission(resource, user_with):
    record = resource.existing()
    url = resource.detail(record)
    ((name, value),) = resource.change.items()

    refused = client_for(user_with()).patch(url, resource.change, format="json")
    assert refused.status_code == 403
    record.refresh_from_db()
    assert getattr(record, name) != value

    changed = client_for(user_with(f"change_{resource.model_name}")).patch(url, resource.change, format="json")
    assert changed.status_code == 200, changed.json()
    assert changed.json()[name] == value
    assert client_for(user_with()).get(url).json()[name] == value


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_deleting_needs_the_delete_permission(resource, user_with, django_user_model):
    model = model_of(resource, django_user_model)
    record = resource.existing()
    url = resource.detail(record)

    assert client_for(user_with(f"change_{resource.model_name}")).delete(url).status_code == 403
    assert model.objects.filter(pk=record.pk).exists()

    assert client_for(user_with(f"delete_{resource.model_name}")).delete(url).status_code == 204
    assert not model.objects.filter(pk=record.pk).exists()
    assert client_for(user_with()).get(url).status_code == 404


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_one_record_is_read_with_the_view_permission_only(resource, user_with, db):
    record = resource.existing()
    url = resource.detail(record)
    assert client_for(None).get(url).status_code in (401, 403)
    assert client_for(user_with()).get(url).status_code == 200
    nobody = user_with()
    nobody.user_permissions.clear()
    assert client_for(nobody).get(url).status_code == 403


def test_a_change_that_breaks_a_rule_is_refused_and_changes_nothing(admin_user, db):
    taken, person = PersonFactory(slug="ane-etxeberria"), PersonFactory(slug="ane")
    client = client_for(admin_user)
    response = client.patch("/api/people/ane/", {"slug": taken.slug}, format="json")
    assert response.status_code == 400 and "slug" in response.json()
    position = PositionFactory(person=person, started_on="2020-01-01")
    response = client.patch(f"/api/positions/{position.pk}/", {"ended_on": "2019-12-31"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["ended_on"]
    position.refresh_from_db()
    assert position.ended_on is None


def test_a_full_update_saves_every_field_sent(admin_user, db):
    site = SiteFactory(name="Antenne", city="Pau")
    payload = {"organisation": site.organisation.slug, "name": "Siège", "kind": "head_office", "country": "FR"}
    response = client_for(admin_user).put(f"/api/sites/{site.pk}/", payload, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["name"], response.json()["kind"]) == ("Siège", "head_office")
    site.refresh_from_db()
    assert (site.name, site.kind) == ("Siège", "head_office")


def ids(response):
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def read(user_with):
    # Listing contact points is an export: this reader may export contacts.
    client = client_for(user_with("export_contacts"))
    return lambda endpoint, **params: client.get(f"/api/{endpoint}/", params)


def test_memberships_filter_by_cluster_member_and_status_and_sort_by_date(read):
    first = MembershipFactory(started_on="2020-01-01")
    second = MembershipFactory(cluster=first.cluster, started_on="2022-01-01", cancelled_on="2023-01-01")
    other = MembershipFactory(started_on="2021-01-01")
    assert ids(read("memberships", cluster=first.cluster.slug, o="since")) == [first.pk, second.pk]
    assert ids(read("memberships", cluster=first.cluster.slug, o="-since")) == [second.pk, first.pk]
    assert ids(read("memberships", member=other.member.slug)) == [other.pk]
    assert ids(read("memberships", status="cancelled")) == [second.pk]


def test_relations_filter_by_either_end_and_kind(read):
    partnership = OrganisationRelationFactory(started_on="2013-01-01")
    network = OrganisationRelationFactory(source=partnership.source, kind="network", started_on="2010-01-01")
    assert ids(read("relations", source=partnership.source.slug, o="since")) == [network.pk, partnership.pk]
    assert ids(read("relations", target=network.target.slug)) == [network.pk]
    assert ids(read("relations", kind="partnership")) == [partnership.pk]


def test_sites_and_key_figures_filter_by_organisation_and_sort(read):
    organisation = OrganisationFactory()
    pau, bayonne = (
        SiteFactory(organisation=organisation, name="Pau"),
        SiteFactory(organisation=organisation, name="Bayonne"),
    )
    SiteFactory(name="Bilbao", kind="head_office")
    assert ids(read("sites", organisation=organisation.slug, o="name")) == [bayonne.pk, pau.pk]
    assert ids(read("sites", organisation=organisation.slug, kind="head_office")) == []
    jobs = KeyFigureFactory(organisation=organisation, label="emplois", value=7000, year=2017)
    companies = KeyFigureFactory(organisation=organisation, label="entreprises", value=200, unit="count")
    assert ids(read("key-figures", organisation=organisation.slug, o="-value")) == [jobs.pk, companies.pk]
    assert ids(read("key-figures", year=2017)) == [jobs.pk]


def test_positions_filter_by_person_organisation_and_current(read):
    person = PersonFactory()
    past = PositionFactory(person=person, title="Chargée de mission", started_on="2015-01-01", ended_on="2019-12-31")
    current = PositionFactory(person=person, title="Directrice", started_on="2020-01-01")
    assert ids(read("positions", person=person.slug, o="from")) == [past.pk, current.pk]
    assert ids(read("positions", person=person.slug, current="true")) == [current.pk]
    assert ids(read("positions", person=person.slug, current="false")) == [past.pk]
    assert ids(read("positions", organisation=current.organisation.slug)) == [current.pk]


def test_contact_points_and_press_roles_filter_by_person(read):
    email = EmailFactory(email="ane@example.eus")
    PhoneFactory(person=email.person)
    EmailFactory()
    assert ids(read("contact-points", person=email.person.slug, medium="email")) == [email.pk]
    assert len(ids(read("contact-points", person=email.person.slug, o="-medium"))) == 2
    role = PressContactFactory(person=email.person)
    PressContactFactory()
    assert ids(read("press-contacts", person=email.person.slug)) == [role.pk]
    assert ids(read("press-contacts", organisation=role.organisation.slug)) == [role.pk]


def test_contact_lists_filter_by_person_and_sort_by_name(read):
    person = PersonFactory()
    guests, media = ContactListFactory(name="Invités RNAEN"), ContactListFactory(name="Médias")
    guests.people.add(person)
    media.people.add(person)
    ContactListFactory(name="Autres")
    found = read("contact-lists", person=person.slug, o="-name").json()["results"]
    assert [row["name"] for row in found] == ["Médias", "Invités RNAEN"]


def test_parties_and_signatories_filter_by_agreement(read):
    signatory = existing_signatory()
    AgreementPartyFactory(agreement=signatory.agreement)
    existing_signatory()
    parties = read("agreement-parties", agreement=signatory.agreement.slug, o="organisation").json()["results"]
    assert len(parties) == 2 and all(row["agreement"] == signatory.agreement.slug for row in parties)
    assert ids(read("signatories", agreement=signatory.agreement.slug)) == [signatory.pk]
    assert ids(read("signatories", person=signatory.person.slug)) == [signatory.pk]
    assert ids(read("signatories", organisation=signatory.organisation.slug)) == [signatory.pk]


@pytest.mark.parametrize(
    "endpoint, param",
    [
        ("memberships", "cluster"),
        ("relations", "target"),
        ("sites", "organisation"),
        ("positions", "person"),
        ("contact-lists", "person"),
        ("signatories", "agreement"),
        ("people", "organisation"),
        ("organisations", "member_of"),
    ],
)
def test_an_unknown_slug_in_a_filter_answers_400_naming_it(read, endpoint, param):
    response = read(endpoint, **{param: "nowhere"})
    assert response.status_code == 400
    assert list(response.json()) == [param]


@pytest.mark.parametrize("endpoint", [resource.endpoint for resource in RESOURCES])
def test_an_unknown_sort_answers_400(read, endpoint):
    response = read(endpoint, o="password")
    assert response.status_code == 400
    assert list(response.json()) == ["o"]
