"""manage.py generate_demo: synthetic people, organisations and agreements, the same for the same seed, and
rows that obey every rule the app's own writes obey (on PostgreSQL they arrive by COPY)."""

import datetime
import hashlib
import io
import re

import phonenumbers
import pytest
from django.core.management import CommandError, call_command
from django.core.validators import validate_email
from django.db import connection, transaction

from agreements.models import Agreement, AgreementParty, Signatory
from clusters.models import Membership, MembershipType, Organisation
from contacts.models import Consent, ContactPoint, Person, Position
from contacts.search import refresh_search_text
from core.search import fold
from demo import generation as demo
from demo import relationships
from interactions.models import (
    FollowUp,
    FollowUpPerson,
    Interaction,
    InteractionOrganisation,
    InteractionPerson,
    OrganisationLastContact,
    PersonLastContact,
)

PEOPLE = 200
SEED = 7


@pytest.fixture
def generated(db):
    return demo.generate_demo(people=PEOPLE, seed=SEED)


def fingerprint() -> str:
    """A hash of what the generated rows say: slugs, names, titles, emails, phones, search text."""
    digest = hashlib.sha256()
    rows = [
        Organisation.objects.order_by("slug").values_list("slug", "name", "acronym", "kind", "country", "city"),
        Person.objects.order_by("slug").values_list("slug", "given_name", "family_name", "search_text"),
        Position.objects.order_by("person__slug", "-is_primary").values_list(
            "person__slug", "organisation__slug", "title", "started_on", "ended_on"
        ),
        ContactPoint.objects.order_by("person__slug", "medium", "-is_primary", "email", "phone").values_list(
            "person__slug", "kind", "email", "phone"
        ),
        Membership.objects.order_by("cluster__slug", "member__slug").values_list("cluster__slug", "member__slug"),
        Agreement.objects.order_by("slug").values_list("slug", "title", "signed_on"),
        Signatory.objects.order_by("agreement__slug", "person__slug").values_list("agreement__slug", "person__slug"),
        InteractionPerson.objects.order_by("person__slug", "interaction__occurred_at").values_list(
            "person__slug", "interaction__kind", "interaction__occurred_at", "interaction__subject"
        ),
        FollowUpPerson.objects.order_by("person__slug", "follow_up__due_on").values_list(
            "person__slug", "follow_up__title", "follow_up__due_on", "follow_up__done_at"
        ),
        Consent.objects.order_by("person__slug", "at").values_list("person__slug", "given", "method", "at"),
    ]
    for queryset in rows:
        for row in queryset:
            digest.update(repr(row).encode())
    return digest.hexdigest()


def generated_fingerprint(seed: int) -> str:
    with transaction.atomic():
        demo.generate_demo(people=PEOPLE, seed=seed)
        result = fingerprint()
        transaction.set_rollback(True)
    return result


def test_counts_are_the_rows_in_the_tables(generated):
    assert generated.people == Person.objects.count() == PEOPLE
    assert generated.organisations == Organisation.objects.count() == 20
    assert generated.positions == Position.objects.count() >= PEOPLE
    assert generated.contact_points == ContactPoint.objects.count() >= 2 * PEOPLE
    assert generated.memberships == Membership.objects.count() > 0
    assert generated.membership_types == MembershipType.objects.count() > 0
    assert generated.agreements == Agreement.objects.count() > 0
    assert generated.parties == AgreementParty.objects.count() >= 2 * generated.agreements
    assert generated.signatories == Signatory.objects.count() > 0
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(Organisation.Kind.values)
    assert Person.objects.filter(slug__startswith="demo-").count() == PEOPLE


def test_every_person_has_one_primary_position_and_a_work_email(generated):
    assert Position.objects.filter(is_primary=True).count() == PEOPLE
    assert ContactPoint.objects.filter(medium="email", kind="work", is_primary=True).count() == PEOPLE


def test_same_seed_gives_the_same_rows_and_another_seed_others(db):
    first = generated_fingerprint(SEED)
    assert Person.objects.count() == 0
    assert generated_fingerprint(SEED) == first
    assert generated_fingerprint(SEED + 1) != first


def test_rows_are_dated_from_the_seed_not_the_clock(generated):
    created = demo.base_time(SEED)
    for model in (Person, Organisation, Agreement, Interaction, FollowUp):
        assert set(model.objects.values_list("created_at", flat=True)) == {created}
        assert set(model.objects.values_list("updated_at", flat=True)) == {created}


def test_names_carry_accents_of_french_spanish_and_basque(generated):
    names = " ".join(" ".join(pair) for pair in Person.objects.values_list("given_name", "family_name"))
    assert re.search("[éèêëàâîïôûç]", names)
    assert re.search("[áíóúñ]", names)
    basque = set(demo.FAMILY_NAMES["eu"])
    families = Person.objects.values_list("family_name", flat=True)
    assert any(family in basque or family.split()[-1] in basque for family in families)


def test_emails_are_valid_lower_case_and_unique(generated):
    emails = list(ContactPoint.objects.filter(medium="email").values_list("person_id", "email", "kind"))
    for _person, email, _kind in emails:
        validate_email(email)
        assert email == email.lower() and email.isascii()
    assert len({(person, email) for person, email, _ in emails}) == len(emails)
    work = [email for _, email, kind in emails if kind == "work"]
    assert len(set(work)) == len(work)


def test_phones_are_valid_french_or_spanish_numbers_in_e164(generated):
    phones = list(ContactPoint.objects.filter(medium="phone").values_list("person_id", "phone", "kind"))
    assert phones
    for _person, phone, kind in phones:
        number = phonenumbers.parse(str(phone))
        assert phonenumbers.is_valid_number(number), phone
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == str(phone)
        assert phonenumbers.region_code_for_number(number) in {"FR", "ES"}
        if kind == "mobile":
            assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
    assert len({(person, str(phone)) for person, phone, _ in phones}) == len(phones)


def test_rows_fill_every_column_of_the_big_tables():
    for model, names in (
        (Person, demo.PERSON_FIELDS),
        (Position, demo.POSITION_FIELDS),
        (ContactPoint, demo.CONTACT_POINT_FIELDS),
    ):
        assert set(names) == {field.attname for field in model._meta.concrete_fields}


def test_interactions_follow_ups_and_consents_are_generated_for_the_people(generated):
    assert generated.interactions == Interaction.objects.count()
    assert 2 * PEOPLE <= generated.interactions <= 4 * PEOPLE  # three per person on average
    assert generated.interaction_links == InteractionPerson.objects.count() + InteractionOrganisation.objects.count()
    assert InteractionOrganisation.objects.exists()
    assert set(Interaction.objects.values_list("kind", flat=True)) == set(Interaction.Kind.values)
    assert not Interaction.objects.exclude(kind__in=["call", "email", "letter"]).exclude(direction="").exists()
    created = demo.base_time(SEED)
    oldest = Interaction.objects.order_by("occurred_at").first().occurred_at
    assert created - datetime.timedelta(days=3 * 365) <= oldest
    assert Interaction.objects.order_by("-occurred_at").first().occurred_at <= created
    staff = set(Interaction.objects.values_list("logged_by__username", flat=True))
    assert staff == {username for username, _given, _family in relationships.STAFF}
    assert generated.follow_ups == FollowUp.objects.count() > 0
    assert FollowUp.objects.filter(done_at__isnull=False).exists()
    assert FollowUp.objects.overdue(today=created.date()).exists()
    consenting = Person.objects.filter(lawful_basis="consent")
    assert generated.consents == Consent.objects.count() >= consenting.count() > 0
    assert set(Consent.objects.filter(given=True).values_list("person", flat=True)) == set(
        consenting.values_list("pk", flat=True)
    )
    assert not Consent.objects.filter(given=False).exclude(person__do_not_contact=True).exists()


def test_last_contacts_are_rebuilt_from_the_generated_interactions(generated):
    involved = InteractionPerson.objects.values("person").distinct().count()
    assert PersonLastContact.objects.count() == involved > 0
    assert OrganisationLastContact.objects.count() == (
        InteractionOrganisation.objects.values("organisation").distinct().count()
    )
    last = PersonLastContact.objects.order_by("person").first()
    latest = Interaction.objects.filter(people=last.person_id).order_by("-occurred_at").first()
    assert last.occurred_at == latest.occurred_at


def test_relationship_rows_fill_every_column_of_their_tables():
    for model, names in relationships.TABLES:
        assert set(names) == {field.attname for field in model._meta.concrete_fields}, model


@pytest.mark.parametrize(
    "model",
    [
        Organisation, MembershipType, Membership, Person, Position, ContactPoint, Agreement, AgreementParty, Signatory,
        Interaction, FollowUp, Consent,
    ],
)  # fmt: skip
def test_generated_rows_pass_the_models_validation(generated, model):
    rows = list(model.objects.order_by("pk")[:15]) + list(model.objects.order_by("-pk")[:15])
    assert rows
    for row in rows:
        row.full_clean()


def test_search_text_is_what_the_signals_compute(generated):
    stored = dict(Person.objects.values_list("pk", "search_text"))
    refresh_search_text(list(stored))
    assert dict(Person.objects.values_list("pk", "search_text")) == stored


def test_directory_finds_a_generated_person_by_folded_name_email_and_phone(generated, admin_client):
    with_accents = [
        person
        for person in Person.objects.filter(contact_points__medium="phone").order_by("pk")
        if not person.full_name.isascii()
    ]
    person = with_accents[0]
    email = person.contact_points.get(medium="email", kind="work").email
    phone = person.contact_points.filter(medium="phone").first().phone
    local, domain = email.split("@")
    queries = [
        fold(person.full_name),
        f"{local}@{domain.split('.')[0]}",
        phonenumbers.format_number(phone, phonenumbers.PhoneNumberFormat.NATIONAL),
    ]
    for query in queries:
        response = admin_client.get("/contacts/", {"q": query})
        assert response.status_code == 200
        assert person.get_absolute_url() in response.content.decode(), query


def test_the_app_inserts_after_generation(generated):
    organisation = Organisation.objects.create(slug="nouvelle", name="Nouvelle organisation")
    person = Person.objects.create(slug="nouvelle-personne", given_name="Anaïs", family_name="Nouvelle")
    Position.objects.create(person=person, organisation=organisation, title="Chargée de mission", is_primary=True)
    ContactPoint.objects.create(person=person, medium="email", email="anais@nouvelle.fr", is_primary=True)
    agreement = Agreement.objects.create(slug="nouvel-accord", title="Nouvel accord", status="draft")
    AgreementParty.objects.create(agreement=agreement, organisation=organisation)
    assert Person.objects.count() == PEOPLE + 1


def test_writes_no_history(generated):
    for model in (
        Organisation, Person, Position, ContactPoint, Membership, Agreement, AgreementParty, Signatory, Interaction,
        FollowUp, Consent,
    ):  # fmt: skip
        assert model.history.count() == 0


def test_the_command_reports_and_refuses_a_second_run(db):
    out = io.StringIO()
    call_command("generate_demo", "--people", "30", "--organisations", "8", stdout=out)
    assert re.search(r"8 organisations, .* 30 people, .* in \d+\.\d s", out.getvalue())
    with pytest.raises(CommandError, match="already holds demo data"):
        call_command("generate_demo", "--people", "30", stdout=io.StringIO())
    assert Person.objects.count() == 30


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index rebuild is PostgreSQL's bulk path")
def test_the_bulk_path_rebuilds_the_same_indexes_and_foreign_keys(db, monkeypatch):
    tables = [model._meta.db_table for model in (Person, Position, ContactPoint, *relationships.FILLED_MODELS)]

    def schema():
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1", [tables])
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) "
                "ORDER BY 1",
                [tables],
            )
            return indexes, cursor.fetchall()

    before = schema()
    monkeypatch.setattr(demo, "REBUILD_INDEXES_FROM", 0)
    demo.generate_demo(people=PEOPLE, seed=SEED)
    assert schema() == before
    assert Person.objects.search(fold(Person.objects.order_by("pk").first().full_name)).exists()
