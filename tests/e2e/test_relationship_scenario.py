"""Issue 23's scenario from end to end, in French as staff use it, in a real browser: an editor logs a call from a
person's page, sees it on the person's and the organisation's timelines, finds the people not contacted lately in
the directory, makes a follow-up of the call and finds it on the dashboard, and imports an email saved by
Thunderbird from the person's page."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from interactions.models import FollowUp, Interaction
from tests.factories import EmailFactory, OrganisationFactory, PersonFactory, PositionFactory, UserFactory

PASSWORD = "correct-horse-battery-staple"  # noqa: S105  (the factories' password)
EML = Path(__file__).resolve().parents[1] / "interactions" / "eml"
EMAIL_SUBJECT = "Réunion RNAEN – préparation du programme"


@pytest.fixture
def editor(transactional_db):
    user = UserFactory(username="camille", first_name="Camille")
    user.groups.add(Group.objects.get(name="Éditeur"))
    return user


def test_a_call_a_follow_up_and_an_email_make_the_relationship(page, live_server, editor):
    polepharma = OrganisationFactory(name="Polepharma", slug="polepharma")
    fabien = PersonFactory(given_name="Fabien", family_name="Riolet", slug="fabien-riolet")
    EmailFactory(person=fabien, email="f.riolet@polepharma.com")
    PositionFactory(person=fabien, organisation=polepharma, title="Directeur général")
    PersonFactory(given_name="Maria", family_name="Pascual de Zulueta", slug="maria-pascual-de-zulueta")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(f"{live_server.url}/")

    # A call logged from Fabien's page, in two fields.
    page.goto(f"{live_server.url}/contacts/fabien-riolet/")
    timeline = page.locator("#timeline")
    timeline.get_by_label("Ce qui s’est dit").fill("Appel sur la convention avec le Basque Health Cluster.")
    timeline.get_by_role("button", name="Enregistrer").click()
    page.locator("#timeline >> text=Interaction enregistrée.").wait_for()
    assert "Appel sur la convention avec le Basque Health Cluster." in page.locator("#timeline").inner_text()
    call = Interaction.objects.get()
    assert call.kind == "call" and list(call.organisations.all()) == [polepharma]

    # On Polepharma's timeline too.
    page.goto(f"{live_server.url}/organisations/polepharma/")
    assert "Appel sur la convention" in page.locator("#timeline").inner_text()

    # « Pas contacté depuis 3 mois »: Maria, never contacted, and not Fabien, called today.
    page.goto(f"{live_server.url}/contacts/")
    page.get_by_label("Pas contacté depuis").select_option("3")
    page.get_by_role("button", name="Appliquer les filtres").click()
    page.wait_for_url("**/contacts/?*not_contacted_since=3*")
    results = page.locator("#results").inner_text()
    assert "Maria" in results and "Fabien" not in results

    # A follow-up of the call, due today: on the dashboard, in « Mes tâches ».
    page.goto(f"{live_server.url}/interactions/follow-ups/new/?interaction={call.pk}")
    page.get_by_label("À faire", exact=True).fill("Envoyer le projet de convention")
    page.get_by_label("à la date ci-dessous").check()
    page.get_by_label("Échéance").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Ajouter la relance").click()
    page.wait_for_url("**/interactions/follow-ups/*/")
    assert list(FollowUp.objects.get().people.all()) == [fabien]
    page.goto(f"{live_server.url}/")
    tasks = page.locator(".my-tasks").inner_text()
    assert "Envoyer le projet de convention" in tasks and "Aujourd’hui" in tasks

    # An email saved by Thunderbird, imported from Fabien's page: logged, and on his timeline.
    page.goto(f"{live_server.url}/contacts/fabien-riolet/")
    form = page.locator("form[data-email-drop]")
    form.locator("input[type=file]").set_input_files(str(EML / "thunderbird_alternative.eml"))
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/interactions/emails/import/result/?batch=*")
    assert EMAIL_SUBJECT in page.locator("section.email-result").inner_text()
    page.goto(f"{live_server.url}/contacts/fabien-riolet/")
    assert EMAIL_SUBJECT in page.locator("#timeline").inner_text()
