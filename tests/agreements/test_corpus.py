"""The corpus of releases (``tests/agreements/corpus/``): each extracts as its JSON says, and no contact ever
holds someone else's address or number. Scores per field: ``python -m tests.agreements.corpus_scores``."""

import json

import pytest
from django.core.management import call_command

from agreements.ingestion import CONFLICT, NEW, UPDATE, review_release, save_release
from agreements.models import Agreement, Quote
from clusters.models import Organisation
from contacts.models import ContactPoint, Person
from core.search import fold
from tests.agreements.corpus_scores import CORPUS, FIELDS, compare, corpus_files, extract, read_text
from tests.factories import EmailFactory, OrganisationFactory, PersonFactory

RELEASES = corpus_files()


def test_the_corpus_covers_the_three_languages_and_enough_releases():
    assert len(RELEASES) >= 16
    assert {expected["language"] for _path, expected in RELEASES} >= {"fr", "es", "en"}


@pytest.mark.parametrize(("path", "expected"), RELEASES, ids=[path.name for path, _expected in RELEASES])
def test_a_corpus_release_extracts_as_expected(path, expected):
    found = extract(path)
    differences = []
    for name in FIELDS:
        differences += compare(name, found, expected)[3]
    assert not differences


@pytest.mark.parametrize(("path", "expected"), RELEASES, ids=[path.name for path, _expected in RELEASES])
def test_no_contact_holds_an_address_or_number_of_someone_else(path, expected):
    owner = {}
    for contact in expected["contacts"]:
        for value in [*contact["emails"], *contact["phones"]]:
            owner[value] = fold(contact["name"])
    for contact in extract(path)["contacts"]:
        for value in [*contact["emails"], *contact["phones"]]:
            assert owner.get(value, fold(contact["name"])) == fold(contact["name"]), (contact["name"], value)


def _unassigned(name):
    from agreements.extraction import extract_release

    return [(item.kind, item.value) for item in extract_release(read_text(CORPUS / name)).unassigned]


def test_an_address_between_two_names_is_left_unassigned():
    assert _unassigned("fr_email_ambigu.txt") == [("email", "e.pangaud@gipso.org")]


def test_a_number_two_blocks_could_own_is_left_unassigned():
    assert _unassigned("fr_telephone_entre_deux.txt") == [("phone", "+33611223344")]


@pytest.fixture
def polepharma(db):
    return OrganisationFactory(name="Polepharma", slug="polepharma")


def test_a_known_person_gains_a_new_number_only_once_the_reviewer_confirms_it(polepharma):
    garcia = PersonFactory(given_name="Camille", family_name="Garcia")
    EmailFactory(person=garcia, email="camille.garcia@polepharma.com")
    review = review_release(read_text(CORPUS / "en_existing_person_new_phone.txt"))
    [contact] = review.contacts
    assert (contact.person, contact.status) == (garcia, UPDATE)
    [confirmation] = contact.confirmations
    assert (confirmation.key, confirmation.checked) == (f"phone:{garcia.slug}:+33645678901", False)
    save_release(review)
    assert not garcia.contact_points.filter(medium="phone").exists()

    review = review_release(read_text(CORPUS / "en_existing_person_new_phone.txt").replace("10 January", "11 January"))
    save_release(review, confirmed=[confirmation.key])
    assert [str(point.phone) for point in garcia.contact_points.filter(medium="phone")] == ["+33645678901"]


def test_the_issue_s_pdf_release_never_gives_one_contact_s_details_to_another(polepharma):
    garcia = PersonFactory(given_name="Camille", family_name="Garcia")
    EmailFactory(person=garcia, email="camille.garcia@polepharma.com")
    review = review_release(read_text(CORPUS / "fr_pdf_titre_coupe.txt"))
    by_name = {contact.extracted.full_name: contact for contact in review.contacts}
    assert by_name["Camille Garcia"].person == garcia and by_name["Camille Garcia"].status == UPDATE
    assert by_name["Luc Durand"].person is None and by_name["Luc Durand"].status == NEW
    save_release(review, confirmed=[item.key for item in review.confirmations])
    assert sorted(point.email or str(point.phone) for point in garcia.contact_points.all()) == [
        "+33237202424",
        "camille.garcia@polepharma.com",
    ]
    assert Person.objects.get(family_name="Durand").contact_points.count() == 2


def test_a_name_alone_makes_a_new_person_flagged_as_a_possible_duplicate(polepharma):
    namesake = PersonFactory(given_name="Camille", family_name="Garcia")
    EmailFactory(person=namesake, email="c.garcia@elsewhere.org")
    review = review_release(read_text(CORPUS / "en_existing_person_new_phone.txt"))
    [contact] = review.contacts
    assert (contact.person, contact.status, contact.namesakes) == (None, NEW, [namesake])
    assert any("Camille Garcia" in note for note in contact.notes)
    save_release(review)
    assert Person.objects.filter(given_name="Camille", family_name="Garcia").count() == 2
    assert list(namesake.contact_points.values_list("email", flat=True)) == ["c.garcia@elsewhere.org"]


def test_a_number_of_someone_else_is_a_conflict_left_alone(polepharma):
    other = PersonFactory(given_name="Autre", family_name="Personne")
    ContactPoint.objects.create(person=other, medium="phone", kind="mobile", phone="+33645678901")
    review = review_release(read_text(CORPUS / "en_existing_person_new_phone.txt"))
    assert review.contacts[0].status == CONFLICT
    save_release(review)
    assert not Person.objects.filter(family_name="Garcia").exists()


def test_quotes_and_the_agreement_are_stored_only_when_confirmed(polepharma):
    OrganisationFactory(name="Leem", slug="leem")
    lamoureux = PersonFactory(given_name="Philippe", family_name="Lamoureux")
    review = review_release(read_text(CORPUS / "fr_convention_citation_avant.txt"))
    assert [(quote.extracted.speaker, quote.person, quote.confirmation.checked) for quote in review.quotes] == [
        ("Philippe Lamoureux", lamoureux, True),
        ("Florence Agostino-Etchetto", None, False),
    ]
    assert (review.agreement.extracted.kind, review.agreement.confirmation.checked) == ("convention", False)
    assert [party.display_name for party in review.agreement.parties] == ["Leem", "Lyonbiopôle"]
    release = save_release(review, confirmed=review.checked_by_default)
    assert list(Quote.objects.values_list("person", flat=True)) == [lamoureux.pk]
    assert not Agreement.objects.exists() and not release.agreements.exists()


def test_a_confirmed_agreement_is_stored_with_its_parties(polepharma):
    OrganisationFactory(name="Leem", slug="leem")
    review = review_release(read_text(CORPUS / "fr_convention_citation_avant.txt"))
    release = save_release(review, confirmed=["agreement"])
    agreement = release.agreements.get()
    assert (agreement.kind, agreement.signed_on.isoformat(), agreement.place) == ("convention", "2024-01-17", "Paris")
    assert sorted(agreement.organisations.values_list("name", flat=True)) == ["Leem", "Lyonbiopôle"]


@pytest.mark.parametrize("name", ["en_html_newsletter_table.html", "fr_eml_html_et_piece_jointe.eml"])
def test_a_party_written_with_its_article_is_the_organisation_the_contacts_name(db, name):
    """ "The Basque Health Cluster and …", "Le Leem et …": in an empty CRM, one organisation each, not two."""
    review = review_release(read_text(CORPUS / name))
    release = save_release(review, confirmed=["agreement"])
    slugs = sorted(Organisation.objects.values_list("slug", flat=True))
    assert not [slug for slug in slugs if slug.split("-")[0] in ("the", "le", "la", "el")], slugs
    assert set(release.agreements.get().organisations.all()) <= set(Organisation.objects.all())
    assert len(slugs) == len({fold(name) for name in Organisation.objects.values_list("name", flat=True)})


def test_the_language_is_stored_with_the_release(db):
    release = save_release(review_release(read_text(CORPUS / "es_bhc_contacto_prensa.txt")))
    assert release.language == "es"


def test_the_dry_run_json_carries_language_quotes_agreement_unassigned_and_sources(db, tmp_path, capsys):
    path = tmp_path / "release.txt"
    path.write_text(read_text(CORPUS / "fr_telephone_entre_deux.txt"))
    call_command("ingest_release", str(path), "--dry-run", "--json")
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"title", "date", "place", "organisations", "contacts", "language", "quotes", "agreement"}
    assert data["language"] == "fr" and data["quotes"] == [] and data["agreement"] is None
    assert [(item["kind"], item["value"]) for item in data["unassigned"]] == [("phone", "+33611223344")]
    title = data["sources"]["title"]
    assert data["title"] == path.read_text()[title["start"] : title["end"]] and 0 < title["confidence"] <= 1
    assert all(0 < contact["source"]["confidence"] <= 1 for contact in data["contacts"])


def test_the_admin_review_highlights_sources_and_stores_only_the_checked_numbers(
    admin_client, polepharma, django_capture_on_commit_callbacks
):
    from jobs.models import Job
    from tests.jobs.conftest import run_queued_tasks

    garcia = PersonFactory(given_name="Camille", family_name="Garcia")
    EmailFactory(person=garcia, email="camille.garcia@polepharma.com")
    text = read_text(CORPUS / "en_existing_person_new_phone.txt")
    url = "/admin/agreements/pressrelease/ingest/"
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"text": text, "preview": "1"})
    run_queued_tasks()
    html = admin_client.get(url, {"job": Job.objects.get().pk}).content.decode()
    key = f"phone:{garcia.slug}:+33645678901"
    assert f'<input type="checkbox" name="confirmed" value="{key}">' in html  # unchecked by default
    assert "<mark>Polepharma opens its Bordeaux antenna to Spanish companies</mark>" in html
    assert "0,90" in html  # the title's confidence, in the staff's French number format

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"text": text, "confirm": "1", "confirmed": [key]})
    run_queued_tasks()
    assert [str(point.phone) for point in garcia.contact_points.filter(medium="phone")] == ["+33645678901"]


def test_the_admin_review_labels_the_confidence_in_french(admin_client, polepharma, django_capture_on_commit_callbacks):
    """Passes once the French translations of issue 20's new messages are compiled."""
    from jobs.models import Job
    from tests.jobs.conftest import run_queued_tasks

    url = "/admin/agreements/pressrelease/ingest/"
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"text": read_text(CORPUS / "fr_telephone_entre_deux.txt"), "preview": "1"})
    run_queued_tasks()
    html = admin_client.get(url, {"job": Job.objects.get().pk}).content.decode()
    assert "Confiance" in html and "Lu dans le texte" in html
    assert "Adresses et numéros qu’aucun contact ne détient à coup sûr" in html


RELEASE_HEAD = (
    "Communiqué de presse\n\nTitre du communiqué\n\nParis, le 3 mai 2023\n\n"
    "Le corps du communiqué est assez long pour ressembler à un vrai texte, avec des phrases en français.\n\n"
)


@pytest.mark.parametrize(
    ("contacts", "tied", "unassigned"),
    [
        pytest.param("Contact presse :\njane@x.fr\nJane DOE\n", {"Jane Doe": []}, ["jane@x.fr"], id="before-the-name"),
        pytest.param(
            "Contacts presse\nJean DUPONT\nMarie DURAND\njean@x.fr\nmarie@x.fr\n",
            {"Jean Dupont": [], "Marie Durand": []},
            ["jean@x.fr", "marie@x.fr"],
            id="names-then-addresses",
        ),
        pytest.param(
            "Pour plus d'informations, contactez Jean Dupont ou Marie Durand à presse@x.fr.\n",
            {},
            ["presse@x.fr"],
            id="a-sentence-naming-two-people",
        ),
        pytest.param(
            "Contacts presse\n\nJean DUPONT – 01 45 03 88 38\n\n06 12 34 56 78\n\nMarie DURAND\n\nmarie@x.fr\n",
            {"Jean Dupont": ["+33145038838"], "Marie Durand": ["marie@x.fr"]},
            ["+33612345678"],
            id="a-block-after-a-complete-contact",
        ),
        pytest.param(
            "Contacts presse\nJean DUPONT\njean@x.fr\nMarie DURAND\nmarie@x.fr\n",
            {"Jean Dupont": ["jean@x.fr"], "Marie Durand": ["marie@x.fr"]},
            [],
            id="each-name-followed-by-its-address",
        ),
    ],
)
def test_details_the_layout_does_not_tie_go_to_nobody(contacts, tied, unassigned):
    from agreements.extraction import extract_release

    release = extract_release(RELEASE_HEAD + contacts)
    assert {contact.full_name: [*contact.emails, *contact.phones] for contact in release.contacts} == tied
    assert [item.value for item in release.unassigned] == unassigned


def test_the_command_stores_a_known_person_s_new_number_only_with_confirm(polepharma, tmp_path, capsys):
    garcia = PersonFactory(given_name="Camille", family_name="Garcia")
    EmailFactory(person=garcia, email="camille.garcia@polepharma.com")
    path = tmp_path / "release.txt"
    path.write_text(read_text(CORPUS / "en_existing_person_new_phone.txt"))
    key = f"phone:{garcia.slug}:+33645678901"
    call_command("ingest_release", str(path), "--dry-run")
    assert f"[{key}]" in capsys.readouterr().out  # the review prints each confirmation with its key
    call_command("ingest_release", str(path), "--yes", "--confirm", key)
    assert [str(point.phone) for point in garcia.contact_points.filter(medium="phone")] == ["+33645678901"]


def test_a_confirmed_quote_of_an_unknown_speaker_creates_the_speaker(db):
    review = review_release(read_text(CORPUS / "en_html_table.txt"))
    [quote] = review.quotes
    assert (quote.person, quote.confirmation.checked) == (None, False)
    release = save_release(review, confirmed=[quote.confirmation.key])
    stored = release.quotes.get()
    assert (stored.person.full_name, stored.title_at_time) == (
        "Sarah Collins",
        "Chief Executive of Medicen Paris Region",
    )
    assert stored.person.data_source == "press_release"


def test_the_review_proposes_quotes_and_the_agreement_with_their_sources(polepharma):
    from django.template.loader import render_to_string

    OrganisationFactory(name="Leem", slug="leem")
    html = render_to_string(
        "admin/agreements/pressrelease/includes/review.html",
        {"review": review_release(read_text(CORPUS / "fr_convention_citation_avant.txt"))},
    )
    assert '<input type="checkbox" name="confirmed" value="agreement">' in html  # unchecked by default
    assert '<input type="checkbox" name="confirmed" value="quote:1">' in html  # an unknown speaker: unchecked
    assert "<mark>« Nos adhérents y trouveront un accès direct aux travaux nationaux »" in html
    assert "Lyonbiopôle" in html and "Florence Agostino-Etchetto" in html


def test_an_acronym_in_capitals_is_an_organisation_even_one_the_crm_does_not_know(db):
    review = review_release(read_text(CORPUS / "fr_telephone_entre_deux.txt"))
    pangaud = next(contact for contact in review.as_json()["contacts"] if contact["family_name"] == "Pangaud")
    assert (pangaud["title"], pangaud["organisation"]) == ("", "GIPSO")
