"""Every named database constraint rejects the bad data it exists for, on SQLite and on PostgreSQL.

Records are written with ``bulk_create`` / ``update`` so that nothing in Python gets a chance
to clean them first: what is tested is the database itself.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agreements.models import Agreement, PressRelease, Provenance, Quote
from clusters.models import (
    KeyFigure,
    Membership,
    MembershipType,
    Organisation,
    OrganisationName,
    OrganisationRelation,
    Site,
    Territory,
)
from contacts.models import ContactList, ContactListEntry, ContactPoint, Person, Position, PressContact
from tests import factories

TODAY = datetime.date(2024, 6, 1)
YESTERDAY = TODAY - datetime.timedelta(days=1)


def rejected(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


@pytest.fixture
def org(db):
    return factories.OrganisationFactory()


@pytest.fixture
def person(db):
    return factories.PersonFactory()


def test_organisation_needs_a_name_and_a_unique_slug(org):
    rejected(lambda: Organisation.objects.bulk_create([Organisation(slug="x", name="")]))
    rejected(lambda: Organisation.objects.bulk_create([Organisation(slug=org.slug, name="Autre")]))


def test_other_names_are_unique_per_organisation_and_dated_in_order(org):
    OrganisationName.objects.create(organisation=org, name="Basque Biocluster")
    rejected(
        lambda: OrganisationName.objects.bulk_create([OrganisationName(organisation=org, name="Basque Biocluster")])
    )
    rejected(
        lambda: OrganisationName.objects.bulk_create(
            [OrganisationName(organisation=org, name="Autre", used_from=TODAY, used_until=YESTERDAY)]
        )
    )


def test_sites_unique_by_name_and_one_head_office(org):
    Site.objects.create(organisation=org, name="Siège", kind=Site.Kind.HEAD_OFFICE)
    rejected(lambda: Site.objects.bulk_create([Site(organisation=org, name="Siège", kind=Site.Kind.ANTENNA)]))
    rejected(lambda: Site.objects.bulk_create([Site(organisation=org, name="Autre siège", kind=Site.Kind.HEAD_OFFICE)]))
    Site.objects.create(organisation=factories.OrganisationFactory(), name="Siège", kind=Site.Kind.HEAD_OFFICE)


def test_territory_listed_once_per_organisation(org):
    Territory.objects.create(organisation=org, region="Normandie")
    rejected(lambda: Territory.objects.bulk_create([Territory(organisation=org, region="Normandie")]))


@pytest.mark.parametrize(
    "values",
    [
        {"value": -1},
        {"value": 120, "unit": KeyFigure.Unit.PERCENT},
        {"value": 10, "year": 99},
    ],
    ids=["negative", "percent-over-100", "implausible-year"],
)
def test_key_figures_reject_impossible_values(org, values):
    rejected(lambda: KeyFigure.objects.bulk_create([KeyFigure(organisation=org, label="Emplois", **values)]))


def test_membership_types_unique_slug_per_cluster_and_no_negative_fee(org):
    MembershipType.objects.create(cluster=org, slug="adherent", name="Adhérent")
    rejected(lambda: MembershipType.objects.bulk_create([MembershipType(cluster=org, slug="adherent", name="Autre")]))
    rejected(
        lambda: MembershipType.objects.bulk_create([MembershipType(cluster=org, slug="x", name="X", annual_fee=-5)])
    )


def test_memberships_not_of_itself_dated_in_order_and_unique_per_start(org):
    member = factories.OrganisationFactory()
    rejected(lambda: Membership.objects.bulk_create([Membership(cluster=org, member=org)]))
    rejected(
        lambda: Membership.objects.bulk_create(
            [Membership(cluster=org, member=member, started_on=TODAY, ended_on=YESTERDAY)]
        )
    )
    Membership.objects.create(cluster=org, member=member, started_on=TODAY)
    rejected(lambda: Membership.objects.bulk_create([Membership(cluster=org, member=member, started_on=TODAY)]))


def test_relations_not_to_itself_dated_in_order_and_unique_per_kind(org):
    other = factories.OrganisationFactory()
    kind = OrganisationRelation.Kind.PARTNERSHIP
    rejected(
        lambda: OrganisationRelation.objects.bulk_create([OrganisationRelation(source=org, target=org, kind=kind)])
    )
    rejected(
        lambda: OrganisationRelation.objects.bulk_create(
            [OrganisationRelation(source=org, target=other, kind=kind, started_on=TODAY, ended_on=YESTERDAY)]
        )
    )
    OrganisationRelation.objects.create(source=org, target=other, kind=kind)
    rejected(
        lambda: OrganisationRelation.objects.bulk_create([OrganisationRelation(source=org, target=other, kind=kind)])
    )


def test_person_needs_a_family_name_and_a_unique_slug(person):
    rejected(lambda: Person.objects.bulk_create([Person(slug="x", given_name="Camille", family_name="")]))
    rejected(lambda: Person.objects.bulk_create([Person(slug=person.slug, family_name="Autre")]))


def test_positions_need_a_title_dates_in_order_and_one_primary(person, org):
    rejected(lambda: Position.objects.bulk_create([Position(person=person, organisation=org, title="")]))
    rejected(
        lambda: Position.objects.bulk_create(
            [Position(person=person, organisation=org, title="Président", started_on=TODAY, ended_on=YESTERDAY)]
        )
    )
    Position.objects.create(person=person, organisation=org, title="Président", is_primary=True)
    other = factories.OrganisationFactory()
    rejected(
        lambda: Position.objects.bulk_create(
            [Position(person=person, organisation=other, title="Directeur", is_primary=True)]
        )
    )
    Position.objects.create(person=person, organisation=other, title="Directeur", is_primary=False)


@pytest.mark.parametrize(
    "values",
    [
        {"medium": "email", "email": "", "phone": ""},
        {"medium": "email", "email": "a@example.org", "phone": "+33145038838"},
        {"medium": "phone", "email": "", "phone": ""},
        {"medium": "phone", "email": "a@example.org", "phone": ""},
        {"medium": "email", "email": "Camille@Example.org", "phone": ""},
        {"medium": "email", "email": "a@example.org", "phone": "", "kind": "mobile"},
    ],
    ids=["email-empty", "email-with-phone", "phone-empty", "phone-with-email", "email-upper-case", "email-mobile"],
)
def test_contact_points_hold_one_clean_value(person, values):
    rejected(lambda: ContactPoint.objects.bulk_create([ContactPoint(person=person, **values)]))


def test_an_email_or_phone_once_per_person_and_one_preferred_per_medium(person):
    ContactPoint.objects.create(person=person, medium="email", email="a@example.org", is_primary=True)
    ContactPoint.objects.create(person=person, medium="phone", phone="+33145038838", is_primary=True)
    rejected(
        lambda: ContactPoint.objects.bulk_create([ContactPoint(person=person, medium="email", email="a@example.org")])
    )
    rejected(
        lambda: ContactPoint.objects.bulk_create([ContactPoint(person=person, medium="phone", phone="+33145038838")])
    )
    rejected(
        lambda: ContactPoint.objects.bulk_create(
            [ContactPoint(person=person, medium="email", email="b@example.org", is_primary=True)]
        )
    )
    # Another person may share the address (a shared press office mailbox).
    ContactPoint.objects.create(person=factories.PersonFactory(), medium="email", email="a@example.org")


def test_press_contact_once_per_organisation_and_dated_in_order(person, org):
    PressContact.objects.create(person=person, organisation=org)
    rejected(lambda: PressContact.objects.bulk_create([PressContact(person=person, organisation=org)]))
    other = factories.OrganisationFactory()
    rejected(
        lambda: PressContact.objects.bulk_create(
            [PressContact(person=person, organisation=other, started_on=TODAY, ended_on=YESTERDAY)]
        )
    )


def test_a_person_is_on_a_list_once(person):
    contact_list = ContactList.objects.create(slug="presse", name="Presse")
    ContactListEntry.objects.create(contact_list=contact_list, person=person)
    rejected(lambda: ContactListEntry.objects.bulk_create([ContactListEntry(contact_list=contact_list, person=person)]))


def test_agreements_need_a_title_a_signing_date_unless_draft_and_dates_in_order(db):
    rejected(lambda: Agreement.objects.bulk_create([Agreement(slug="a", title="", signed_on=TODAY)]))
    rejected(lambda: Agreement.objects.bulk_create([Agreement(slug="b", title="B", status="signed", signed_on=None)]))
    rejected(
        lambda: Agreement.objects.bulk_create([Agreement(slug="c", title="C", signed_on=TODAY, ends_on=YESTERDAY)])
    )
    Agreement.objects.create(slug="d", title="D", status=Agreement.Status.DRAFT, signed_on=None)


def test_parties_and_signatories_are_listed_once(org, person):
    agreement = factories.AgreementFactory()
    factories.AgreementPartyFactory(agreement=agreement, organisation=org)
    rejected(lambda: factories.AgreementPartyFactory(agreement=agreement, organisation=org))
    factories.SignatoryFactory(agreement=agreement, person=person, organisation=org)
    rejected(lambda: factories.SignatoryFactory(agreement=agreement, person=person, organisation=org))


def test_press_releases_and_quotes_need_their_text(person):
    rejected(lambda: PressRelease.objects.bulk_create([PressRelease(slug="a", title="", text="x", published_on=TODAY)]))
    rejected(lambda: PressRelease.objects.bulk_create([PressRelease(slug="b", title="B", text="", published_on=TODAY)]))
    release = factories.PressReleaseFactory()
    rejected(lambda: Quote.objects.bulk_create([Quote(press_release=release, person=person, text="")]))


def test_a_record_points_to_a_release_once(person):
    release = factories.PressReleaseFactory()
    Provenance.objects.create(press_release=release, record=person)
    rejected(lambda: Provenance.objects.bulk_create([Provenance(press_release=release, record=person)]))


def test_full_clean_explains_a_broken_rule_in_words(person, org):
    position = Position(person=person, organisation=org, title="Président", started_on=TODAY, ended_on=YESTERDAY)
    with pytest.raises(ValidationError) as error:
        position.full_clean()
    assert "Un poste ne peut pas se terminer avant d'avoir commencé." in error.value.messages


def test_full_clean_refuses_a_second_primary_position_in_words(person, org):
    Position.objects.create(person=person, organisation=org, title="Président", is_primary=True)
    second = Position(person=person, organisation=factories.OrganisationFactory(), title="Directeur", is_primary=True)
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert "Cette personne a déjà un poste principal." in error.value.messages


def test_contact_point_clean_normalises_the_address_before_checking_it(person):
    ContactPoint.objects.create(person=person, medium="email", email="sbou@leem.org")
    duplicate = ContactPoint(person=person, medium="email", email=" SBOU@leem.org/ ")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "Cette personne a déjà cette adresse e-mail." in error.value.messages
