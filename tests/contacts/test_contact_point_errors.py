"""A wrong email address or phone number gets one message, which says what is wrong — not a second one saying that
nothing was entered."""

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from contacts.models import ContactPoint, Person
from tests.admin_helpers import admin_url, management_form, shown
from tests.factories import PersonFactory

PERSON_INLINES_EMPTY = {
    **management_form("positions"),
    **management_form("press_roles"),
    **management_form("consents"),
    **management_form("agreements-provenance-content_type-object_id"),
}
POINT_INLINES_EMPTY = management_form("agreements-provenance-content_type-object_id")
# A value the form refuses, and the model's message for no value at all.
INVALID = {"email": ("pas-une-adresse", "Enter the email address."), "phone": ("12", "Enter the phone number.")}


def error_messages(response) -> list[str]:
    """Every error message the page shows, as the user reads them."""
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return [item.get_text(strip=True) for item in soup.select(".errorlist li")]


def html_text(message: str) -> str:
    return BeautifulSoup(shown(message), "html.parser").get_text()


@pytest.mark.parametrize("medium", ["email", "phone"])
def test_a_wrong_value_on_the_contact_point_form_gets_one_message(admin_client, medium):
    value, empty = INVALID[medium]
    data = {"person": PersonFactory().pk, "medium": medium, "kind": "work", medium: value, **POINT_INLINES_EMPTY}
    response = admin_client.post(admin_url(ContactPoint, "add"), data)

    messages = error_messages(response)
    assert len(messages) == 1, messages
    assert messages != [html_text(empty)]
    assert not ContactPoint.objects.exists()


def test_a_wrong_email_in_the_person_form_gets_one_message_saying_it_is_not_valid(admin_client):
    response = admin_client.post(
        admin_url(Person, "add"),
        {
            "given_name": "Sarah",
            "family_name": "Bou",
            "slug": "sarah-bou",
            "lawful_basis": Person.LawfulBasis.LEGITIMATE_INTEREST,
            "data_source": Person.DataSource.PRESS_RELEASE,
            **PERSON_INLINES_EMPTY,
            **management_form("contact_points", total=1),
            "contact_points-0-medium": "email",
            "contact_points-0-kind": "work",
            "contact_points-0-email": "sbou@@leem",
        },
    )

    assert error_messages(response) == [html_text("Enter a valid email address.")]
    assert not Person.objects.filter(slug="sarah-bou").exists()


@pytest.mark.parametrize("medium", ["email", "phone"])
def test_an_empty_value_is_asked_for_once(admin_client, medium):
    data = {"person": PersonFactory().pk, "medium": medium, "kind": "work", **POINT_INLINES_EMPTY}
    response = admin_client.post(admin_url(ContactPoint, "add"), data)

    assert error_messages(response) == [html_text(INVALID[medium][1])]


@pytest.mark.parametrize("medium", ["email", "phone"])
def test_the_model_still_refuses_a_contact_point_without_its_value(db, medium):
    point = ContactPoint(person=PersonFactory(), medium=medium, kind="work")
    with pytest.raises(ValidationError) as refused:
        point.full_clean()
    assert refused.value.message_dict == {medium: [gettext(INVALID[medium][1])]}
