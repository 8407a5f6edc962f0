"""A member of staff makes a follow-up from a call they logged, finds it in "My tasks" and the header's count, and
marks it done, in a real browser (in English: the French catalogue is the translators')."""

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from interactions.models import FollowUp
from interactions.services import create_follow_up, log_interaction
from tests.factories import OrganisationFactory, PersonFactory, UserFactory

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
def signed_in(page, live_server, editor):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_a_follow_up_from_a_call_shows_on_the_dashboard_and_in_the_header_until_done(signed_in, live_server, editor):
    page = signed_in
    person = PersonFactory(given_name="Stéphanie", family_name="Bou", slug="stephanie-bou")
    organisation = OrganisationFactory(name="Leem", slug="leem")
    call = log_interaction(
        kind="call", logged_by=editor, people=[person], organisations=[organisation], subject="Renewal call"
    )

    page.goto(f"{live_server.url}/en/interactions/follow-ups/new/?interaction={call.pk}")
    assert "Renewal call" in page.locator("main").inner_text()
    assert page.get_by_label("Stéphanie Bou").is_checked()
    assert page.get_by_label("Leem").is_checked()
    assert page.get_by_label("in 2 weeks").is_checked()
    page.get_by_label("What to do").fill("Send the renewal form")
    page.get_by_label("on the date below").check()
    page.get_by_label("Due on").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Add the follow-up").click()

    follow_up = FollowUp.objects.get()
    page.wait_for_url(f"{live_server.url}/en/interactions/follow-ups/{follow_up.pk}/")
    assert page.locator("h1").inner_text() == "Send the renewal form"
    assert follow_up.interaction == call and list(follow_up.people.all()) == [person]

    page.goto(f"{live_server.url}/en/")
    tasks = page.locator(".my-tasks")
    assert "Send the renewal form" in tasks.inner_text() and "Today" in tasks.inner_text()
    header_link = page.locator(".site-nav").get_by_role("link", name="Follow-ups")
    assert header_link.locator(".badge").inner_text() == "1"
    assert "(1 follow-up to do)" in header_link.text_content()

    tasks.get_by_role("button", name="Mark done — Send the renewal form").click()
    page.wait_for_url(f"{live_server.url}/en/")
    assert "Nothing to do" in page.locator(".my-tasks").inner_text()
    assert page.locator(".site-nav").get_by_role("link", name="Follow-ups").locator(".badge").count() == 0
    follow_up.refresh_from_db()
    assert follow_up.is_done and follow_up.done_by == editor


def test_people_are_suggested_as_one_types_and_the_count_fits_a_phone(signed_in, live_server, editor):
    page = signed_in
    PersonFactory(given_name="Stéphanie", family_name="Bou", slug="stephanie-bou")
    page.goto(f"{live_server.url}/en/interactions/follow-ups/new/")
    page.locator("#id_people").press_sequentially("bou", delay=30)
    page.wait_for_selector("#id_people-suggestions option[value='stephanie-bou']", state="attached")

    create_follow_up(title="Late", due_on=timezone.localdate(), assigned_to=editor, created_by=editor)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/en/")
    page.get_by_text("Menu", exact=True).click()
    link = page.locator(".site-nav").get_by_role("link", name="Follow-ups")
    assert link.is_visible() and link.locator(".badge").inner_text() == "1"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
