"""The back office for people and contact lists, as a staff member uses it."""

import datetime
import io
import re

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from agreements.models import Provenance
from clusters.models import Organisation
from contacts.models import (
    Consent,
    ContactList,
    ContactListEntry,
    ContactPoint,
    ExportLog,
    Person,
    Position,
    PressContact,
)
from tests.admin_helpers import admin_url, management_form, shown
from tests.factories import (
    ContactListFactory,
    EmailFactory,
    OrganisationFactory,
    PersonFactory,
    PhoneFactory,
    PositionFactory,
    PressContactFactory,
    PressReleaseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_person_list_shows_the_position_the_email_and_the_phone_in_national_format(admin_client):
    person = PersonFactory(given_name="Fabien", family_name="Riolet")
    polepharma = OrganisationFactory(name="Polepharma")
    PositionFactory(person=person, organisation=polepharma, title="Directeur Général", is_primary=True)
    EmailFactory(person=person, email="fabien.riolet@polepharma.com", is_primary=True)
    PhoneFactory(person=person, phone="+33556113215")

    response = admin_client.get(admin_url(Person, "changelist"))

    assert "Fabien Riolet" in response.text
    assert "Directeur Général" in response.text
    assert f'<a href="{admin_url(Organisation, "change", polepharma.pk)}">Polepharma</a>' in response.text
    assert "fabien.riolet@polepharma.com" in response.text
    assert "05 56 11 32 15" in response.text


def test_person_list_shows_a_foreign_phone_in_international_format(admin_client):
    PhoneFactory(person__family_name="Pascual de Zulueta", phone="+34644845644")

    response = admin_client.get(admin_url(Person, "changelist"))

    assert "+34 644 84 56 44" in response.text


def test_person_list_shows_the_preferred_email_first(admin_client):
    person = PersonFactory()
    EmailFactory(person=person, email="ancienne@example.org")
    EmailFactory(person=person, email="preferee@example.org", is_primary=True)

    response = admin_client.get(admin_url(Person, "changelist"))

    assert "preferee@example.org" in response.text
    assert "ancienne@example.org" not in response.text


def test_person_list_leaves_out_a_position_that_has_ended(admin_client):
    person = PersonFactory()
    PositionFactory(person=person, title="Ancien président", ended_on=timezone.localdate() - datetime.timedelta(days=1))

    response = admin_client.get(admin_url(Person, "changelist"))

    assert "Ancien président" not in response.text


def test_searching_people_by_family_name_finds_the_person(admin_client):
    maria = PersonFactory(given_name="Maria", family_name="Pascual de Zulueta")
    PersonFactory(given_name="Fabien", family_name="Riolet")

    response = admin_client.get(admin_url(Person, "changelist"), {"q": "Pascual"})

    assert list(response.context["cl"].result_list) == [maria]
    assert "Riolet" not in response.text


def test_searching_people_by_organisation_finds_who_works_there(admin_client):
    position = PositionFactory(organisation__name="Polepharma")
    PositionFactory(organisation__name="Leem")

    response = admin_client.get(admin_url(Person, "changelist"), {"q": "Polepharma"})

    assert list(response.context["cl"].result_list) == [position.person]


def test_searching_people_by_a_phone_number_written_the_french_way_finds_the_person(admin_client):
    person = PhoneFactory(phone="+33556113215").person
    PhoneFactory(phone="+33145038838")

    response = admin_client.get(admin_url(Person, "changelist"), {"q": "05 56 11 32 15"})

    assert list(response.context["cl"].result_list) == [person]


def test_organisation_autocomplete_for_a_position_answers_with_the_organisation(admin_client):
    polepharma = OrganisationFactory(name="Polepharma")
    OrganisationFactory(name="Leem")

    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "contacts", "model_name": "position", "field_name": "organisation", "term": "polep"},
    )

    assert response.status_code == 200
    assert response.json()["results"] == [{"id": str(polepharma.pk), "text": "Polepharma"}]


def test_person_autocomplete_finds_a_person_by_family_name(admin_client):
    person = PersonFactory(given_name="Philippe", family_name="Ivanès")

    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "contacts", "model_name": "position", "field_name": "person", "term": "Ivan"},
    )

    assert response.json()["results"] == [{"id": str(person.pk), "text": "Philippe Ivanès"}]


def test_admin_speaks_french_by_default(admin_client):
    login_page = Client().get("/admin/login/")
    index = admin_client.get("/admin/")

    assert "Connexion" in login_page.text
    assert '<html lang="fr"' in index.text
    assert "Site d’administration" in index.text


def test_staff_member_without_permission_cannot_open_the_person_list(client):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(admin_url(Person, "changelist")).status_code == 403


def test_staff_member_with_view_permission_sees_the_person_list(client):
    from django.contrib.auth.models import Permission

    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_person"))
    client.force_login(user)
    PersonFactory(family_name="Riolet")

    response = client.get(admin_url(Person, "changelist"))

    assert response.status_code == 200
    assert "Riolet" in response.text


PERSON_INLINES_EMPTY = {
    **management_form("positions"),
    **management_form("press_roles"),
    **management_form("consents"),
    **management_form("agreements-provenance-content_type-object_id"),
}


def test_staff_add_a_person_with_an_email_copied_from_a_press_release_and_a_phone(admin_client):
    response = admin_client.post(
        admin_url(Person, "add"),
        {
            "given_name": "Sarah",
            "family_name": "Bou",
            "slug": "sarah-bou",
            "lawful_basis": Person.LawfulBasis.LEGITIMATE_INTEREST,
            "data_source": Person.DataSource.PRESS_RELEASE,
            **PERSON_INLINES_EMPTY,
            **management_form("contact_points", total=2),
            "contact_points-0-medium": "email",
            "contact_points-0-kind": "work",
            "contact_points-0-email": "sbou@leem.org/",
            "contact_points-1-medium": "phone",
            "contact_points-1-kind": "work",
            "contact_points-1-phone": "05 56 11 32 15",
        },
    )

    assert response.status_code == 302, response.context["errors"]
    person = Person.objects.get(slug="sarah-bou")
    assert sorted(point.value for point in person.contact_points.all()) == ["05 56 11 32 15", "sbou@leem.org"]
    assert person.contact_points.get(medium="phone").phone == "+33556113215"


def test_an_email_contact_point_with_a_phone_number_is_refused_with_the_reason(admin_client):
    person = PersonFactory()

    response = admin_client.post(
        admin_url(ContactPoint, "add"),
        {"person": person.pk, "medium": "email", "kind": "work", "email": "a@example.org", "phone": "0556113215"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["phone"]
    assert not ContactPoint.objects.exists()


def test_a_mobile_email_address_is_refused(admin_client):
    person = PersonFactory()

    response = admin_client.post(
        admin_url(ContactPoint, "add"), {"person": person.pk, "medium": "email", "kind": "mobile", "email": "a@b.org"}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["kind"]


def test_contact_point_list_finds_a_number_written_the_french_way(admin_client):
    point = PhoneFactory(phone="+33556113215")
    PhoneFactory(phone="+33145038838")

    response = admin_client.get(admin_url(ContactPoint, "changelist"), {"q": "05 56 11 32 15"})

    assert list(response.context["cl"].result_list) == [point]


def test_position_list_links_to_the_person_and_the_organisation(admin_client):
    position = PositionFactory(title="Président", person__family_name="Ivanès", organisation__name="Polepharma")

    response = admin_client.get(admin_url(Position, "changelist"))

    assert f'<a href="{admin_url(Person, "change", position.person.pk)}">' in response.text
    assert f'<a href="{admin_url(Organisation, "change", position.organisation.pk)}">Polepharma</a>' in response.text


def test_position_list_filters_the_positions_held_today(admin_client):
    current = PositionFactory(title="Directeur Général")
    PositionFactory(title="Ancien poste", ended_on=timezone.localdate() - datetime.timedelta(days=1))

    response = admin_client.get(admin_url(Position, "changelist"), {"held_today": "yes"})

    assert list(response.context["cl"].result_list) == [current]


def test_position_form_names_the_person_and_the_organisation(admin_client):
    position = PositionFactory(
        title="Président", person__given_name="Philippe", person__family_name="Ivanès", organisation__name="Polepharma"
    )

    response = admin_client.get(admin_url(Position, "change", position.pk))

    assert response.context["subtitle"] == "Philippe Ivanès — Président, Polepharma"


def test_person_form_edits_positions_contact_points_and_press_roles(admin_client):
    person = PersonFactory()
    PositionFactory(person=person, title="Directrice communication")
    EmailFactory(person=person, email="presse@example.org")
    PressContactFactory(person=person, organisation__name="Leem")

    response = admin_client.get(admin_url(Person, "change", person.pk))

    inline_models = [formset.formset.model for formset in response.context["inline_admin_formsets"]]
    assert inline_models == [Position, ContactPoint, PressContact, Consent, Provenance]
    assert "Directrice communication" in response.text
    assert "presse@example.org" in response.text


def test_person_form_shows_the_press_release_the_data_came_from(admin_client):
    person = PersonFactory()
    press_release = PressReleaseFactory(title="Signature de la convention Leem-GIPSO")
    Provenance.objects.create(press_release=press_release, record=person)

    response = admin_client.get(admin_url(Person, "change", person.pk))

    assert f'href="{reverse("admin:agreements_pressrelease_change", args=[press_release.pk])}"' in response.text
    assert "Signature de la convention Leem-GIPSO" in response.text


def test_marking_people_as_not_to_be_contacted(admin_client):
    people = PersonFactory.create_batch(2)
    other = PersonFactory()

    response = admin_client.post(
        admin_url(Person, "changelist"),
        {"action": "mark_do_not_contact", "_selected_action": [person.pk for person in people]},
        follow=True,
    )

    assert response.status_code == 200
    assert set(Person.objects.filter(do_not_contact=True)) == set(people)
    assert not Person.objects.get(pk=other.pk).do_not_contact


def test_new_contact_list_belongs_to_whoever_creates_it(admin_client, admin_user):
    response = admin_client.get(admin_url(ContactList, "add"))

    assert response.context["adminform"].form.initial["owner"] == admin_user.pk


def test_staff_build_a_contact_list_from_its_form(admin_client):
    people = PersonFactory.create_batch(2)

    response = admin_client.post(
        admin_url(ContactList, "add"),
        {
            "name": "Journalistes santé",
            "slug": "journalistes-sante",
            **management_form("entries", total=2),
            "entries-0-person": people[0].pk,
            "entries-1-person": people[1].pk,
        },
    )

    assert response.status_code == 302, response.context["errors"]
    assert set(ContactList.objects.get(slug="journalistes-sante").people.all()) == set(people)


def test_contact_list_shows_how_many_people_it_holds(admin_client):
    contact_list = ContactListFactory(name="Journalistes santé")
    for person in PersonFactory.create_batch(3):
        ContactListEntry.objects.create(contact_list=contact_list, person=person)

    response = admin_client.get(admin_url(ContactList, "changelist"))

    assert response.context["cl"].result_list[0].entry_count == 3


def test_slug_of_a_saved_person_cannot_be_changed(admin_client):
    person = PersonFactory(slug="fabien-riolet")

    response = admin_client.get(admin_url(Person, "change", person.pk))

    assert "slug" not in response.context["adminform"].form.fields
    assert "fabien-riolet" in response.text


def person_form(**fields):
    return {
        "given_name": "Sarah",
        "family_name": "Bou",
        "slug": "sarah-bou",
        "lawful_basis": Person.LawfulBasis.LEGITIMATE_INTEREST,
        "data_source": Person.DataSource.MANUAL,
        **management_form("positions"),
        **management_form("contact_points"),
        **PERSON_INLINES_EMPTY,
        **fields,
    }


def test_two_primary_positions_in_one_save_are_refused_on_the_second_row(admin_client):
    leem, gipso = OrganisationFactory(), OrganisationFactory()

    response = admin_client.post(
        admin_url(Person, "add"),
        person_form(
            **management_form("positions", total=2),
            **{"positions-0-organisation": leem.pk, "positions-0-title": "Directrice", "positions-0-is_primary": "on"},
            **{"positions-1-organisation": gipso.pk, "positions-1-title": "Trésorière", "positions-1-is_primary": "on"},
        ),
    )

    assert response.status_code == 200
    assert shown("Only one position can be the primary one.") in response.text
    assert not Person.objects.exists()


def test_the_same_email_twice_in_one_save_is_refused_whatever_its_case(admin_client):
    response = admin_client.post(
        admin_url(Person, "add"),
        person_form(
            **management_form("contact_points", total=2),
            **{"contact_points-0-medium": "email", "contact_points-0-kind": "work"},
            **{"contact_points-0-email": "sbou@leem.org"},
            **{"contact_points-1-medium": "email", "contact_points-1-kind": "work"},
            **{"contact_points-1-email": "SBou@Leem.org"},
        ),
    )

    assert response.status_code == 200
    assert shown("This email address is already in the list.") in response.text
    assert not Person.objects.exists()


def test_the_same_phone_written_two_ways_in_one_save_is_refused(admin_client):
    response = admin_client.post(
        admin_url(Person, "add"),
        person_form(
            **management_form("contact_points", total=2),
            **{"contact_points-0-medium": "phone", "contact_points-0-kind": "work"},
            **{"contact_points-0-phone": "05 56 11 32 15"},
            **{"contact_points-1-medium": "phone", "contact_points-1-kind": "mobile"},
            **{"contact_points-1-phone": "+33556113215"},
        ),
    )

    assert response.status_code == 200
    assert shown("This phone number is already in the list.") in response.text


def test_staff_hand_the_preferred_email_to_another_address_in_one_save(admin_client):
    person = PersonFactory(slug="sarah-bou")
    old = EmailFactory(person=person, email="ancienne@leem.org", is_primary=True)
    new = EmailFactory(person=person, email="sbou@leem.org")

    response = admin_client.post(
        admin_url(Person, "change", person.pk),
        person_form(
            given_name=person.given_name,
            family_name=person.family_name,
            **management_form("contact_points", total=2, initial=2),
            **{"contact_points-0-id": old.pk, "contact_points-0-medium": "email", "contact_points-0-kind": "work"},
            **{"contact_points-0-email": old.email},
            **{"contact_points-1-id": new.pk, "contact_points-1-medium": "email", "contact_points-1-kind": "work"},
            **{"contact_points-1-email": new.email, "contact_points-1-is_primary": "on"},
        ),
    )

    assert response.status_code == 302, response.context["errors"]
    assert person.contact_points.get(is_primary=True) == new


# --- exports from the back office -----------------------------------------------------------------------


def export_action(client, action, people):
    return client.post(
        admin_url(Person, "changelist"),
        {"action": action, "_selected_action": [person.pk for person in people]},
    )


def test_admin_action_exports_the_selected_people_as_csv(admin_client):
    chosen = PersonFactory(given_name="Léa", family_name="Étchegaray")
    EmailFactory(person=chosen, email="lea@example.eus")
    PersonFactory(family_name="Autre")
    refused = PersonFactory(family_name="Refus", do_not_contact=True)

    response = export_action(admin_client, "export_csv", [chosen, refused])

    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Léa;Étchegaray" in text and "lea@example.eus" in text
    assert ";Autre;" not in text and ";Refus;" not in text
    log = ExportLog.objects.get()
    assert (log.origin, log.export_format, log.row_count) == ("admin", "csv", 1)


@pytest.mark.parametrize(("action", "content_type"), [("export_xlsx", "spreadsheetml"), ("export_vcard", "vcard")])
def test_admin_action_exports_xlsx_and_vcard(admin_client, action, content_type):
    response = export_action(admin_client, action, [PersonFactory()])
    assert content_type in response["Content-Type"]


def test_export_actions_are_offered_only_to_users_who_may_export(client):
    staff = UserFactory(username="lecteur", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename__in=["view_person", "change_person"]))
    client.force_login(staff)
    PersonFactory()
    page = client.get(admin_url(Person, "changelist")).text
    assert "mark_do_not_contact" in page
    assert "export_csv" not in page
    response = export_action(client, "export_csv", [PersonFactory()])
    assert not getattr(response, "streaming", False)
    assert not ExportLog.objects.exists()


def test_an_admin_export_is_named_as_a_selection(admin_client):
    response = export_action(admin_client, "export_csv", [PersonFactory()])
    assert re.fullmatch(
        r'attachment; filename="contacts-selection-\d{4}-\d{2}-\d{2}-\d{4}\.csv"', response["Content-Disposition"]
    )


def everyone_action(client, action, people):
    with translation.override("en"):
        url = admin_url(Person, "changelist")
    return client.post(url, {"action": action, "_selected_action": [person.pk for person in people]})


def exported_text(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("text/csv"):
        return data.decode("utf-8-sig")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return "\n".join(";".join(str(value or "") for value in row) for row in sheet.iter_rows(values_only=True))


@pytest.mark.parametrize(("action", "extension"), [("export_everyone_csv", "csv"), ("export_everyone_xlsx", "xlsx")])
def test_a_superuser_exports_the_selected_people_those_who_asked_not_to_be_contacted_included(
    admin_client, admin_user, action, extension
):
    chosen = PersonFactory(given_name="Léa", family_name="Étchegaray")
    refused = PersonFactory(given_name="Itziar", family_name="Zubizarreta", do_not_contact=True)
    PersonFactory(family_name="Autre")

    response = everyone_action(admin_client, action, [chosen, refused])

    assert response.status_code == 200
    assert response["X-Left-Out-Do-Not-Contact"] == "0"
    assert re.fullmatch(
        rf'attachment; filename="contacts-full-selection-\d{{4}}-\d{{2}}-\d{{2}}-\d{{4}}\.{extension}"',
        response["Content-Disposition"],
    )
    text = exported_text(response)
    assert "Étchegaray" in text and "Zubizarreta" in text and "Autre" not in text
    log = ExportLog.objects.get()
    assert (log.user, log.origin, log.export_format, log.row_count) == (admin_user, "admin", extension, 2)
    assert log.filters == {"selected": 2, "include_do_not_contact": True}


def test_only_superusers_are_offered_the_export_of_everyone_and_no_one_else_can_post_it(client):
    staff = UserFactory(username="exportatrice", is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(codename__in=["view_person", "change_person", "export_contacts"])
    )
    client.force_login(staff)
    refused = PersonFactory(given_name="Itziar", family_name="Zubizarreta", do_not_contact=True)
    page = client.get(admin_url(Person, "changelist")).text
    assert "export_csv" in page
    assert "export_everyone_csv" not in page and "export_everyone_xlsx" not in page
    for action in ("export_everyone_csv", "export_everyone_xlsx"):
        response = export_action(client, action, [refused])
        assert response.status_code == 302, response.status_code
        assert response["Location"] == admin_url(Person, "changelist")
    assert not ExportLog.objects.exists()


def test_export_log_is_read_only_in_the_admin(admin_client):
    log = ExportLog.objects.create(username="camille", export_format="csv", origin="directory", row_count=3)
    assert "camille" in admin_client.get(admin_url(ExportLog, "changelist")).text
    assert admin_client.get(admin_url(ExportLog, "add")).status_code == 403
    page = admin_client.get(admin_url(ExportLog, "change", log.pk)).text
    assert 'name="username"' not in page
    assert admin_client.post(admin_url(ExportLog, "delete", log.pk), {"post": "yes"}).status_code == 403


def test_a_persons_change_page_names_the_organisation_of_each_row_without_a_query_per_row(
    admin_client, django_assert_num_queries
):
    one = PersonFactory()
    PositionFactory(person=one)
    many = PersonFactory()
    organisations = [OrganisationFactory(name=f"Laboratoire {letter}") for letter in "ABCD"]
    for organisation in organisations[:3]:
        PositionFactory(person=many, organisation=organisation)
    PressContactFactory(person=many, organisation=organisations[3])
    admin_client.get(
        admin_url(Person, "change", one.pk)
    )  # content types and permissions cached, as on a running server
    with CaptureQueriesContext(connection) as with_one:
        admin_client.get(admin_url(Person, "change", one.pk))

    with django_assert_num_queries(len(with_one.captured_queries)):
        html = admin_client.get(admin_url(Person, "change", many.pk)).content.decode()

    for organisation in organisations:
        assert f'<option value="{organisation.pk}" selected>{organisation.name}</option>' in html
