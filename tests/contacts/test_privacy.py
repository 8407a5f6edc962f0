"""Privacy (GDPR): where a person's data comes from, subject access, erasure, do-not-contact in every export."""

import datetime
import io
import json
import unicodedata

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from rest_framework.test import APIClient

from agreements.models import Agreement, PressRelease, Provenance, Quote, Signatory
from contacts.erasure import erase_person
from contacts.exports import LEFT_OUT_HEADER
from contacts.models import (
    ContactPoint,
    ExportLog,
    Person,
    Position,
    PressContact,
)
from contacts.privacy import person_data
from events.models import Event, EventEdition, Invitation
from events.services import invite_people
from tests.admin_helpers import admin_url, shown
from tests.factories import (
    ClusterFactory,
    ContactListFactory,
    EmailFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    PhoneFactory,
    PositionFactory,
    TagFactory,
    UserFactory,
)

RELEASE_2022 = (
    "Les clusters Polepharma-GIPSO et Basque Health Cluster formalisent leur alliance pour dynamiser la "
    "coopération transfrontalière de la filière industrielle pharmaceutique et biopharmaceutique"
)
RELEASE_2020 = "Le Leem signe une convention avec le GIPSO, le cluster des industries de santé Nouvelle-Aquitaine"
CONVENTION_2022 = "convention-polepharma-gipso-basque-health-cluster-2022"


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def whole_database() -> str:
    """Every row of every table, as ``dumpdata`` writes it, folded (lower case, no accents)."""
    buffer = io.StringIO()
    call_command("dumpdata", stdout=buffer)
    return fold(json.dumps(json.loads(buffer.getvalue()), ensure_ascii=False))


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# Where the data comes from


def test_person_page_names_the_press_release_a_seed_person_comes_from(seed, viewer_client):
    page = viewer_client.get("/contacts/fabien-riolet/").text
    facts = page[page.index(escape(shown("Where this data comes from"))) :]
    assert shown("Press release") in facts  # the source: a press release
    assert "Communiqué de presse du 12 mai 2022 (Hendaye)" in facts  # the source detail
    assert shown("Legitimate interest") in facts  # the lawful basis
    assert escape(RELEASE_2022) in facts  # the release, named and linked
    assert 'href="/press-releases/2022-05-12-alliance-polepharma-gipso-basque-health-cluster/"' in facts


def test_person_page_says_a_person_was_entered_by_hand(db, viewer_client):
    PersonFactory(
        slug="lea-etchegaray",
        data_source=Person.DataSource.MANUAL,
        lawful_basis=Person.LawfulBasis.CONSENT,
        source_detail="Rencontrée aux RNAEN 2025",
    )
    page = viewer_client.get("/contacts/lea-etchegaray/").text
    facts = page[page.index(escape(shown("Where this data comes from"))) :]
    assert f"{shown('Manual entry')} — Rencontrée aux RNAEN 2025" in facts
    assert shown("Consent") in facts
    assert "/press-releases/" not in facts


# Subject access


def test_person_data_holds_everything_about_a_press_contact(seed):
    data = person_data(Person.objects.get(slug="stephanie-bou"))
    json.dumps(data)  # serialisable as it is
    assert data["person"]["family_name"] == "Bou"
    assert data["person"]["lawful_basis"] == "legitimate_interest"
    assert [point["email"] for point in data["contact_points"] if point["medium"] == "email"] == ["sbou@leem.org"]
    assert {point["phone"] for point in data["contact_points"] if point["medium"] == "phone"} == {
        "+33145038838",
        "+33660462308",
    }
    assert [role["organisation"] for role in data["press_contact_roles"]] == ["Leem"]
    assert [release["title"] for release in data["press_releases"]] == [RELEASE_2020]
    assert data["history"] and data["history"][0]["type"]
    assert "exports" in data  # says that exports are not logged per person


def test_person_data_holds_a_signatorys_positions_and_signature(seed):
    data = person_data(Person.objects.get(slug="fabien-riolet"))
    assert [(p["title"], p["organisation"]) for p in data["positions"]] == [("Directeur Général", "Polepharma")]
    (signature,) = data["signatures"]
    assert signature["agreement_slug"] == CONVENTION_2022
    assert signature["signed_on"] == "2022-05-12"
    assert signature["title_at_signing"] == "Directeur Général de Polepharma-GIPSO"
    assert RELEASE_2022 in [release["title"] for release in data["press_releases"]]


def test_person_data_holds_lists_invitations_tags_quotes_and_changes(db, admin_user):
    person = PersonFactory(family_name="Etxeberria", notes="Préfère le téléphone.")
    person.tags.add(TagFactory(name="Biotech"))
    ContactListFactory(name="Presse santé").people.add(person)
    edition = EventEdition.objects.create(
        event=Event.objects.create(slug="rnaen", name="Rencontres RNAEN"), starts_on=datetime.date(2026, 10, 8)
    )
    invite_people(edition=edition, people=Person.objects.filter(pk=person.pk))
    Quote.objects.create(
        press_release=PressRelease.objects.create(
            slug="cp", title="Communiqué", published_on=datetime.date(2024, 1, 2), text="…"
        ),
        person=person,
        text="Une citation.",
    )
    fresh = Person.objects.get(pk=person.pk)
    fresh.given_name = "Ane"
    fresh._history_user = admin_user
    fresh.save()

    data = person_data(person)

    assert data["person"]["notes"] == "Préfère le téléphone."
    assert data["tags"] == ["Biotech"]
    assert [entry["name"] for entry in data["contact_lists"]] == ["Presse santé"]
    assert [(i["event"], i["edition"]) for i in data["invitations"]] == [("Rencontres RNAEN", "2026-10-08")]
    assert [quote["text"] for quote in data["quotes"]] == ["Une citation."]
    change = data["history"][0]
    assert change["who"] == "admin"
    assert {"old": change["changes"][0]["old"], "new": change["changes"][0]["new"]} == {
        "old": person.given_name,
        "new": "Ane",
    }


def test_export_person_command_prints_the_json(seed, tmp_path):
    out = io.StringIO()
    call_command("export_person", "stephanie-bou", stdout=out)
    data = json.loads(out.getvalue())
    assert data["person"]["given_name"] == "Stéphanie"
    assert '"Stéphanie"' in out.getvalue()  # UTF-8, not \\u escapes

    path = tmp_path / "bou.json"
    call_command("export_person", "stephanie-bou", output=str(path), stderr=io.StringIO())
    assert json.loads(path.read_text(encoding="utf-8"))["person"]["slug"] == "stephanie-bou"


def test_export_person_command_refuses_an_unknown_slug(db, capsys):
    with pytest.raises(CommandError, match="nobody"):
        call_command("export_person", "nobody")
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "export_person", "nobody"])
    assert exit_info.value.code == 1
    assert "nobody" in capsys.readouterr().err


def post_action(client, action, people, **extra):
    return client.post(
        admin_url(Person, "changelist"),
        {"action": action, "_selected_action": [person.pk for person in people], **extra},
    )


def test_admin_action_downloads_everything_held_about_the_selected_person_and_logs_it(seed, admin_client):
    person = Person.objects.get(slug="stephanie-bou")
    response = post_action(admin_client, "export_personal_data", [person])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="donnees-personnelles-')
    assert f"{timezone.localdate():%Y-%m-%d}" in disposition  # the date of the export
    data = json.loads(response.content)
    assert [entry["person"]["slug"] for entry in data] == ["stephanie-bou"]
    log = ExportLog.objects.get()
    assert (log.export_format, log.origin, log.filters, log.row_count) == (
        "json",
        "admin",
        {"subject_access": person.pk},
        1,
    )
    assert LogEntry.objects.filter(object_id=str(person.pk), user__username="admin").exists()


def test_the_subject_access_action_answers_for_one_person_never_for_everyone(seed, django_user_model):
    """Measured before: "select all" gave a Exports user a JSON of everyone, do-not-contact people included, logged
    nowhere."""
    user = django_user_model.objects.create_user("exports", is_staff=True)
    user.groups.add(Group.objects.get(name="Exports"))
    client = Client()
    client.force_login(user)
    Person.objects.filter(slug="stephanie-bou").update(do_not_contact=True)
    everyone = client.post(
        admin_url(Person, "changelist"),
        {"action": "export_personal_data", "select_across": "1", "index": "0", "_selected_action": ["1"]},
    )
    assert everyone["Content-Type"].startswith("text/html")  # back to the list, with a message; no file
    assert b"sbou@leem.org" not in everyone.content
    assert not ExportLog.objects.exists()
    refused = post_action(client, "export_personal_data", [Person.objects.get(slug="stephanie-bou")])
    assert refused.status_code == 403  # a person who asked not to be contacted: only for users who may change them
    assert not ExportLog.objects.exists()


def staff_client(*codenames) -> Client:
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="contacts", codename__in=codenames))
    client = Client()
    client.force_login(staff)
    return client


def test_subject_access_action_needs_the_export_permission(seed):
    client = staff_client("view_person", "change_person", "delete_person")
    assert "export_personal_data" not in client.get(admin_url(Person, "changelist")).text
    response = post_action(client, "export_personal_data", [Person.objects.get(slug="stephanie-bou")])
    assert not response.get("Content-Type", "").startswith("application/json")
    assert "sbou@leem.org" not in response.content.decode()


# Erasure


def test_erasing_a_signatory_keeps_the_agreement_signed_by_an_anonymised_signatory(seed, viewer_client):
    agreement = Agreement.objects.get(slug=CONVENTION_2022)
    signatories_before = agreement.signatories.count()
    riolet = Person.objects.get(slug="fabien-riolet")

    erase_person(person=riolet)

    agreement = Agreement.objects.get(slug=CONVENTION_2022)
    assert agreement.signatories.count() == signatories_before == 2
    assert agreement.status == Agreement.Status.SIGNED
    assert agreement.signed_on == datetime.date(2022, 5, 12)
    signatory = Signatory.objects.get(agreement=agreement, person=riolet)
    assert signatory.title_at_signing == "Directeur Général de Polepharma-GIPSO"
    page = viewer_client.get(agreement.get_absolute_url()).text
    assert shown("Anonymised signatory") in page
    assert "Riolet" not in page
    assert "Alvarez Yeregui" in page  # the other signatory is untouched
    english = viewer_client.get(f"/en{agreement.get_absolute_url()}").text
    assert "Anonymised signatory" in english


def test_erased_person_is_anonymised_and_their_page_says_so(seed, viewer_client):
    bou = Person.objects.get(slug="stephanie-bou")
    bou.tags.add(TagFactory())
    erase_person(person=bou)

    bou = Person.objects.get(pk=bou.pk)
    assert bou.is_anonymised and bou.slug.startswith("anonyme-")
    assert (bou.given_name, bou.notes, bou.source_detail) == ("", "", "")
    assert bou.family_name  # the database requires one
    assert bou.do_not_contact
    assert not bou.tags.exists()
    assert not ContactPoint.objects.filter(person=bou).exists()
    assert not PressContact.objects.filter(person=bou).exists()
    assert not Provenance.objects.for_object(bou).exists()
    assert Person.objects.search("bou").filter(pk=bou.pk).count() == 0
    response = viewer_client.get(bou.get_absolute_url())
    assert response.status_code == 200
    assert escape(shown("Anonymised person")) in response.text
    assert (
        escape(
            shown(
                "The personal data of this person was erased at their request (GDPR). Only the agreements they "
                "signed and the words they were quoted saying remain, without their name."
            )
        )
        in response.text
    )
    assert viewer_client.get("/contacts/stephanie-bou/").status_code == 404


def test_no_trace_of_an_erased_person_remains_anywhere_in_the_database(seed, admin_user):
    bou = Person.objects.get(slug="stephanie-bou")
    # Give her a history and a log: a change in the back office, an export that searched for her, a list.
    fresh = Person.objects.get(pk=bou.pk)
    fresh.notes = "Rencontrée au salon."
    fresh._history_user = admin_user
    fresh.save()
    LogEntry.objects.log_actions(admin_user.pk, [fresh], 2, change_message="Notes: Stéphanie Bou, sbou@leem.org")
    ContactListFactory().people.add(bou)
    ExportLog.objects.create(
        user=admin_user,
        username="admin",
        export_format="csv",
        origin="directory",
        filters={"q": "Stéphanie Bou"},
        row_count=1,
    )
    traces = ["stephanie bou", "sbou@leem.org", "+33145038838", "+33660462308", "01 45 03 88 38", "06 60 46 23 08"]
    before = whole_database()
    assert all(trace in before for trace in traces)

    erase_person(person=bou, user=admin_user)

    after = whole_database()
    assert [trace for trace in traces if trace in after] == []
    assert "rencontree au salon" not in after
    # The rest of the release is kept: the other press contacts still read as they were.
    assert "vpautre@leem.org" in after and "virginie pautre" in after


def test_erasure_leaves_one_entry_saying_who_erased_the_person_and_when(seed, admin_user):
    riolet = Person.objects.get(slug="fabien-riolet")
    position_ids = list(riolet.positions.values_list("pk", flat=True))
    erase_person(person=riolet, user=admin_user)

    (entry,) = Person.history.filter(id=riolet.pk)
    assert entry.history_user == admin_user
    assert entry.history_change_reason == shown("Personal data erased (GDPR)")
    assert not Position.objects.filter(pk__in=position_ids).exists()
    assert not Position.history.filter(id__in=position_ids).exists()
    (log,) = LogEntry.objects.filter(object_id=str(riolet.pk), content_type__model="person")
    assert log.user == admin_user
    assert log.change_message == entry.history_change_reason
    assert "Riolet" not in log.object_repr


def test_erasure_removes_lists_invitations_and_keeps_quotes_without_the_name(db):
    person = PersonFactory(given_name="Ane", family_name="Etxeberria")
    EmailFactory(person=person, email="ane@example.eus")
    PhoneFactory(person=person, phone="+34644845644")
    contact_list = ContactListFactory()
    contact_list.people.add(person)
    edition = EventEdition.objects.create(
        event=Event.objects.create(slug="rnaen", name="RNAEN"), starts_on=datetime.date(2026, 10, 8)
    )
    invite_people(edition=edition, people=Person.objects.filter(pk=person.pk))
    release = PressRelease.objects.create(
        slug="cp",
        title="Communiqué",
        published_on=datetime.date(2024, 1, 2),
        text="« Une citation », déclare Ane ETXEBERRIA. Contact : ane@example.eus, +34 644 84 56 44.",
    )
    quote = Quote.objects.create(press_release=release, person=person, text="Une citation.")

    erase_person(person=person)

    assert not contact_list.people.exists()
    assert not Invitation.objects.exists()
    quote.refresh_from_db()
    assert quote.person_id == person.pk and quote.text == "Une citation."
    release.refresh_from_db()
    assert "ETXEBERRIA" not in release.text and "ane@example.eus" not in release.text
    assert "644" not in release.text
    assert release.text.startswith("« Une citation », déclare ")


def test_erasing_twice_is_harmless(seed, admin_user):
    riolet = Person.objects.get(slug="fabien-riolet")
    erase_person(person=riolet, user=admin_user)
    erased = Person.objects.get(pk=riolet.pk)

    report = erase_person(person=erased, user=admin_user)

    assert report.already_erased
    again = Person.objects.get(pk=riolet.pk)
    assert (again.slug, again.version) == (erased.slug, erased.version)
    assert Person.history.filter(id=riolet.pk).count() == 1
    assert LogEntry.objects.filter(object_id=str(riolet.pk), content_type__model="person").count() == 1


def test_erase_person_command_with_yes(seed):
    out = io.StringIO()
    call_command("erase_person", "stephanie-bou", yes=True, stdout=out)
    assert "Stéphanie Bou" in out.getvalue()
    assert not Person.objects.filter(slug="stephanie-bou").exists()
    assert not ContactPoint.objects.filter(email="sbou@leem.org").exists()


def test_erase_person_command_asks_first(seed, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    with pytest.raises(CommandError):
        call_command("erase_person", "stephanie-bou", stdout=io.StringIO())
    assert Person.objects.filter(slug="stephanie-bou").exists()
    with pytest.raises(CommandError, match="nobody"):
        call_command("erase_person", "nobody", yes=True)


def test_admin_erase_action_asks_for_confirmation_then_erases_on_a_worker(
    seed, admin_client, django_capture_on_commit_callbacks
):
    from jobs.models import Job
    from tests.jobs.conftest import run_queued_tasks

    bou = Person.objects.get(slug="stephanie-bou")

    confirmation = post_action(admin_client, "erase_personal_data", [bou])

    assert confirmation.status_code == 200
    assert "Stéphanie Bou" in confirmation.text
    assert 'name="confirm" value="yes"' in confirmation.text
    assert Person.objects.get(pk=bou.pk).slug == "stephanie-bou"  # nothing erased yet

    with django_capture_on_commit_callbacks(execute=True):
        done = post_action(admin_client, "erase_personal_data", [bou], confirm="yes")

    assert done.status_code == 302
    job = Job.objects.get()
    assert (job.kind, job.title, job.owner.username) == (
        "erasure",
        f"Effacement des données personnelles de la personne n° {bou.pk}",
        "admin",
    )
    assert run_queued_tasks() == 1
    assert Person.objects.get(pk=bou.pk).is_anonymised
    page = admin_client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Terminée" in page and "coordonnées" in page


def test_admin_erase_action_needs_the_delete_permission(seed):
    client = staff_client("view_person", "change_person", "export_contacts")
    bou = Person.objects.get(slug="stephanie-bou")
    assert "erase_personal_data" not in client.get(admin_url(Person, "changelist")).text
    post_action(client, "erase_personal_data", [bou], confirm="yes")
    assert Person.objects.get(pk=bou.pk).slug == "stephanie-bou"


# Do not contact, in every export

EXPORT_URL = "/contacts/export/"


def read_names(response) -> str:
    return content(response).decode("utf-8-sig")


@pytest.fixture
def optout(db):
    leem = OrganisationFactory(name="Leem", slug="leem")
    refused = PositionFactory(organisation=leem, person__family_name="Optout", person__do_not_contact=True).person
    reachable = PositionFactory(organisation=leem, person__family_name="Reachable").person
    return refused, reachable


@pytest.mark.parametrize("export_format", ["csv", "xlsx", "vcf"])
def test_directory_export_never_holds_do_not_contact_people_even_when_asked(optout, exporter_client, export_format):
    response = exporter_client.get(EXPORT_URL, {"format": export_format, "include_do_not_contact": "on"})
    assert response.status_code == 200
    data = content(response)
    if export_format == "xlsx":
        import openpyxl

        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        data = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row).encode()
    assert b"Reachable" in data and b"Optout" not in data
    assert response[LEFT_OUT_HEADER] == "1"
    assert ExportLog.objects.get().row_count == 1


def test_directory_page_says_how_many_people_the_export_leaves_out(optout, exporter_client):
    page = exporter_client.get("/contacts/", {"organisation": "leem", "include_do_not_contact": "on"}).text
    assert "Optout" in page  # the directory may still list them, with their badge
    assert shown("%(counter)s person who asked not to be contacted is left out of the export.", counter=1) in page
    viewer = staff_client("view_person")
    assert "left-out-of-export" not in viewer.get("/contacts/", {"include_do_not_contact": "on"}).text


def test_api_export_never_holds_do_not_contact_people(optout, exporter):
    api = APIClient()
    api.force_authenticate(exporter)
    response = api.get("/api/people/export/", {"format": "csv", "include_do_not_contact": "true"})
    text = read_names(response)
    assert "Reachable" in text and "Optout" not in text
    assert response[LEFT_OUT_HEADER] == "1"


def test_contact_list_export_never_holds_do_not_contact_people(optout, exporter_client):
    refused, reachable = optout
    contact_list = ContactListFactory(slug="presse")
    contact_list.people.add(refused, reachable)
    response = exporter_client.get("/contacts/lists/presse/export/", {"format": "csv", "include_do_not_contact": "1"})
    text = read_names(response)
    assert "Reachable" in text and "Optout" not in text
    assert response[LEFT_OUT_HEADER] == "1"
    page = exporter_client.get(contact_list.get_absolute_url()).text
    assert "left-out-of-export" in page


def test_invitation_export_never_holds_people_who_asked_not_to_be_contacted_since(optout, exporter_client):
    refused, reachable = optout
    edition = EventEdition.objects.create(
        event=Event.objects.create(slug="rnaen", name="RNAEN"), starts_on=datetime.date(2026, 10, 8)
    )
    Invitation.objects.create(edition=edition, person=reachable)
    Invitation.objects.create(edition=edition, person=refused)  # invited before they asked
    response = exporter_client.get(EXPORT_URL, {"format": "csv", "invited_to": edition.pk})
    text = read_names(response)
    assert "Reachable" in text and "Optout" not in text
    assert "left-out-of-export" in exporter_client.get(edition.get_absolute_url()).text


def test_cluster_member_export_never_holds_do_not_contact_people(optout, exporter_client):
    cluster = ClusterFactory(slug="gipso")
    MembershipFactory(cluster=cluster, member=optout[1].positions.get().organisation)
    response = exporter_client.get(EXPORT_URL, {"format": "csv", "member_of": "gipso"})
    text = read_names(response)
    assert "Reachable" in text and "Optout" not in text
    page = exporter_client.get(cluster.get_absolute_url()).text
    assert escape(shown("People who asked not to be contacted are left out of the export.")) in page


def test_admin_export_action_never_holds_do_not_contact_people(optout, admin_client):
    response = post_action(admin_client, "export_csv", list(optout))
    text = read_names(response)
    assert "Reachable" in text and "Optout" not in text


def test_invitations_skip_people_who_asked_not_to_be_contacted(optout):
    edition = EventEdition.objects.create(
        event=Event.objects.create(slug="rnaen", name="RNAEN"), starts_on=datetime.date(2026, 10, 8)
    )
    assert invite_people(edition=edition, people=Person.objects.all()) == 1
    assert list(edition.invited.values_list("family_name", flat=True)) == ["Reachable"]
