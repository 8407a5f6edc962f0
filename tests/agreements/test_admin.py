"""The back office for agreements and press releases, as a staff member uses it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from agreements.models import Agreement, AgreementParty, PressRelease, Provenance, Quote, Signatory
from clusters.models import Organisation
from contacts.models import Person
from tests.admin_helpers import admin_url, management_form, shown
from tests.factories import (
    AgreementFactory,
    AgreementPartyFactory,
    OrganisationFactory,
    PersonFactory,
    PositionFactory,
    PressContactFactory,
    PressReleaseFactory,
    QuoteFactory,
    SignatoryFactory,
)

pytestmark = pytest.mark.django_db


SOURCES = "agreements-provenance-content_type-object_id"
NOT_A_PARTY = "%(organisation)s is not a party to this agreement: add it to the parties, or pick a party."


def agreement_form(**fields):
    return {
        "title": "Convention de partenariat Leem-GIPSO",
        "slug": "convention-leem-gipso",
        "kind": Agreement.Kind.CONVENTION,
        "status": Agreement.Status.SIGNED,
        "signed_on": "2020-06-12",
        "place": "Bordeaux",
        **management_form(SOURCES),
        **fields,
    }


def test_staff_add_an_agreement_with_its_parties_and_signatories_in_one_save(admin_client):
    leem, gipso = OrganisationFactory(name="Leem"), OrganisationFactory(name="GIPSO")
    president = PersonFactory(given_name="Luc", family_name="Grislain")

    response = admin_client.post(
        admin_url(Agreement, "add"),
        agreement_form(
            **management_form("parties", total=2),
            **{"parties-0-organisation": leem.pk, "parties-0-role": "party"},
            **{"parties-1-organisation": gipso.pk, "parties-1-role": "party"},
            **management_form("signatories", total=1),
            **{"signatories-0-person": president.pk, "signatories-0-organisation": gipso.pk},
            **{"signatories-0-title_at_signing": "Président du GIPSO"},
        ),
    )

    assert response.status_code == 302, response.context["errors"]
    agreement = Agreement.objects.get(slug="convention-leem-gipso")
    assert set(agreement.organisations.all()) == {leem, gipso}
    assert agreement.signatories.get().person == president


def test_a_signatory_for_an_organisation_that_is_not_a_party_is_refused_on_its_row(admin_client):
    leem, sanofi = OrganisationFactory(name="Leem"), OrganisationFactory(name="Sanofi")

    response = admin_client.post(
        admin_url(Agreement, "add"),
        agreement_form(
            **management_form("parties", total=1),
            **{"parties-0-organisation": leem.pk, "parties-0-role": "party"},
            **management_form("signatories", total=1),
            **{"signatories-0-person": PersonFactory().pk, "signatories-0-organisation": sanofi.pk},
        ),
    )

    assert response.status_code == 200
    signatory_formset = next(
        formset.formset for formset in response.context["inline_admin_formsets"] if formset.formset.model is Signatory
    )
    assert signatory_formset.forms[0].has_error("organisation", code="not_a_party")
    assert shown(NOT_A_PARTY, organisation="Sanofi") in response.text
    assert not Agreement.objects.exists()


def test_staff_add_a_party_and_its_signatory_to_a_saved_agreement_in_one_save(admin_client):
    agreement = AgreementFactory(slug="convention-leem-gipso", signed_on=datetime.date(2020, 6, 12))
    leem_party = AgreementPartyFactory(agreement=agreement, organisation__name="Leem")
    gipso = OrganisationFactory(name="GIPSO")
    president = PersonFactory()

    response = admin_client.post(
        admin_url(Agreement, "change", agreement.pk),
        agreement_form(
            title=agreement.title,
            **management_form("parties", total=2, initial=1),
            **{"parties-0-id": leem_party.pk, "parties-0-organisation": leem_party.organisation.pk},
            **{"parties-0-role": "party"},
            **{"parties-1-organisation": gipso.pk, "parties-1-role": "party"},
            **management_form("signatories", total=1),
            **{"signatories-0-person": president.pk, "signatories-0-organisation": gipso.pk},
        ),
    )

    assert response.status_code == 302, response.context["errors"]
    assert agreement.signatories.get().organisation == gipso


def test_removing_a_party_that_still_has_a_signatory_is_refused(admin_client):
    agreement = AgreementFactory(slug="convention-leem-gipso", signed_on=datetime.date(2020, 6, 12))
    party = AgreementPartyFactory(agreement=agreement)
    signatory = SignatoryFactory(agreement=agreement, organisation=party.organisation)

    response = admin_client.post(
        admin_url(Agreement, "change", agreement.pk),
        agreement_form(
            title=agreement.title,
            **management_form("parties", total=1, initial=1),
            **{"parties-0-id": party.pk, "parties-0-organisation": party.organisation.pk, "parties-0-role": "party"},
            **{"parties-0-DELETE": "on"},
            **management_form("signatories", total=1, initial=1),
            **{"signatories-0-id": signatory.pk, "signatories-0-person": signatory.person.pk},
            **{"signatories-0-organisation": party.organisation.pk},
        ),
    )

    assert response.status_code == 200
    assert shown(NOT_A_PARTY, organisation=party.organisation.name) in response.text
    assert AgreementParty.objects.filter(pk=party.pk).exists()


def test_signatory_form_refuses_an_organisation_that_is_not_a_party(admin_client):
    agreement = AgreementFactory()
    AgreementPartyFactory(agreement=agreement)

    response = admin_client.post(
        admin_url(Signatory, "add"),
        {"agreement": agreement.pk, "person": PersonFactory().pk, "organisation": OrganisationFactory().pk},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["organisation"]
    assert not Signatory.objects.exists()


def test_agreement_list_links_to_its_parties(admin_client):
    party = AgreementPartyFactory(organisation__name="Basque Health Cluster")

    response = admin_client.get(admin_url(Agreement, "changelist"))

    assert f'<a href="{admin_url(Organisation, "change", party.organisation.pk)}">Basque Health Cluster</a>' in (
        response.text
    )


def test_agreement_form_links_to_the_press_releases_announcing_it(admin_client):
    agreement = AgreementFactory()
    press_release = PressReleaseFactory(title="Alliance Polepharma-GIPSO et Basque Health Cluster")
    press_release.agreements.add(agreement)

    response = admin_client.get(admin_url(Agreement, "change", agreement.pk))

    assert f'href="{admin_url(PressRelease, "change", press_release.pk)}"' in response.text
    assert "Alliance Polepharma-GIPSO et Basque Health Cluster" in response.text


def test_press_release_form_lists_the_records_taken_from_it_by_kind(admin_client):
    press_release = PressReleaseFactory()
    position = PositionFactory(
        title="Président", person__given_name="Luc", person__family_name="Grislain", organisation__name="GIPSO"
    )
    for record in (position, position.person, position.organisation):
        Provenance.objects.create(press_release=press_release, record=record)

    response = admin_client.get(admin_url(PressRelease, "change", press_release.pk))

    records = response.text
    assert f'<a href="{admin_url(Person, "change", position.person.pk)}">Luc Grislain</a>' in records
    assert f'<a href="{admin_url(Organisation, "change", position.organisation.pk)}">GIPSO</a>' in records
    assert f'<a href="{reverse("admin:contacts_position_change", args=[position.pk])}">' in records
    assert "Président (Luc Grislain, GIPSO)" in records
    for kind in (Person, Organisation, type(position)):
        with translation.override("fr"):
            assert f"<dt>{escape(str(kind._meta.verbose_name_plural).capitalize())} (1)</dt>" in records


def test_press_release_form_names_each_press_contact_by_person_and_organisation(admin_client):
    PressContactFactory(person__given_name="Sarah", person__family_name="Bou", organisation__name="Leem")

    response = admin_client.get(admin_url(PressRelease, "add"))

    assert "Sarah Bou — Leem" in response.text


def test_press_release_form_carries_its_quotes(admin_client):
    quote = QuoteFactory(text="Cette convention souligne la place du GIPSO.")

    response = admin_client.get(admin_url(PressRelease, "change", quote.press_release.pk))

    assert "Cette convention souligne la place du GIPSO." in response.text


def test_provenance_list_links_to_the_record_and_the_press_release(admin_client):
    position = PositionFactory(title="Directeur Général", person__family_name="Riolet", organisation__name="Polepharma")
    press_release = PressReleaseFactory()
    Provenance.objects.create(press_release=press_release, record=position)

    response = admin_client.get(admin_url(Provenance, "changelist"))

    assert f'href="{reverse("admin:contacts_position_change", args=[position.pk])}"' in response.text
    assert "Directeur Général (Camille" in response.text
    assert f'href="{admin_url(PressRelease, "change", press_release.pk)}"' in response.text


def test_agreement_and_signatory_forms_show_their_sources(admin_client):
    signatory = SignatoryFactory()
    press_release = PressReleaseFactory(title="Signature de la convention")
    Provenance.objects.create(press_release=press_release, record=signatory.agreement)
    Provenance.objects.create(press_release=press_release, record=signatory)

    for record in (signatory.agreement, signatory):
        response = admin_client.get(admin_url(type(record), "change", record.pk))
        assert f'href="{admin_url(PressRelease, "change", press_release.pk)}"' in response.text


def test_person_form_links_to_the_agreements_they_signed_and_their_quotes(admin_client):
    signatory = SignatoryFactory(agreement__title="Convention Leem-GIPSO")
    quote = QuoteFactory(person=signatory.person)

    response = admin_client.get(admin_url(Person, "change", signatory.person.pk))

    assert f'href="{admin_url(Agreement, "change", signatory.agreement.pk)}"' in response.text
    assert f'href="{admin_url(Quote, "change", quote.pk)}"' in response.text
