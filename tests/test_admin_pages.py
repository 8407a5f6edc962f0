"""Every admin page of every model: it lists, opens and adds records, with the seed too, and its
changelist runs the same number of queries whatever the number of rows."""

import pytest

from agreements.models import Agreement, AgreementParty, PressRelease, Provenance, Quote, Signatory, Topic
from clusters.models import (
    KeyFigure,
    Membership,
    MembershipType,
    Organisation,
    OrganisationName,
    OrganisationRelation,
    Sector,
    Site,
    Territory,
)
from contacts.models import ContactList, ContactListEntry, ContactPoint, Person, Position, PressContact, Tag
from tests.admin_helpers import admin_url
from tests.factories import (
    AgreementFactory,
    AgreementPartyFactory,
    ClusterFactory,
    ContactListFactory,
    EmailFactory,
    KeyFigureFactory,
    MembershipFactory,
    MembershipTypeFactory,
    OrganisationFactory,
    OrganisationNameFactory,
    OrganisationRelationFactory,
    PersonFactory,
    PhoneFactory,
    PositionFactory,
    PressContactFactory,
    PressReleaseFactory,
    QuoteFactory,
    SectorFactory,
    SignatoryFactory,
    SiteFactory,
    TagFactory,
    TerritoryFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def build_contact_list_entry():
    return ContactListEntry.objects.create(contact_list=ContactListFactory(), person=PersonFactory())


def build_provenance():
    return Provenance.objects.create(press_release=PressReleaseFactory(), record=PersonFactory())


def build_organisations(count):
    sectors = SectorFactory.create_batch(2)
    for organisation in OrganisationFactory.create_batch(count):
        organisation.sectors.set(sectors)


def build_sectors(count):
    organisation = OrganisationFactory()
    for sector in SectorFactory.create_batch(count):
        sector.organisations.add(organisation)


def build_territories(count):
    for _ in range(count):
        TerritoryFactory(through=OrganisationFactory())


def build_memberships(count):
    for _ in range(count):
        cluster = ClusterFactory()
        MembershipFactory(cluster=cluster, membership_type=MembershipTypeFactory(cluster=cluster))


def build_people(count):
    """People as the directory shows them: a primary position, an email, a phone, a tag each."""
    tag = TagFactory()
    for person in PersonFactory.create_batch(count):
        PositionFactory(person=person, is_primary=True)
        EmailFactory(person=person, is_primary=True)
        PhoneFactory(person=person)
        person.tags.add(tag)


def build_tags(count):
    person = PersonFactory()
    for tag in TagFactory.create_batch(count):
        tag.people.add(person)


def build_contact_lists(count):
    owner = UserFactory()
    people = PersonFactory.create_batch(3)
    for contact_list in ContactListFactory.create_batch(count, owner=owner):
        for person in people:
            ContactListEntry.objects.create(contact_list=contact_list, person=person)


def build_contact_list_entries(count):
    for _ in range(count):
        build_contact_list_entry()


def build_contact_points(count):
    for person in PersonFactory.create_batch(count):
        EmailFactory(person=person)
        PhoneFactory(person=person)


def build_topics(count):
    agreement = AgreementFactory()
    for topic in TopicFactory.create_batch(count):
        topic.agreements.add(agreement)


def build_agreements(count):
    topic = TopicFactory()
    for agreement in AgreementFactory.create_batch(count):
        AgreementPartyFactory.create_batch(2, agreement=agreement)
        agreement.topics.add(topic)


def build_press_releases(count):
    for press_release in PressReleaseFactory.create_batch(count):
        press_release.issuers.set(OrganisationFactory.create_batch(2))
        press_release.agreements.add(AgreementFactory())


def build_provenances(count):
    """Records of several kinds, each taken from its own press release."""
    for _ in range(count):
        press_release = PressReleaseFactory()
        position = PositionFactory()
        for record in (position, position.person, position.organisation):
            Provenance.objects.create(press_release=press_release, record=record)


# What the changelist shows of each record, so that the test sees the row a user would see.
CLUSTERS_FACTORIES = {
    Sector: (SectorFactory, lambda sector: sector.name),
    Organisation: (OrganisationFactory, lambda organisation: organisation.name),
    OrganisationName: (OrganisationNameFactory, lambda other_name: other_name.organisation.name),
    Site: (SiteFactory, lambda site: site.organisation.name),
    Territory: (TerritoryFactory, lambda territory: territory.region),
    KeyFigure: (KeyFigureFactory, lambda figure: figure.organisation.name),
    MembershipType: (MembershipTypeFactory, lambda membership_type: membership_type.cluster.name),
    Membership: (MembershipFactory, lambda membership: membership.member.name),
    OrganisationRelation: (OrganisationRelationFactory, lambda relation: relation.target.name),
}


CONTACTS_FACTORIES = {
    Tag: (TagFactory, lambda tag: tag.name),
    Person: (PersonFactory, lambda person: person.family_name),
    Position: (PositionFactory, lambda position: position.person.full_name),
    ContactPoint: (EmailFactory, lambda point: point.email),
    PressContact: (PressContactFactory, lambda press_contact: press_contact.person.full_name),
    ContactList: (ContactListFactory, lambda contact_list: contact_list.name),
    ContactListEntry: (build_contact_list_entry, lambda entry: entry.person.full_name),
}


AGREEMENTS_FACTORIES = {
    Topic: (TopicFactory, lambda topic: topic.name),
    Agreement: (AgreementFactory, lambda agreement: agreement.title),
    AgreementParty: (AgreementPartyFactory, lambda party: party.organisation.name),
    Signatory: (SignatoryFactory, lambda signatory: signatory.person.full_name),
    PressRelease: (PressReleaseFactory, lambda press_release: press_release.title),
    Quote: (QuoteFactory, lambda quote: quote.person.full_name),
    Provenance: (build_provenance, lambda provenance: provenance.record.full_name),
}


# model: (how to build n rows, queries of one changelist page, 2 of them for the session and the user)
CLUSTERS_CHANGELISTS = {
    Sector: (build_sectors, 5),
    Organisation: (build_organisations, 8),
    OrganisationName: (OrganisationNameFactory.create_batch, 5),
    Site: (SiteFactory.create_batch, 6),
    Territory: (build_territories, 6),
    KeyFigure: (KeyFigureFactory.create_batch, 6),
    MembershipType: (MembershipTypeFactory.create_batch, 5),
    Membership: (build_memberships, 7),  # + the membership types of the "type" filter
    OrganisationRelation: (OrganisationRelationFactory.create_batch, 5),
}


CONTACTS_CHANGELISTS = {
    Tag: (build_tags, 5),
    Person: (build_people, 8),  # one count, capped, and no count of the whole table (show_full_result_count)
    Position: (PositionFactory.create_batch, 6),
    ContactPoint: (build_contact_points, 5),
    PressContact: (PressContactFactory.create_batch, 6),
    ContactList: (build_contact_lists, 8),
    ContactListEntry: (build_contact_list_entries, 6),
}


AGREEMENTS_CHANGELISTS = {
    Topic: (build_topics, 5),
    Agreement: (build_agreements, 9),
    AgreementParty: (AgreementPartyFactory.create_batch, 5),
    Signatory: (SignatoryFactory.create_batch, 5),
    PressRelease: (build_press_releases, 9),
    Quote: (QuoteFactory.create_batch, 6),
    Provenance: (build_provenances, 10),
}


FACTORIES = {**CLUSTERS_FACTORIES, **CONTACTS_FACTORIES, **AGREEMENTS_FACTORIES}
CHANGELISTS = {**CLUSTERS_CHANGELISTS, **CONTACTS_CHANGELISTS, **AGREEMENTS_CHANGELISTS}


def model_label(model):
    return model._meta.label


@pytest.mark.parametrize("model", FACTORIES, ids=model_label)
def test_changelist_lists_the_record(admin_client, model):
    factory, visible_text = FACTORIES[model]
    record = factory()

    response = admin_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert visible_text(record) in response.text


@pytest.mark.parametrize("model", FACTORIES, ids=model_label)
def test_change_form_opens_the_record(admin_client, model):
    factory, _visible_text = FACTORIES[model]
    record = factory()

    response = admin_client.get(admin_url(model, "change", record.pk))

    assert response.status_code == 200
    assert response.context["original"] == record


@pytest.mark.parametrize("model", FACTORIES, ids=model_label)
def test_add_form_renders(admin_client, model):
    response = admin_client.get(admin_url(model, "add"))

    assert response.status_code == 200
    assert response.context["add"] is True


@pytest.mark.parametrize("model", CHANGELISTS, ids=model_label)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, django_assert_num_queries, model):
    build, queries = CHANGELISTS[model]
    url = admin_url(model, "changelist")
    build(10)
    admin_client.get(url)  # the first request of a test fills per-process caches (content types)

    with django_assert_num_queries(queries):
        assert admin_client.get(url).status_code == 200

    build(90)
    with django_assert_num_queries(queries):
        assert admin_client.get(url).status_code == 200


@pytest.mark.parametrize("model", FACTORIES, ids=model_label)
def test_changelist_and_change_forms_render_with_the_seed(admin_client, seed, model):
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    for record in model.objects.all():
        assert admin_client.get(admin_url(model, "change", record.pk)).status_code == 200
