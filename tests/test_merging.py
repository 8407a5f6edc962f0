"""Merging two people or two organisations: nothing that pointed at either is lost."""

from collections import Counter

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from agreements.models import AgreementParty, Provenance, Quote, Signatory
from clusters.models import KeyFigure, Membership, Organisation, OrganisationName, OrganisationRelation, Site
from clusters.services import merge_organisations
from contacts.models import ContactListEntry, ContactPoint, Person, Position, PressContact
from contacts.services import merge_people
from tests.factories import (
    AgreementFactory,
    AgreementPartyFactory,
    ClusterFactory,
    ContactListFactory,
    EmailFactory,
    KeyFigureFactory,
    MembershipFactory,
    OrganisationFactory,
    OrganisationNameFactory,
    OrganisationRelationFactory,
    PersonFactory,
    PhoneFactory,
    PositionFactory,
    PressContactFactory,
    PressReleaseFactory,
    QuoteFactory,
    SignatoryFactory,
    SiteFactory,
    TagFactory,
)


def related_rows(record) -> Counter:
    """How many rows of each related model point at ``record`` (foreign keys and generic ones)."""
    counts = Counter()
    for relation in record._meta.related_objects:
        if relation.many_to_many and not relation.field.remote_field.through._meta.auto_created:
            continue  # Counted as the rows of its through model.
        counts[relation.related_model._meta.label] += relation.related_model.objects.filter(
            **{relation.field.name: record}
        ).count()
    content_type = ContentType.objects.get_for_model(type(record))
    counts["agreements.Provenance"] += Provenance.objects.filter(content_type=content_type, object_id=record.pk).count()
    return counts


@pytest.fixture
def two_people(db, admin_user):
    leem, sanofi = OrganisationFactory(name="Leem"), OrganisationFactory(name="Sanofi")
    keep = PersonFactory(given_name="", family_name="Bou", notes="Appeler le matin.")
    other = PersonFactory(given_name="Stéphanie", family_name="BOU", notes="Préfère l’e-mail.", do_not_contact=True)
    PositionFactory(person=keep, organisation=leem, title="Directrice de la communication", is_primary=True)
    PositionFactory(person=other, organisation=leem, title="Directrice de la communication", is_primary=True)
    PositionFactory(person=other, organisation=sanofi, title="Consultante")
    EmailFactory(person=keep, email="sbou@leem.org", is_primary=True)
    EmailFactory(person=other, email="sbou@leem.org", is_primary=True)
    EmailFactory(person=other, email="stephanie.bou@example.org")
    PhoneFactory(person=other, phone="+33660462308", is_primary=True)
    media, guests = ContactListFactory(), ContactListFactory()
    media.people.add(keep, other)
    guests.people.add(other)
    keep_role = PressContactFactory(person=keep, organisation=leem)
    other_role = PressContactFactory(person=other, organisation=leem)
    release = PressReleaseFactory()
    release.press_contacts.add(other_role)
    party = AgreementPartyFactory(organisation=leem)
    SignatoryFactory(agreement=party.agreement, person=other, organisation=leem)
    QuoteFactory(person=other, press_release=release)
    for person in (keep, other):
        Provenance.objects.create(press_release=release, record=person)
    other.tags.add(TagFactory())
    return keep, other, keep_role, release


def test_merging_two_people_moves_everything_and_loses_no_row(two_people, admin_user):
    keep, other, keep_role, release = two_people
    before = related_rows(keep) + related_rows(other)
    report = merge_people(keep=keep, other=other, user=admin_user)
    after = related_rows(keep)

    assert not Person.objects.filter(pk=other.pk).exists()
    # Every row pointing at either person points at the one kept, except the duplicates folded into its own.
    lost = {label: before[label] - after[label] for label in before if before[label] != after[label]}
    assert lost == {
        "contacts.Position": 1,  # the same title at the Leem, held by both
        "contacts.ContactPoint": 1,  # sbou@leem.org, held by both
        "contacts.ContactListEntry": 1,  # both on the media list
        "contacts.PressContact": 1,  # both press contact for the Leem
        "agreements.Provenance": 1,  # both sourced from the same release
    }
    assert sum(report.merged.values()) == 5 and not report.dropped

    keep.refresh_from_db()
    assert keep.given_name == "Stéphanie" and keep.family_name == "Bou"
    assert keep.notes == "Appeler le matin.\n\nPréfère l’e-mail."
    assert keep.do_not_contact is True
    assert keep.tags.count() == 1
    assert set(keep.positions.values_list("organisation__name", "title", "is_primary")) == {
        ("Leem", "Directrice de la communication", True),
        ("Sanofi", "Consultante", False),
    }
    points = set(keep.contact_points.values_list("email", "is_primary"))
    assert points == {("sbou@leem.org", True), ("stephanie.bou@example.org", False), ("", True)}
    assert list(release.press_contacts.all()) == [keep_role]
    assert Signatory.objects.get().person == keep and Quote.objects.get().person == keep
    assert ContactListEntry.objects.filter(person=keep).count() == 2
    assert keep.search_text.startswith("stephanie bou")


def test_the_merge_is_kept_in_the_history_of_the_person_kept(two_people, admin_user):
    keep, other, *_ = two_people
    other_id = other.pk
    merge_people(keep=keep, other=other, user=admin_user)
    entry = LogEntry.objects.get(object_id=str(keep.pk))
    assert entry.user == admin_user
    assert f"Fusionné avec « Stéphanie BOU » (n° {other_id}), qui a été supprimé" in entry.change_message


def test_a_person_cannot_be_merged_with_themselves_or_an_organisation(db, admin_user):
    person = PersonFactory()
    with pytest.raises(ValueError):
        merge_people(keep=person, other=person, user=admin_user)
    with pytest.raises(ValueError):
        merge_people(keep=person, other=OrganisationFactory(), user=admin_user)


def test_merging_two_organisations_moves_everything_and_loses_no_row(db, admin_user):
    keep = ClusterFactory(name="Polepharma", acronym="")
    other = ClusterFactory(name="Polepharma GIPSO", acronym="GIPSO")
    member = OrganisationFactory()
    MembershipFactory(cluster=keep, member=member, started_on="2020-01-01")
    MembershipFactory(cluster=other, member=member, started_on="2020-01-01")
    MembershipFactory(cluster=keep, member=other)  # becomes a membership of itself
    OrganisationRelationFactory(source=other, target=keep, kind="network")  # becomes a relation to itself
    OrganisationRelationFactory(source=other, target=member)
    SiteFactory(organisation=keep, name="Chartres", kind="head_office")
    SiteFactory(organisation=other, name="Bordeaux", kind="head_office")
    KeyFigureFactory(organisation=other)
    KeyFigureFactory(organisation=member).source_organisations.add(other)
    OrganisationNameFactory(organisation=other, name="GIPSO Nouvelle-Aquitaine")
    agreement = AgreementFactory()
    AgreementPartyFactory(agreement=agreement, organisation=keep)
    AgreementPartyFactory(agreement=agreement, organisation=other)
    PositionFactory(organisation=other)
    PressContactFactory(organisation=other)
    PressReleaseFactory().issuers.add(other)
    before = related_rows(keep) + related_rows(other)

    report = merge_organisations(keep=keep, other=other, user=admin_user)

    after = related_rows(keep)
    assert not Organisation.objects.filter(pk=other.pk).exists()
    lost = {label: before[label] - after[label] for label in before if before[label] != after[label]}
    assert lost == {
        "clusters.Membership": 3,  # the duplicate membership of the member; the membership of itself (2 sides)
        "clusters.OrganisationRelation": 2,  # the relation to itself, counted from both sides
        "agreements.AgreementParty": 1,  # both parties to the same agreement
        "clusters.OrganisationName": -1,  # GIPSO's name, kept as another name of Polepharma
    }
    assert report.dropped == Counter({"adhésions": 1, "relations entre organisations": 1})
    keep.refresh_from_db()
    assert keep.acronym == "GIPSO"
    assert set(keep.sites.values_list("name", "kind")) == {("Chartres", "head_office"), ("Bordeaux", "establishment")}
    assert set(keep.other_names.values_list("name", flat=True)) == {"GIPSO Nouvelle-Aquitaine", "Polepharma GIPSO"}
    assert KeyFigure.objects.filter(source_organisations=keep).count() == 1
    assert Membership.objects.get(member=member).cluster == keep
    assert OrganisationRelation.objects.get().source == keep
    assert AgreementParty.objects.get().organisation == keep
    assert Position.objects.get().organisation == keep and PressContact.objects.get().organisation == keep
    assert Site.objects.count() == 2 and OrganisationName.objects.count() == 2


# The duplicates page and the admin action.


@pytest.fixture
def duplicates(db):
    leem = OrganisationFactory(name="Leem", slug="leem")
    OrganisationFactory(name="LEEM", slug="leem-2")
    bou = PersonFactory(given_name="Stéphanie", family_name="Bou", slug="stephanie-bou")
    bou_again = PersonFactory(given_name="STEPHANIE", family_name="BOU", slug="stephanie-bou-2")
    for person in (bou, bou_again):
        PositionFactory(person=person, organisation=leem, title="Directrice")
    EmailFactory(person=bou, email="sbou@leem.org")
    EmailFactory(person=bou_again, email="sbou@leem.org")
    PersonFactory(given_name="Virginie", family_name="Pautre")
    return bou, bou_again


def test_the_duplicates_page_lists_likely_pairs_with_their_reasons(client, user_with, duplicates):
    client.force_login(user_with())
    page = client.get("/duplicates/").content.decode()
    assert "même e-mail : sbou@leem.org" in page and "même nom chez Leem" in page
    assert "même nom : Leem" in page
    assert "Pautre" not in page
    # Without the change and delete permissions, no merge form.
    assert 'name="keep"' not in page


def test_merging_from_the_duplicates_page(client, user_with, duplicates):
    bou, bou_again = duplicates
    client.force_login(user_with("change_person", "delete_person"))
    assert 'name="keep"' in client.get("/duplicates/").content.decode()
    response = client.post(
        "/duplicates/merge/",
        {"kind": "person", "first": bou.slug, "second": bou_again.slug, "keep": bou_again.slug},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == bou_again.get_absolute_url()
    assert "« Stéphanie Bou » a été fusionné avec « STEPHANIE BOU »" in response.content.decode()
    assert list(Person.objects.filter(family_name__iexact="bou")) == [bou_again]
    assert ContactPoint.objects.filter(email="sbou@leem.org").count() == 1


def test_merging_needs_the_change_and_delete_permissions(client, user_with, duplicates):
    bou, bou_again = duplicates
    client.force_login(user_with("change_person"))
    payload = {"kind": "person", "first": bou.slug, "second": bou_again.slug, "keep": bou.slug}
    assert client.post("/duplicates/merge/", payload).status_code == 403
    assert client.get("/duplicates/merge/").status_code == 405
    client.logout()
    assert client.post("/duplicates/merge/", payload).status_code == 302
    assert Person.objects.filter(family_name__iexact="bou").count() == 2


@pytest.mark.parametrize(
    "payload",
    [
        {"kind": "planet"},
        {"kind": "person", "first": "stephanie-bou", "second": "stephanie-bou", "keep": "stephanie-bou"},
        {"kind": "person", "first": "stephanie-bou", "second": "stephanie-bou-2", "keep": "someone-else"},
        {"kind": "person", "first": "stephanie-bou", "second": "gone", "keep": "stephanie-bou"},
    ],
)
def test_a_bad_merge_request_answers_400_and_merges_nothing(admin_client, duplicates, payload):
    assert admin_client.post("/duplicates/merge/", payload).status_code == 400
    assert Person.objects.filter(family_name__iexact="bou").count() == 2


def test_the_admin_action_asks_which_record_to_keep_then_merges(admin_client, duplicates):
    bou, bou_again = duplicates
    selection = {"action": "merge_selected", "_selected_action": [bou.pk, bou_again.pk]}
    page = admin_client.post("/admin/contacts/person/", selection)
    assert page.status_code == 200 and 'name="keep"' in page.content.decode()
    assert Person.objects.filter(pk=bou_again.pk).exists()
    admin_client.post("/admin/contacts/person/", {**selection, "keep": bou.pk})
    assert not Person.objects.filter(pk=bou_again.pk).exists()
    history = admin_client.get(f"/admin/contacts/person/{bou.pk}/history/").content.decode()
    assert "Fusionné avec « STEPHANIE BOU »" in history


def test_the_admin_action_wants_exactly_two_records(admin_client, duplicates):
    selection = {"action": "merge_selected", "_selected_action": [Person.objects.first().pk]}
    response = admin_client.post("/admin/contacts/person/", selection, follow=True)
    assert "Sélectionnez exactement deux fiches à fusionner." in response.content.decode()


def test_a_merge_with_many_rows_to_move_runs_on_a_worker(
    client, user_with, duplicates, settings, django_capture_on_commit_callbacks
):
    """From the duplicates page: more rows to move than MERGE_DIRECT_MAX_ROWS, the merge is a job."""
    from jobs.models import Job
    from tests.jobs.conftest import run_queued_tasks

    settings.MERGE_DIRECT_MAX_ROWS = 0
    bou, bou_again = duplicates
    client.force_login(user_with("change_person", "delete_person"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/duplicates/merge/",
            {"kind": "person", "first": bou.slug, "second": bou_again.slug, "keep": bou_again.slug},
            follow=True,
        )
    job = Job.objects.get()
    assert response.redirect_chain[-1][0] == f"/jobs/{job.pk}/"
    assert "La fusion a beaucoup de lignes à déplacer : un worker s’en charge." in response.content.decode()
    assert job.title == "Fusion de « Stéphanie Bou » dans « STEPHANIE BOU »"
    assert Person.objects.filter(family_name__iexact="bou").count() == 2
    assert run_queued_tasks() == 1
    assert list(Person.objects.filter(family_name__iexact="bou")) == [bou_again]
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "« Stéphanie Bou » a été fusionné avec « STEPHANIE BOU »" in page
    assert f'href="{bou_again.get_absolute_url()}"' in page


def test_the_admin_action_merges_on_a_worker_when_many_rows_move(
    admin_client, settings, db, django_capture_on_commit_callbacks
):
    from jobs.models import Job
    from tests.jobs.conftest import run_queued_tasks

    settings.MERGE_DIRECT_MAX_ROWS = 2
    kept, merged = OrganisationFactory(name="Azkue Biotech"), OrganisationFactory(name="Azkue Biotech SL")
    for number in range(3):
        PositionFactory(organisation=merged, person=PersonFactory(family_name=f"Arana{number}"))
    selection = {"action": "merge_selected", "_selected_action": [kept.pk, merged.pk], "keep": kept.pk}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/clusters/organisation/", selection, follow=True)
    job = Job.objects.get()
    assert f'href="/jobs/{job.pk}/"' in response.content.decode()
    assert Organisation.objects.filter(pk=merged.pk).exists()
    run_queued_tasks()
    assert not Organisation.objects.filter(pk=merged.pk).exists()
    assert kept.positions.count() == 3
