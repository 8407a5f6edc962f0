"""A member of staff logs a call from a person's page, with JavaScript (htmx swaps the timeline) and without (the
page comes back), sees it on the person's and their organisation's timelines, and finds who was not contacted
lately in the directory, in a real browser (in English: the French catalogue is the translators')."""

import pytest
from django.contrib.auth.models import Permission

from interactions.models import Interaction
from tests.factories import OrganisationFactory, PersonFactory, PositionFactory, UserFactory

PASSWORD = "correct-horse-battery-staple"  # noqa: S105  (the factories' password)


@pytest.fixture
def editor(transactional_db):
    user = UserFactory(username="camille", first_name="Camille")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["clusters", "contacts", "interactions"],
            codename__regex=r"^(view|add|change)_",
        )
    )
    return user


@pytest.fixture
def people(transactional_db):
    leem = OrganisationFactory(name="Leem", slug="leem")
    stephanie = PersonFactory(given_name="Stéphanie", family_name="Bou", slug="stephanie-bou")
    PositionFactory(person=stephanie, organisation=leem, title="Responsable presse")
    maria = PersonFactory(given_name="Maria", family_name="Pascual", slug="maria-pascual")
    return stephanie, maria, leem


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(f"{live_server.url}/")


def test_a_call_logged_from_a_persons_page_shows_on_both_timelines_and_in_the_directory(
    browser, page, live_server, editor, people
):
    stephanie, maria, leem = people
    sign_in(page, live_server, editor)
    person_url = f"{live_server.url}/en/contacts/stephanie-bou/"

    # With JavaScript: htmx posts the form and swaps the timeline; the page stays where it is.
    page.goto(person_url)
    timeline = page.locator("#timeline")
    timeline.get_by_label("Kind").select_option("call")
    timeline.get_by_label("What was said").fill("Called about the press release; she sends the quotes.")
    timeline.get_by_role("button", name="Log it").click()
    page.locator("#timeline >> text=Interaction logged.").wait_for()
    assert "Called about the press release; she sends the quotes." in page.locator("#timeline").inner_text()
    assert page.url == person_url
    assert page.locator("#timeline").get_by_label("What was said").input_value() == ""

    # Without JavaScript: the form posts, the page comes back with a message (post, redirect, get).
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    plain = context.new_page()
    sign_in(plain, live_server, editor)
    plain.goto(person_url)
    plain.locator("#timeline").get_by_label("Kind").select_option("note")
    plain.locator("#timeline").get_by_label("What was said").fill("Quotes received by email.")
    plain.locator("#timeline").get_by_role("button", name="Log it").click()
    plain.wait_for_url(person_url + "#timeline")
    assert "Interaction logged." in plain.locator(".messages").inner_text()
    assert "Quotes received by email." in plain.locator("#timeline").inner_text()
    context.close()

    assert Interaction.objects.count() == 2
    assert all(list(interaction.organisations.all()) == [leem] for interaction in Interaction.objects.all())

    # The organisation of her current position has both on its timeline.
    page.goto(f"{live_server.url}/en/organisations/leem/")
    organisation_timeline = page.locator("#timeline").inner_text()
    assert "Called about the press release" in organisation_timeline
    assert "Quotes received by email." in organisation_timeline

    # The directory: contacted today, she is not among the people not contacted for 3 months; Maria is.
    page.goto(f"{live_server.url}/en/contacts/?not_contacted_since=3")
    results = page.locator("#results").inner_text()
    assert "Maria Pascual" in results
    assert "Stéphanie Bou" not in results
    page.goto(f"{live_server.url}/en/contacts/?o=-last_contact")
    rows = page.locator("#results tbody tr")
    assert "Stéphanie Bou" in rows.nth(0).inner_text() and "never" in rows.nth(1).inner_text()
