"""Taking in a press release: extraction from the two seed releases and from other layouts, review, saving."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from agreements.extraction import extract_release
from agreements.ingestion import CONFLICT, MATCH, NEW, UPDATE, review_release, save_release
from agreements.models import PressRelease, Provenance
from clusters.imports import OrganisationIndex
from clusters.models import Organisation
from contacts.models import ContactPoint, Person, PressContact
from core.search import fold
from jobs.models import Job
from tests.factories import EmailFactory, OrganisationFactory, PersonFactory

HENDAYE_SLUG = "2022-05-12-alliance-polepharma-gipso-basque-health-cluster"
LEEM_GIPSO_SLUG = "2020-06-12-convention-leem-gipso"


def seed_release_text(slug: str) -> str:
    """The text of a seed release, verbatim as the seed fixture keeps it (it is the press release file)."""
    fixture = Path(__file__).resolve().parents[2] / "agreements" / "fixtures" / "seed.json"
    for record in json.loads(fixture.read_text()):
        if record["model"] == "agreements.pressrelease" and record["fields"]["slug"] == slug:
            return record["fields"]["text"]
    raise LookupError(slug)


HENDAYE = seed_release_text(HENDAYE_SLUG)
LEEM_GIPSO = seed_release_text(LEEM_GIPSO_SLUG)


def found(release):
    return {
        (c.given_name, c.family_name, c.title, fold(c.organisation), tuple(c.emails), tuple(c.phones))
        for c in release.contacts
    }


def seeded_contacts(slug):
    """The press contacts the seed holds for a release, as extraction would state them."""
    release = PressRelease.objects.get(slug=slug)
    contacts = set()
    for role in release.press_contacts.select_related("person", "organisation"):
        person = role.person
        position = person.positions.filter(organisation=role.organisation).first()
        points = person.contact_points.order_by("pk")
        contacts.add(
            (
                person.given_name,
                person.family_name,
                position.title if position else "",
                role.organisation.slug,
                tuple(point.email for point in points if point.email),
                tuple(str(point.phone) for point in points if point.phone),
            )
        )
    return contacts


@pytest.mark.parametrize("slug", [HENDAYE_SLUG, LEEM_GIPSO_SLUG])
def test_extraction_reproduces_the_seed_release_and_its_press_contacts(seed, slug):
    index = OrganisationIndex()
    release = extract_release(seed_release_text(slug), is_organisation=lambda name: index.find(name) is not None)
    stored = PressRelease.objects.get(slug=slug)
    assert (release.date, release.place) == (stored.published_on, stored.place)
    assert (fold(release.title), fold(release.kicker), fold(release.subtitle)) == (
        fold(stored.title),
        fold(stored.kicker),
        fold(stored.subtitle),
    )
    extracted = {
        (c.given_name, c.family_name, c.title, index.find(c.organisation).slug, tuple(c.emails), tuple(c.phones))
        for c in release.contacts
    }
    assert extracted == seeded_contacts(slug)


def test_a_release_already_stored_matches_every_record_and_cannot_be_stored_twice(seed):
    review = review_release(LEEM_GIPSO)
    assert review.existing_release.slug == "2020-06-12-convention-leem-gipso"
    assert not review.can_save
    assert {contact.status for contact in review.contacts} == {MATCH}
    assert [organisation.display_name for organisation in review.organisations] == [
        "CCI Nouvelle-Aquitaine",
        "CESER Aquitaine",
        "France Biotech",
        "GIPSO",
        "Leem",
    ]
    with pytest.raises(ValueError):
        save_release(review)


def test_a_new_release_is_stored_with_its_people_organisations_and_provenance(db):
    review = review_release(LEEM_GIPSO)
    assert {contact.status for contact in review.contacts} == {NEW}
    assert Person.objects.count() == 0  # reviewing wrote nothing
    release = save_release(review)
    assert (release.published_on.isoformat(), release.kicker) == (
        "2020-06-12",
        "Développement des entreprises du médicament en régions",
    )
    assert release.text == LEEM_GIPSO
    assert sorted(release.issuers.values_list("name", flat=True)) == ["GIPSO", "Leem"]
    assert set(Person.objects.values_list("family_name", flat=True)) == {"Pangaud", "Bou", "Pautre", "Mahdadi"}
    bou = Person.objects.get(family_name="Bou")
    assert sorted(str(point.phone) for point in bou.contact_points.filter(medium="phone")) == [
        "+33145038838",
        "+33660462308",
    ]
    assert bou.contact_points.get(kind="mobile").phone == "+33660462308"
    assert release.press_contacts.count() == 4
    assert Provenance.objects.filter(press_release=release).count() == 6  # 4 people, 2 organisations
    assert Person.objects.search("pautre").get().data_source == "press_release"
    # Read again, the same text is now a release already stored.
    assert review_release(LEEM_GIPSO).existing_release == release


def test_a_matching_person_gains_what_the_release_adds_and_a_conflict_is_left_alone(db):
    leem = OrganisationFactory(name="Leem", slug="leem")
    bou = PersonFactory(given_name="Stéphanie", family_name="Bou")
    EmailFactory(person=bou, email="sbou@leem.org")
    EmailFactory(person=PersonFactory(given_name="Autre", family_name="Personne"), email="vpautre@leem.org")
    review = review_release(LEEM_GIPSO)
    statuses = {contact.extracted.family_name: contact.status for contact in review.contacts}
    assert statuses == {"Pangaud": NEW, "Bou": UPDATE, "Pautre": CONFLICT, "Mahdadi": NEW}
    bou_review = next(contact for contact in review.contacts if contact.person == bou)
    assert "téléphone +33660462308" in bou_review.notes and "contact presse pour Leem" in bou_review.notes
    # Each number new to a known person waits for the reviewer: unchecked, it is not added (issue 20).
    assert [(item.key, item.checked) for item in bou_review.confirmations] == [
        (f"phone:{bou.slug}:+33145038838", False),
        (f"phone:{bou.slug}:+33660462308", False),
    ]
    save_release(review, confirmed=[f"phone:{bou.slug}:+33660462308"])
    assert PressContact.objects.filter(person=bou, organisation=leem).exists()
    assert sorted(point.email or str(point.phone) for point in bou.contact_points.all()) == [
        "+33660462308",
        "sbou@leem.org",
    ]
    assert not Person.objects.filter(family_name="Pautre").exists()
    assert Organisation.objects.filter(name="GIPSO").exists()


ENGLISH_RELEASE = """PRESS RELEASE

Bilbao, March 3, 2023

Basque Health Cluster and GIPSO open a cross-border training programme

The Basque Health Cluster and GIPSO announce a training programme for the staff of their member companies on both sides of the border, starting in the autumn with courses in quality assurance, regulatory affairs and industrial biotechnology, run in Bilbao and Bordeaux.

Media contacts:
Basque Health Cluster: Ane Etxeberria, Communication Manager, ane.etxeberria@basquehealthcluster.org, +34 944 00 00 00
GIPSO: Emmanuelle PANGAUD, +33 5 56 11 32 15, e.pangaud@gipso.org.
"""  # noqa: E501

ONE_FIELD_PER_LINE = """Communiqué de presse
Chartres, le 1er février 2024
Polepharma ouvre une antenne à Tours
Une nouvelle implantation au service des adhérents de la région Centre-Val de Loire
Polepharma, premier cluster pharmaceutique en Europe, ouvre une antenne à Tours pour accompagner ses adhérents de la région Centre-Val de Loire, avec une équipe dédiée à la formation et à la bioproduction et un programme de rencontres trimestrielles ouvert à tous les acteurs de la filière.

Contact presse :
Jean-Pierre MARTIN
Directeur de la communication, Polepharma
Tél. 02 37 20 24 24 / 06 71 23 45 67
jp.martin@polepharma.com.
"""  # noqa: E501

PIPES_AND_INLINE = """INFORMATION PRESSE
Paris – 15/09/2025
Le Leem et le GIPSO renouvellent leur convention
Le Leem et le GIPSO ont renouvelé la convention signée en 2020, qui couvre la formation, l'innovation translationnelle et les relations avec les pouvoirs publics, pour trois ans, et l'étendent aux questions de relocalisation industrielle en Nouvelle-Aquitaine.
CONTACTS PRESSE
Leem | Stéphanie BOU | 01 45 03 88 38 | sbou@leem.org
GIPSO | Emmanuelle PANGAUD | 05 56 11 32 15 | e.pangaud@gipso.org
Relations presse : Agence Ondes — Luc DURAND — 06 12 34 56 78 — luc@ondes.fr ; 06 12 34 56 78
"""  # noqa: E501


@pytest.fixture
def organisations(db):
    for name, slug in [
        ("Basque Health Cluster", "bhc"),
        ("GIPSO", "gipso"),
        ("Polepharma", "polepharma"),
        ("Leem", "leem"),
    ]:
        OrganisationFactory(name=name, slug=slug)
    return OrganisationIndex()


def test_an_english_release_with_organisations_before_each_contact(organisations):
    release = extract_release(ENGLISH_RELEASE, is_organisation=lambda name: organisations.find(name) is not None)
    assert (release.date.isoformat(), release.place, release.language) == ("2023-03-03", "Bilbao", "en")
    assert release.title == "Basque Health Cluster and GIPSO open a cross-border training programme"
    assert found(release) == {
        (
            "Ane",
            "Etxeberria",
            "Communication Manager",
            "basque health cluster",
            ("ane.etxeberria@basquehealthcluster.org",),
            ("+34944000000",),
        ),
        ("Emmanuelle", "Pangaud", "", "gipso", ("e.pangaud@gipso.org",), ("+33556113215",)),
    }


def test_a_release_with_one_field_per_line(organisations):
    release = extract_release(ONE_FIELD_PER_LINE, is_organisation=lambda name: organisations.find(name) is not None)
    assert (release.date.isoformat(), release.place) == ("2024-02-01", "Chartres")
    assert release.title == "Une nouvelle implantation au service des adhérents de la région Centre-Val de Loire"
    assert release.kicker == "Polepharma ouvre une antenne à Tours"
    assert found(release) == {
        (
            "Jean-Pierre",
            "Martin",
            "Directeur de la communication",
            "polepharma",
            ("jp.martin@polepharma.com",),
            ("+33237202424", "+33671234567"),
        )
    }


def test_a_release_with_pipes_numeric_date_and_an_inline_heading(organisations):
    release = extract_release(PIPES_AND_INLINE, is_organisation=lambda name: organisations.find(name) is not None)
    assert (release.date.isoformat(), release.place) == ("2025-09-15", "Paris")
    assert found(release) == {
        ("Stéphanie", "Bou", "", "leem", ("sbou@leem.org",), ("+33145038838",)),
        ("Emmanuelle", "Pangaud", "", "gipso", ("e.pangaud@gipso.org",), ("+33556113215",)),
        ("Luc", "Durand", "", "agence ondes", ("luc@ondes.fr",), ("+33612345678",)),
    }


def test_the_command_prints_json_and_writes_nothing_on_a_dry_run(organisations, tmp_path, capsys):
    path = tmp_path / "release.txt"
    path.write_text(PIPES_AND_INLINE)
    call_command("ingest_release", str(path), "--dry-run", "--json")
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"title", "date", "place", "organisations", "contacts"}
    assert data["date"] == "2025-09-15" and data["organisations"][:2] == ["GIPSO", "Leem"]
    durand = next(contact for contact in data["contacts"] if contact["family_name"] == "Durand")
    assert {key: durand[key] for key in ("given_name", "title", "organisation", "emails", "phones", "status")} == {
        "given_name": "Luc",
        "title": "",
        "organisation": "Agence Ondes",
        "emails": ["luc@ondes.fr"],
        "phones": ["+33612345678"],
        "status": "new",
    }
    assert not PressRelease.objects.exists() and not Person.objects.exists()


def test_the_command_stores_only_when_told_to(organisations, tmp_path):
    path = tmp_path / "release.txt"
    path.write_text(ONE_FIELD_PER_LINE, encoding="cp1252")
    with pytest.raises(CommandError, match="--yes"):
        call_command("ingest_release", str(path))
    assert not PressRelease.objects.exists()
    call_command("ingest_release", str(path), "--yes")
    assert PressRelease.objects.get().place == "Chartres"
    assert ContactPoint.objects.filter(person__family_name="Martin").count() == 3


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02binary", b"Sans date ni titre reconnaissable."])
def test_the_command_refuses_what_it_cannot_read(db, tmp_path, data):
    path = tmp_path / "release.txt"
    path.write_bytes(data)
    with pytest.raises(CommandError):
        call_command("ingest_release", str(path), "--yes")
    assert not PressRelease.objects.exists()


INGEST_URL = "/admin/agreements/pressrelease/ingest/"


def test_the_admin_page_has_a_worker_read_the_release_then_store_it_on_confirmation(
    admin_client, organisations, django_capture_on_commit_callbacks
):
    from jobs.models import Job
    from tests.jobs.conftest import run_queued_tasks

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(INGEST_URL, {"text": PIPES_AND_INLINE, "preview": "1"})
    reading = Job.objects.get()
    assert response.status_code == 303 and response["Location"] == f"/jobs/{reading.pk}/"
    assert reading.title == "Communiqué de presse : lecture"
    assert run_queued_tasks() == 1
    job_page = admin_client.get(response["Location"]).content.decode()
    assert f'href="{INGEST_URL}?job={reading.pk}"' in job_page and "Vérifier et confirmer" in job_page

    page = admin_client.get(INGEST_URL, {"job": reading.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Durand" in html and "Nouveau" in html and "Confirmer et enregistrer" in html
    assert not PressRelease.objects.exists()
    # Someone else's review is not shown.
    other = Client()
    other.force_login(type(reading.owner).objects.create_superuser("other", "other@example.org", "x" * 12))
    assert "Durand" not in other.get(INGEST_URL, {"job": reading.pk}).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(INGEST_URL, {"text": PIPES_AND_INLINE, "confirm": "1"})
    storing = Job.objects.latest("pk")
    assert response.status_code == 303 and response["Location"] == f"/jobs/{storing.pk}/"
    assert run_queued_tasks() == 1
    release = PressRelease.objects.get()
    assert release.press_contacts.count() == 3
    job_page = admin_client.get(response["Location"]).content.decode()
    assert f'href="/admin/agreements/pressrelease/{release.pk}/change/"' in job_page


def test_the_admin_page_needs_the_permissions_and_refuses_bad_text(admin_client, user_with, db):
    staff = user_with("add_pressrelease")
    staff.is_staff = True
    staff.save()
    other = Client()
    other.force_login(staff)
    assert other.get(INGEST_URL).status_code == 403
    for text in ["", "a\x00b", "x" * 200_001]:
        response = admin_client.post(INGEST_URL, {"text": text, "preview": "1"})
        assert response.status_code == 200 and response.context["form"].errors
    assert not Job.objects.exists()
    assert "Ingérer un communiqué de presse" in admin_client.get("/admin/agreements/pressrelease/").content.decode()
