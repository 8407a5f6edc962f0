"""Consent (GDPR): when, how and by whom a person gave or withdrew it; withdrawing marks them not to be contacted;
shown and recorded on the person's page, listed in the back office, exported and erased with the person."""

import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.erasure import erase_person, erased_with_the_person
from contacts.models import Consent, Person
from contacts.privacy import person_data
from contacts.services import record_consent
from tests.admin_helpers import admin_url
from tests.factories import PersonFactory, UserFactory

YESTERDAY = timezone.now() - datetime.timedelta(days=1)


def consent_url(person):
    return f"/contacts/{person.slug}/consent/"


def posted(**values):
    return {"decision": "given", "how": "form", "at": YESTERDAY.strftime("%Y-%m-%dT%H:%M"), "note": "", **values}


# The model


def test_a_consent_needs_a_known_way(db):
    person = PersonFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.bulk_create([Consent(person=person, given=True, method="pigeon")])
    with pytest.raises(ValidationError) as error:
        Consent(person=person, given=True, method="pigeon").full_clean()
    assert "method" in error.value.message_dict


def test_consents_are_listed_latest_first_and_kept_in_the_history(db):
    person = PersonFactory()
    user = UserFactory()
    older = record_consent(person=person, given=True, how="form", at=YESTERDAY, recorded_by=user)
    newer = record_consent(person=person, given=False, how="email", at=timezone.now(), recorded_by=user)
    assert list(person.consents.all()) == [newer, older]
    # In French once the catalogue has them: « Consentement retiré », « Consentement donné ».
    assert str(newer) == _("Consent withdrawn") and str(older) == _("Consent given")
    assert Consent.history.filter(id=newer.pk).get().history_user == user


# The service


def test_withdrawing_consent_marks_the_person_not_to_be_contacted_with_a_new_version_and_history(db):
    person = PersonFactory(lawful_basis=Person.LawfulBasis.CONSENT)
    user = UserFactory()
    version = person.version
    record_consent(person=person, given=False, how="phone", at=YESTERDAY, recorded_by=user, note="Appel du 3")
    person.refresh_from_db()
    assert person.do_not_contact
    assert person.version == version + 1
    entry = Person.history.filter(id=person.pk).latest("history_date")
    assert entry.history_change_reason == _("Consent withdrawn")
    assert entry.history_user == user
    consent = person.consents.get()
    assert (consent.given, consent.method, consent.recorded_by, consent.note) == (False, "phone", user, "Appel du 3")


def test_giving_consent_makes_it_the_lawful_basis_but_does_not_lift_do_not_contact(db):
    person = PersonFactory(do_not_contact=True, lawful_basis=Person.LawfulBasis.LEGITIMATE_INTEREST)
    record_consent(person=person, given=True, how="event", at=YESTERDAY, recorded_by=UserFactory())
    person.refresh_from_db()
    assert person.lawful_basis == Person.LawfulBasis.CONSENT
    assert person.do_not_contact
    assert Person.history.filter(id=person.pk).latest("history_date").history_change_reason == _("Consent given")


def test_recording_what_the_person_already_says_changes_nothing_of_the_person(db):
    person = PersonFactory(lawful_basis=Person.LawfulBasis.CONSENT)
    version = person.version
    record_consent(person=person, given=True, how="form", at=YESTERDAY, recorded_by=None)
    person.refresh_from_db()
    assert person.version == version
    assert person.consents.count() == 1


def test_an_invalid_consent_is_refused_whole(db):
    person = PersonFactory()
    with pytest.raises(ValidationError):
        record_consent(person=person, given=False, how="pigeon", at=YESTERDAY, recorded_by=None)
    person.refresh_from_db()
    assert not person.do_not_contact and not Consent.objects.exists()


# The person's page


def test_the_page_shows_the_latest_consent_to_a_reader_without_the_form(db, viewer_client):
    person = PersonFactory()
    recorder = UserFactory(username="camille", first_name="Camille", last_name="Durand")
    record_consent(person=person, given=True, how="in_person", at=YESTERDAY, recorded_by=recorder, note="Salon")
    page = viewer_client.get(person.get_absolute_url()).content.decode()
    assert _("Consent") in page
    assert _("Given") in page and _("In person") in page and "Camille Durand" in page and "Salon" in page
    assert consent_url(person) not in page


def test_an_editor_records_a_withdrawal_from_the_page_and_comes_back_to_it(db, user_with):
    editor = user_with("change_person")
    person = PersonFactory(lawful_basis=Person.LawfulBasis.CONSENT)
    client = Client()
    client.force_login(editor)
    page = client.get(person.get_absolute_url()).content.decode()
    assert consent_url(person) in page
    response = client.post(consent_url(person), posted(decision="withdrawn", how="email"), follow=True)
    assert response.redirect_chain[-1][0].endswith(person.get_absolute_url() + "#consent")
    assert _("Consent withdrawal recorded: this person is now marked not to be contacted.") in response.content.decode()
    person.refresh_from_db()
    assert person.do_not_contact
    assert person.consents.get().recorded_by == editor


def test_giving_consent_to_someone_not_to_be_contacted_says_it_was_not_lifted(db, admin_client):
    person = PersonFactory(do_not_contact=True)
    response = admin_client.post(consent_url(person), posted(), follow=True)
    assert "Consentement enregistré. Cette personne reste marquée « ne pas contacter »" in response.content.decode()
    person.refresh_from_db()
    assert person.do_not_contact and person.lawful_basis == Person.LawfulBasis.CONSENT


@pytest.mark.parametrize(
    "values",
    [
        {"decision": "maybe"},
        {"how": "pigeon"},
        {"at": "not a date"},
        {"at": (timezone.now() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")},
        {"note": "x" * 5000},
        {"decision": ""},
    ],
)
def test_a_bad_form_records_nothing_and_says_why(db, admin_client, values):
    person = PersonFactory()
    response = admin_client.post(consent_url(person), posted(**values), follow=True)
    assert response.status_code == 200
    assert 'class="message error"' in response.content.decode()
    assert not Consent.objects.exists()


def test_a_reader_may_not_record_a_consent(db, viewer_client):
    person = PersonFactory()
    assert viewer_client.post(consent_url(person), posted()).status_code == 403
    assert not Consent.objects.exists()


def test_a_visitor_is_sent_to_the_login_page_and_an_unknown_person_is_a_404(db, client, admin_client):
    person = PersonFactory()
    assert client.post(consent_url(person), posted()).status_code == 302
    assert admin_client.post("/contacts/nobody/consent/", posted()).status_code == 404
    assert admin_client.get(consent_url(person)).status_code == 405


def test_no_consent_is_recorded_for_an_erased_person(db, admin_client):
    person = PersonFactory()
    erase_person(person=person)
    person.refresh_from_db()
    assert consent_url(person) not in admin_client.get(person.get_absolute_url()).content.decode()
    admin_client.post(consent_url(person), posted())
    assert not Consent.objects.exists()


# The back office


def test_the_person_admin_lists_the_consents_read_only(db, admin_client):
    person = PersonFactory()
    record_consent(person=person, given=False, how="phone", at=YESTERDAY, recorded_by=None, note="Par téléphone")
    page = admin_client.get(admin_url(Person, "change", person.pk)).content.decode()
    assert "Par téléphone" in page
    assert 'name="consents-0-note"' not in page  # evidence, not a form field


# Export and erasure


def test_person_data_and_export_person_hold_the_consents(db):
    person = PersonFactory(slug="camille-consent")
    user = UserFactory(username="dpo")
    record_consent(person=person, given=True, how="form", at=YESTERDAY, recorded_by=user, note="Formulaire web")
    data = person_data(person)
    assert data["consents"] == [
        {
            "given": True,
            "how": "form",
            "how_label": _("Form"),
            "at": YESTERDAY.isoformat(),
            "recorded_by": "dpo",
            "note": "Formulaire web",
        }
    ]
    out = io.StringIO()
    call_command("export_person", "camille-consent", stdout=out)
    assert json.loads(out.getvalue())["consents"][0]["note"] == "Formulaire web"


def test_erasure_removes_the_consents_and_their_history(db):
    assert Consent in erased_with_the_person()
    person = PersonFactory()
    consent = record_consent(person=person, given=True, how="form", at=YESTERDAY, recorded_by=None, note="Signé")
    erase_person(person=person)
    assert not Consent.objects.exists()
    assert not Consent.history.filter(id=consent.pk).exists()
