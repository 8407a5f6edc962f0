"""An email saved by Thunderbird imported from a person's page in a real browser: chosen in the form (it works as a
plain form) or dropped on it (static/crm/email_drop.js); the result page shows the interaction logged, and the
person's timeline shows it too."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from tests.factories import EmailFactory, OrganisationFactory, PersonFactory, PositionFactory, UserFactory

PASSWORD = "correct-horse-battery-staple"  # noqa: S105  (the factories' password)
EML = Path(__file__).resolve().parents[1] / "interactions" / "eml"
SUBJECT = "Réunion RNAEN – préparation du programme"


@pytest.fixture
def fabien(transactional_db):
    person = PersonFactory(given_name="Fabien", family_name="Riolet", slug="fabien-riolet")
    EmailFactory(person=person, email="f.riolet@polepharma.com")
    PositionFactory(person=person, organisation=OrganisationFactory(name="Polepharma", slug="polepharma"))
    return person


@pytest.fixture
def signed_in(page, live_server, fabien):
    editor = UserFactory(username="editrice")
    editor.groups.add(Group.objects.get(name="Éditeur"))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_an_email_chosen_on_a_persons_page_is_logged_and_appears_on_their_timeline(signed_in, live_server):
    page = signed_in
    page.goto(f"{live_server.url}/contacts/fabien-riolet/")
    form = page.locator("form[data-email-drop]")
    form.locator("input[type=file]").set_input_files(str(EML / "thunderbird_alternative.eml"))
    form.locator("button[type=submit]").click()

    page.wait_for_url("**/interactions/emails/import/result/?batch=*")
    result = page.locator("section.email-result")
    assert "thunderbird_alternative.eml" in result.locator("h2").inner_text()
    text = result.inner_text()
    assert SUBJECT in text and "Fabien Riolet" in text and "Polepharma" in text
    assert "amaia.etxeberria@basquehealth.eus" in text

    page.goto(f"{live_server.url}/contacts/fabien-riolet/")
    assert SUBJECT in page.locator("main").inner_text()


def test_an_email_dropped_on_the_form_is_sent_at_once(signed_in, live_server):
    page = signed_in
    page.goto(f"{live_server.url}/contacts/fabien-riolet/")
    content = (EML / "outlook_mixed_attachment.eml").read_text("ascii")
    # What a file dragged from the desktop carries: a DataTransfer holding the file, dropped on the form.
    page.locator("form[data-email-drop]").evaluate(
        """(form, content) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([content], "outlook.eml", {type: "message/rfc822"}));
            for (const type of ["dragenter", "dragover", "drop"]) {
                form.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true, cancelable: true}));
            }
        }""",
        content,
    )
    page.wait_for_url("**/interactions/emails/import/result/?batch=*")
    text = page.locator("section.email-result").inner_text()
    assert "Convention de partenariat – version signée" in text
    assert "Convention signée.pdf" in text and "Fabien Riolet" in text
