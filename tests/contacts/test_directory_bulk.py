"""The directory as staff use it all day: clean addresses, labelled filters, the sort by organisation, and the
actions on the people ticked on a page (add to a list, take off a list, tag, export)."""

import csv
import io
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from django.utils.translation import gettext, ngettext

from contacts.forms import PersonSelectionForm
from contacts.models import ContactListEntry, ExportLog, Person
from tests.contacts.test_directory import names
from tests.factories import (
    ContactListFactory,
    EmailFactory,
    OrganisationFactory,
    PersonFactory,
    PositionFactory,
    PressContactFactory,
    TagFactory,
)

URL = "/contacts/"


def shown_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def people(db):
    """Three people at an organisation; the tests tick two of them."""
    organisation = OrganisationFactory(name="Aquitaine Santé")
    return [
        PositionFactory(person=PersonFactory(slug=slug, family_name=slug.title()), organisation=organisation).person
        for slug in ("ada", "bea", "cyd")
    ]


def post_selection(client, action, slugs, **fields):
    return client.post(URL + "?q=sante", {"action": action, "person": slugs, **fields})


# --- clean addresses ---------------------------------------------------------------------------------------------


def test_a_search_with_empty_filters_redirects_to_its_address_without_them(seed, viewer_client):
    response = viewer_client.get(URL, {"q": "ivanes", "organisation": "", "member_of": "", "kind": "", "o": ""})
    assert response.status_code == 302
    assert response["Location"] == "/contacts/?q=ivanes"
    assert names(viewer_client.get(response["Location"])) == ["Philippe Ivanès"]


def test_a_form_sent_with_every_filter_empty_redirects_to_the_bare_directory(seed, viewer_client):
    response = viewer_client.get(URL + "?q=&organisation=&kind=&country=&tag=")
    assert response.status_code == 302
    assert response["Location"] == "/contacts/"


def test_the_live_search_is_redirected_too_and_keeps_answering_the_results_alone(seed, viewer_client):
    response = viewer_client.get(URL, {"q": "ivanes", "kind": ""}, headers={"HX-Request": "true"}, follow=True)
    assert response.redirect_chain == [("/contacts/?q=ivanes", 302)]
    assert "<html" not in response.content.decode()
    assert names(response) == ["Philippe Ivanès"]


def test_links_of_a_search_name_only_the_filters_chosen(seed, exporter_client):
    html = exporter_client.get(URL, {"q": "leem", "o": "name"}).content.decode()
    assert "/contacts/export/?format=csv&amp;q=leem&amp;o=name" in html
    assert 'href="?q=leem&amp;o=-name"' in html
    assert "=&amp;" not in html and '=&"' not in html


# --- labels --------------------------------------------------------------------------------------------------------


def test_the_search_box_has_the_dashboards_placeholder_and_no_filter_shows_dashes(seed, viewer_client):
    html = viewer_client.get(URL).content.decode()
    placeholder = escape(gettext("A name, an organisation, a title, an email or a phone number"))
    assert re.search(rf'<input type="search" name="q"[^>]*placeholder="{re.escape(placeholder)}"', html)
    assert "---------" not in html
    for label in ("All kinds", "All countries", "All regions", "All lists", "All tags", "Any event"):
        assert f'<option value="" selected>{escape(gettext(label))}</option>' in html, label
    for label in ("All organisations", "All clusters"):
        assert f'placeholder="{escape(gettext(label))}"' in html, label


def test_the_filters_are_in_a_drawer_and_the_results_outside_the_search_form(seed, viewer_client):
    html = viewer_client.get(URL).content.decode()
    form = html[html.index('<form id="list-form"') : html.index("</form>", html.index('<form id="list-form"'))]
    assert "<details" in form and 'name="kind"' in form
    assert 'id="results"' not in form


def test_the_drawer_counts_only_the_filters_chosen(seed, viewer_client):
    def summary(params):
        html = viewer_client.get(URL, params).content.decode()
        return re.search(r"data-filters-drawer[^>]*>\s*<summary>(.*?)</summary>", html, re.S).group(1)

    assert "badge" not in summary({"q": "leem"})  # unticked boxes are no filter
    assert '<span class="badge">2</span>' in summary({"q": "leem", "has_email": "on", "kind": "cluster"})


# --- sorting by organisation ---------------------------------------------------------------------------------------


def test_sorting_by_organisation_puts_press_contacts_among_their_organisation_and_no_organisation_last(
    db, viewer_client
):
    alpha, beta = OrganisationFactory(name="Alpha Pharma"), OrganisationFactory(name="Beta Santé")
    zola = PersonFactory(family_name="Zola", given_name="Alpha")
    PositionFactory(person=zola, organisation=alpha, title="Directrice")
    PressContactFactory(person=PersonFactory(family_name="Abel", given_name="Presse"), organisation=beta)
    PositionFactory(person=PersonFactory(family_name="Yves", given_name="Beta"), organisation=beta, title="Président")
    PositionFactory(person=PersonFactory(family_name="Xu", given_name="Beta"), organisation=beta, title="Attachée")
    PersonFactory(family_name="Aaron", given_name="Sans")
    assert names(viewer_client.get(URL, {"o": "organisation"})) == [
        "Alpha Zola",
        "Beta Xu",
        "Beta Yves",
        "Presse Abel",
        "Sans Aaron",
    ]
    assert names(viewer_client.get(URL, {"o": "-organisation"})) == [
        "Beta Yves",
        "Beta Xu",
        "Presse Abel",
        "Alpha Zola",
        "Sans Aaron",
    ]


# --- the tick boxes ------------------------------------------------------------------------------------------------


def test_rows_have_tick_boxes_only_for_those_who_may_act_on_them(people, viewer_client, user_with, client):
    assert 'name="person"' not in viewer_client.get(URL).content.decode()
    client.force_login(user_with("change_contactlist"))
    ContactListFactory(name="Vœux")
    html = client.get(URL).content.decode()
    label = escape(gettext("Select %(name)s") % {"name": people[0].full_name})
    assert f'<input type="checkbox" name="person" value="ada" aria-label="{label}">' in html
    assert '<form id="selection-form"' in html and 'name="csrfmiddlewaretoken"' in html
    assert 'value="add_to_list"' in html and 'value="remove_from_list"' in html
    assert 'value="tag"' not in html and 'value="export"' not in html  # not allowed to this user


# --- add to and remove from a list ---------------------------------------------------------------------------------


def test_adding_the_selection_to_a_list_adds_exactly_those_people_and_keeps_the_history(people, client, user_with):
    client.force_login(user_with("change_contactlist"))
    contact_list = ContactListFactory(name="Vœux 2027")
    response = post_selection(client, "add_to_list", ["ada", "bea"], contact_list=contact_list.slug)
    assert response.status_code == 302
    assert response["Location"] == "/contacts/?q=sante"
    assert sorted(contact_list.people.values_list("slug", flat=True)) == ["ada", "bea"]
    assert ContactListEntry.history.filter(contact_list_id=contact_list.pk, history_type="+").count() == 2
    assert shown_messages(response) == [
        ngettext("%(count)d person added to “%(name)s”.", "%(count)d people added to “%(name)s”.", 2)
        % {"count": 2, "name": "Vœux 2027"}
    ]


def test_removing_the_selection_from_a_list_removes_only_those_people(people, client, user_with):
    client.force_login(user_with("change_contactlist"))
    contact_list = ContactListFactory(name="Vœux 2027")
    contact_list.people.add(*people)
    response = post_selection(client, "remove_from_list", ["ada", "cyd"], contact_list=contact_list.slug)
    assert response.status_code == 302
    assert list(contact_list.people.values_list("slug", flat=True)) == ["bea"]
    assert ContactListEntry.history.filter(contact_list_id=contact_list.pk, history_type="-").count() == 2
    assert shown_messages(response) == [
        ngettext("%(count)d person removed from “%(name)s”.", "%(count)d people removed from “%(name)s”.", 2)
        % {"count": 2, "name": "Vœux 2027"}
    ]


# --- tags ----------------------------------------------------------------------------------------------------------


def test_tagging_the_selection_tags_exactly_those_people_and_writes_their_history(people, client, user_with):
    editor = user_with("change_person")
    client.force_login(editor)
    tag = TagFactory(name="Comité santé")
    people[1].tags.add(tag)  # already tagged: left as is
    response = post_selection(client, "tag", ["ada", "bea"], tag=tag.slug)
    assert response.status_code == 302
    assert sorted(tag.people.values_list("slug", flat=True)) == ["ada", "bea"]
    ada = Person.objects.get(slug="ada")
    assert ada.version == people[0].version + 1
    entry = Person.history.filter(id=ada.pk).latest("history_date")
    assert entry.history_user == editor
    assert entry.history_change_reason == gettext("Tag “%(name)s” added") % {"name": "Comité santé"}
    assert not Person.history.filter(id=people[1].pk, history_type="~").exists()
    assert shown_messages(response) == [
        ngettext("%(count)d person tagged “%(name)s”.", "%(count)d people tagged “%(name)s”.", 1)
        % {"count": 1, "name": "Comité santé"}
    ]


# --- export --------------------------------------------------------------------------------------------------------


def test_exporting_the_selection_holds_exactly_those_people_and_is_logged(people, client, user_with):
    exporter = user_with("export_contacts")
    client.force_login(exporter)
    response = post_selection(client, "export", ["ada", "cyd"], export_format="csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    data = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data), delimiter=";"))
    assert sorted(row["Nom"] for row in rows) == ["Ada", "Cyd"]
    log = ExportLog.objects.get()
    assert (log.user, log.origin, log.export_format, log.row_count) == (exporter, "directory", "csv", 2)
    assert log.filters == {"selected": 2}


def test_exporting_a_selection_leaves_out_those_who_asked_not_to_be_contacted(people, client, user_with):
    client.force_login(user_with("export_contacts"))
    Person.objects.filter(slug="cyd").update(do_not_contact=True)
    EmailFactory(person=people[2], email="cyd@example.org")
    response = post_selection(client, "export", ["ada", "cyd"], export_format="csv")
    data = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Cyd" not in data and "cyd@example.org" not in data and "Ada" in data
    assert response["X-Left-Out-Do-Not-Contact"] == "1"
    assert ExportLog.objects.get().row_count == 1
    assert shown_messages(response) == [
        ngettext(
            "%(counter)s person who asked not to be contacted is left out of the export.",
            "%(counter)s people who asked not to be contacted are left out of the export.",
            1,
        )
        % {"counter": 1}
    ]


def test_a_large_selection_is_exported_by_a_job(people, client, user_with, settings):
    from jobs.models import Job

    settings.EXPORT_DIRECT_MAX_ROWS = 1
    client.force_login(user_with("export_contacts"))
    response = post_selection(client, "export", ["ada", "bea", "cyd"], export_format="xlsx")
    job = Job.objects.get()
    assert response.status_code == 303
    assert response["Location"] == job.get_absolute_url()
    assert sorted(job.params["source"]["ids"]) == sorted(person.pk for person in people)


# --- refusals ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "permission", "extra"),
    [
        ("add_to_list", "change_person", {"contact_list": "voeux"}),
        ("remove_from_list", "change_person", {"contact_list": "voeux"}),
        ("tag", "change_contactlist", {"tag": "comite"}),
        ("export", "change_person", {"export_format": "csv"}),
    ],
)
def test_an_action_without_its_permission_is_refused_and_changes_nothing(
    people, client, user_with, action, permission, extra
):
    client.force_login(user_with(permission))
    contact_list = ContactListFactory(slug="voeux")
    contact_list.people.add(people[0])
    TagFactory(slug="comite")
    response = post_selection(client, action, ["ada", "bea"], **extra)
    assert response.status_code == 403
    assert list(contact_list.people.values_list("slug", flat=True)) == ["ada"]
    assert not Person.tags.through.objects.exists()
    assert not ExportLog.objects.exists()


def test_an_unknown_person_in_the_selection_changes_nothing_and_says_so(people, client, user_with):
    client.force_login(user_with("change_contactlist"))
    contact_list = ContactListFactory()
    response = post_selection(client, "add_to_list", ["ada", "gone", "bad\x00slug"], contact_list=contact_list.slug)
    assert response.status_code == 302
    assert not contact_list.people.exists()
    assert shown_messages(response) == [str(PersonSelectionForm.base_fields["person"].error_messages["unknown"])]


def test_a_selection_beyond_the_limit_is_refused(people, client, user_with):
    client.force_login(user_with("change_contactlist"))
    contact_list = ContactListFactory()
    slugs = [f"personne-{index}" for index in range(PersonSelectionForm.MAX_PEOPLE + 1)]
    response = post_selection(client, "add_to_list", slugs, contact_list=contact_list.slug)
    assert response.status_code == 302
    assert not contact_list.people.exists()
    [message] = shown_messages(response)
    assert str(PersonSelectionForm.MAX_PEOPLE) in message


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"action": "add_to_list"}, "Tick at least one person."),
        ({"action": "add_to_list", "person": ["ada"]}, "Choose the list to add them to."),
        ({"action": "tag", "person": ["ada"]}, "Choose the tag to give them."),
    ],
)
def test_an_incomplete_action_says_what_is_missing(people, client, user_with, fields, error):
    client.force_login(user_with("change_contactlist", "change_person"))
    response = client.post(URL, fields)
    assert response.status_code == 302
    assert gettext(error) in shown_messages(response)
    assert not ContactListEntry.objects.exists() and not Person.tags.through.objects.exists()


# --- query counts --------------------------------------------------------------------------------------------------


def test_the_page_with_tick_boxes_costs_the_same_queries_at_10_and_100_rows(db, client, user_with):
    def make_people(count):
        for _index in range(count):
            PositionFactory(person=PersonFactory(), title="Chargée d'affaires")

    ContactListFactory()
    TagFactory()
    client.force_login(user_with("change_contactlist", "change_person", "export_contacts"))
    counts = []
    for rows in (10, 90):
        make_people(rows)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"q": "affaires", "o": "organisation"})
        assert len(names(response)) == (25 if rows == 90 else 10)
        counts.append(len(queries))
    # The viewer's page (test_directory: 15 on SQLite), the count of those the export leaves out, the lists and the
    # tags offered; a search on PostgreSQL collects its matches through the trigram index first (core.search).
    assert counts[0] == counts[1] <= 20
