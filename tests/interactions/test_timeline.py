"""The timeline on a person's and an organisation's page: every kind of entry in words, newest first, a page at a
time in a fixed number of queries, narrowed by kind, and only what the user may see."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone, translation

from clusters.models import Due
from contacts.models import ContactListEntry
from events.models import Event, EventEdition, Invitation
from interactions.models import FollowUp, FollowUpPerson, Interaction, InteractionPerson
from tests.factories import (
    AgreementFactory,
    AgreementPartyFactory,
    ClusterFactory,
    ContactListFactory,
    FollowUpFactory,
    InteractionFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    PositionFactory,
    PressReleaseFactory,
    QuoteFactory,
    SignatoryFactory,
)

TODAY = datetime.date(2026, 6, 15)


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def grant(user, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="interactions", codename__in=codenames)
    )
    return user


@pytest.fixture
def staff_client(client, user_with):
    """A member of staff who reads everything, interactions and follow-ups included."""
    client.force_login(grant(user_with(), "view_interaction", "view_followup"))
    return client


def entries(response) -> list[str]:
    """The timeline's entries as a user reads them, newest first."""
    html = response.content.decode()
    section = html[html.index('id="timeline"') :]
    items = re.findall(r'<li class="timeline-entry[^"]*">(.*?)</li>', section, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def english(record) -> str:
    with translation.override("fr"):
        return "/en" + record.get_absolute_url()


# --- what each kind of entry says ----------------------------------------------------------------------------


def test_a_persons_timeline_tells_everything_that_happened_to_them(db, staff_client):
    person = PersonFactory(given_name="Fabien", family_name="Riolet")
    polepharma = OrganisationFactory(name="Polepharma")
    PositionFactory(
        person=person,
        organisation=polepharma,
        title="Directeur Général",
        started_on=datetime.date(2015, 3, 1),
        ended_on=datetime.date(2024, 1, 31),
    )
    release = PressReleaseFactory(title="Signature à Hendaye", published_on=datetime.date(2022, 6, 9))
    QuoteFactory(press_release=release, person=person)
    agreement = AgreementFactory(title="Convention de partenariat", signed_on=datetime.date(2022, 6, 8))
    AgreementPartyFactory(agreement=agreement, organisation=polepharma)
    SignatoryFactory(agreement=agreement, person=person, organisation=polepharma, title_at_signing="DG")
    edition = EventEdition.objects.create(
        event=Event.objects.create(name="Rencontres RNAEN", slug="rnaen"), starts_on=datetime.date(2023, 5, 4)
    )
    Invitation.objects.create(edition=edition, person=person, attended=True)
    ContactListEntry.objects.create(contact_list=ContactListFactory(name="Presse santé"), person=person)
    InteractionFactory(subject="Renouvellement de l’adhésion", text="Il rappelle lundi.", people=[person])
    FollowUpFactory(
        title="Envoyer la convention", due_on=timezone.localdate() + datetime.timedelta(days=7), people=[person]
    )

    shown = " | ".join(entries(staff_client.get(english(person))))

    for words in [
        "Call outbound Renouvellement de l’adhésion",
        "Il rappelle lundi.",
        "Follow-up Envoyer la convention",
        "Started as Directeur Général at Polepharma",
        "Left the position of Directeur Général at Polepharma",
        "Named in the press release Signature à Hendaye",
        "Signed Convention de partenariat for Polepharma (DG)",
        "Invited to Rencontres RNAEN",
        "Attended Rencontres RNAEN",
        "Added to the list Presse santé",
    ]:
        assert words in shown


def test_an_organisations_timeline_tells_its_memberships_agreements_people_and_events(db, staff_client):
    cluster = ClusterFactory(name="Polepharma")
    member = OrganisationFactory(name="Sanofi")
    MembershipFactory(
        cluster=cluster, member=member, started_on=datetime.date(2019, 1, 1), ended_on=datetime.date(2019, 12, 31)
    )
    renewed = MembershipFactory(
        cluster=cluster, member=member, started_on=datetime.date(2020, 1, 1), cancelled_on=datetime.date(2021, 3, 1)
    )
    Due.objects.create(
        membership=renewed, amount=1200, invoiced_on=datetime.date(2020, 1, 10), paid_on=datetime.date(2020, 2, 1)
    )
    agreement = AgreementFactory(title="Convention RNAEN", signed_on=datetime.date(2022, 6, 8))
    AgreementPartyFactory(agreement=agreement, organisation=member)
    PositionFactory(
        person=PersonFactory(given_name="Philippe", family_name="Ivanès"),
        organisation=member,
        title="Directeur industriel",
        started_on=datetime.date(2018, 9, 1),
    )
    release = PressReleaseFactory(title="Communiqué de Sanofi", published_on=datetime.date(2023, 1, 5))
    release.issuers.add(member)
    event = Event.objects.create(name="Journée Sanofi", slug="journee-sanofi")
    event.organisers.add(member)
    EventEdition.objects.create(event=event, starts_on=datetime.date(2024, 4, 2), place="Tours")
    InteractionFactory(subject="Point annuel", organisations=[member])

    member_timeline = " | ".join(entries(staff_client.get(english(member))))
    cluster_timeline = " | ".join(entries(staff_client.get(english(cluster))))

    for words in [
        "Point annuel",
        "Joined Polepharma as a member",
        "Its membership of Polepharma ended",
        "Renewed its membership of Polepharma",
        "Its membership of Polepharma was cancelled",
        "Paid its dues to Polepharma (1200",
        "Signed Convention RNAEN (party)",
        "Philippe Ivanès started as Directeur industriel",
        "Named in the press release Communiqué de Sanofi",
        "Organised Journée Sanofi (Tours)",
    ]:
        assert words in member_timeline
    for words in ["Sanofi joined as a member", "Sanofi renewed its membership", "Sanofi paid its dues"]:
        assert words in cluster_timeline


def test_the_newest_entries_come_first(db, staff_client):
    person = PersonFactory()
    InteractionFactory(subject="Ancien appel", occurred_at=days_ago(400), people=[person])
    PositionFactory(person=person, title="Directrice", started_on=timezone.localdate() - datetime.timedelta(days=30))
    InteractionFactory(subject="Appel récent", occurred_at=days_ago(1), people=[person])

    shown = entries(staff_client.get(english(person)))

    assert ["Appel récent" in shown[0], "Directrice" in shown[1], "Ancien appel" in shown[2]] == [True] * 3


# --- pages, filters, permissions ---------------------------------------------------------------------------


def test_the_timeline_is_paginated_newest_first_with_and_without_javascript(db, staff_client):
    person = PersonFactory()
    for number in range(25):
        InteractionFactory(subject=f"Appel {number:02}", occurred_at=days_ago(number), people=[person])

    first = staff_client.get(person.get_absolute_url())
    shown = entries(first)
    assert len(shown) == 20 and "Appel 00" in shown[0] and "Appel 19" in shown[-1]
    assert f'href="{person.get_absolute_url()}?timeline_page=2#timeline"' in first.content.decode()

    second = staff_client.get(person.get_absolute_url(), {"timeline_page": 2})
    assert len(entries(second)) == 5 and "Appel 24" in entries(second)[-1]

    fragment = staff_client.get(
        f"/interactions/timeline/person/{person.slug}/?timeline_page=2", headers={"HX-Request": "true"}
    )
    assert fragment.content.decode().lstrip().startswith('<section id="timeline"')
    assert len(entries(fragment)) == 5

    without_javascript = staff_client.get(f"/interactions/timeline/person/{person.slug}/?timeline_page=2")
    assert without_javascript.status_code == 302
    assert without_javascript["Location"] == f"{person.get_absolute_url()}?timeline_page=2#timeline"


@pytest.mark.parametrize("page", ["0", "-3", "abc", "99999999999999999999", "\u00e9"])
def test_a_mistyped_page_number_shows_a_page(db, staff_client, page):
    person = PersonFactory()
    InteractionFactory(subject="Appel", people=[person])
    response = staff_client.get(person.get_absolute_url(), {"timeline_page": page})
    assert response.status_code == 200


def test_the_timeline_is_narrowed_by_kind(db, staff_client):
    person = PersonFactory()
    InteractionFactory(subject="Un appel", people=[person])
    PositionFactory(person=person, title="Directrice", started_on=datetime.date(2020, 1, 1))
    ContactListEntry.objects.create(contact_list=ContactListFactory(name="Presse"), person=person)

    only_positions = entries(staff_client.get(english(person), {"timeline": "positions"}))
    assert len(only_positions) == 1 and "Directrice" in only_positions[0]

    two = " | ".join(entries(staff_client.get(english(person), {"timeline": ["interactions", "lists"]})))
    assert "Un appel" in two and "Presse" in two and "Directrice" not in two

    unknown = entries(staff_client.get(english(person), {"timeline": "nonsense"}))
    assert len(unknown) == 3  # an unknown kind narrows nothing


def test_who_may_not_read_interactions_sees_none_of_them(db, viewer_client):
    person = PersonFactory()
    InteractionFactory(subject="Appel confidentiel", people=[person])
    FollowUpFactory(title="Rappeler", people=[person])
    PositionFactory(person=person, title="Directrice", started_on=datetime.date(2020, 1, 1))

    html = viewer_client.get(person.get_absolute_url()).content.decode()

    assert "Appel confidentiel" not in html and "Rappeler" not in html
    assert "Directrice" in " ".join(entries(viewer_client.get(person.get_absolute_url())))
    assert 'value="interactions"' not in html  # nor a filter for them


def test_the_timeline_fragment_needs_the_records_permission(db, client, django_user_model):
    person = PersonFactory()
    client.force_login(django_user_model.objects.create_user("nobody", "nobody@example.org", "x-not-used-1"))
    response = client.get(f"/interactions/timeline/person/{person.slug}/", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert client.get("/interactions/timeline/person/nobody-at-all/").status_code in (403, 404)


# --- the same number of queries whatever the number of entries ---------------------------------------------


def make_timeline(person, organisation, count: int) -> None:
    """``count`` entries of five kinds, interleaved in time, so that any page holds every kind."""
    user = FollowUpFactory().assigned_to
    contact_lists = ContactListFactory.create_batch(count // 5)
    now = timezone.now()
    interactions = Interaction.objects.bulk_create(
        [
            Interaction(
                kind="call", subject=f"Appel {n}", occurred_at=now - datetime.timedelta(days=5 * n), logged_by=user
            )
            for n in range(count // 5)
        ]
    )
    InteractionPerson.objects.bulk_create(
        [InteractionPerson(interaction=interaction, person=person) for interaction in interactions]
    )
    follow_ups = FollowUp.objects.bulk_create(
        [
            FollowUp(title=f"Tâche {n}", due_on=(now - datetime.timedelta(days=5 * n + 1)).date(), assigned_to=user)
            for n in range(count // 5)
        ]
    )
    FollowUpPerson.objects.bulk_create([FollowUpPerson(follow_up=follow_up, person=person) for follow_up in follow_ups])
    from contacts.models import Position

    Position.objects.bulk_create(
        [
            Position(
                person=person,
                organisation=organisation,
                title=f"Poste {n}",
                started_on=(now - datetime.timedelta(days=5 * n + 2)).date(),
            )
            for n in range(count // 5)
        ]
    )
    entries_ = ContactListEntry.objects.bulk_create(
        [ContactListEntry(contact_list=contact_list, person=person) for contact_list in contact_lists]
    )
    for n, entry in enumerate(entries_):
        ContactListEntry.objects.filter(pk=entry.pk).update(added_at=now - datetime.timedelta(days=5 * n + 3))
    agreements = [
        AgreementFactory(signed_on=(now - datetime.timedelta(days=5 * n + 4)).date()) for n in range(count // 5)
    ]
    from agreements.models import Signatory

    Signatory.objects.bulk_create(
        [Signatory(agreement=agreement, person=person, organisation=organisation) for agreement in agreements]
    )


@pytest.mark.parametrize("count", [5, 500])
def test_the_timeline_costs_the_same_queries_with_5_or_500_entries(db, staff_client, django_assert_num_queries, count):
    person, organisation = PersonFactory(), OrganisationFactory()
    make_timeline(person, organisation, count)
    staff_client.get(person.get_absolute_url())  # content types are cached after the first page

    # session, user, permissions (user, groups); the person's page; the timeline's page of keys (one UNION ALL);
    # its records by model: interactions (with their logger, people and organisations), follow-ups (with whom
    # they are assigned to), positions, signatures, list entries.
    with django_assert_num_queries(QUERIES):
        response = staff_client.get(person.get_absolute_url())

    assert len(entries(response)) == min(count, 20)
    kinds = set(re.findall(r'class="timeline-entry timeline-(\w+)"', response.content.decode()))
    assert kinds == {"interactions", "follow_ups", "positions", "agreements", "lists"}


QUERIES = 29
