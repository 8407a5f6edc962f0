"""The people, titles, emails and phones the two press releases state, cleaned."""

import pytest

from contacts.models import ContactPoint, Person, PressContact

pytestmark = pytest.mark.usefixtures("seed")


def test_family_names_written_in_capitals_are_stored_in_ordinary_case(db):
    names = set(Person.objects.values_list("given_name", "family_name"))
    assert ("Maria", "Pascual de Zulueta") in names
    assert ("Capucine", "Sarrade-Loucheur") in names
    assert ("Emmanuelle", "Pangaud") in names
    assert ("Stéphanie", "Bou") in names
    assert not any(family.isupper() for _, family in names)


def test_seed_holds_every_person_the_releases_name(db):
    assert Person.objects.count() == 12
    assert set(Person.objects.values_list("slug", flat=True)) >= {
        "philippe-ivanes",
        "fabien-riolet",
        "mikel-alvarez-yeregui",
        "philippe-lamoureux",
        "luc-grislain",
        "elisa-mahdadi",
        "virginie-pautre",
        "camille-garcia",
    }


def test_philippe_ivanes_is_president_of_polepharma_and_director_at_sanofi(db):
    ivanes = Person.objects.get(slug="philippe-ivanes")
    assert ivanes.family_name == "Ivanès"
    positions = set(ivanes.positions.values_list("organisation__slug", "title", "is_primary"))
    assert positions == {
        ("polepharma", "Président", True),
        ("sanofi", "Directeur Industriel Division Anti-thrombotique", False),
    }


@pytest.mark.parametrize(
    ("slug", "organisation", "title"),
    [
        ("fabien-riolet", "polepharma", "Directeur Général"),
        ("mikel-alvarez-yeregui", "basque-health-cluster", "Président"),
        ("maria-pascual-de-zulueta", "basque-health-cluster", "Directrice"),
        ("camille-garcia", "polepharma", "Chargée de Communication"),
        ("capucine-sarrade-loucheur", "polepharma", "Responsable Communication"),
        ("philippe-lamoureux", "leem", "Directeur Général"),
        ("luc-grislain", "gipso", "Président"),
    ],
)
def test_positions_from_the_releases(db, slug, organisation, title):
    position = Person.objects.get(slug=slug).positions.get()
    assert (position.organisation.slug, position.title, position.is_current) == (organisation, title, True)


def test_emails_lose_the_trailing_slash_of_the_release(db):
    # The release writes "sbou@leem.org/" and "vpautre@leem.org/".
    emails = set(ContactPoint.objects.filter(medium="email").values_list("email", flat=True))
    assert emails == {
        "maria@basquehealthcluster.org",
        "camille.garcia@polepharma.com",
        "capucine.sarrade-loucheur@polepharma.com",
        "e.pangaud@gipso.org",
        "sbou@leem.org",
        "vpautre@leem.org",
        "emahdadi@leem.org",
    }


def test_spanish_mobile_is_stored_in_e164(db):
    # Written "+34 6 44 84 56 44".
    phone = ContactPoint.objects.get(person__slug="maria-pascual-de-zulueta", medium="phone")
    assert phone.phone.as_e164 == "+34644845644"
    assert phone.kind == ContactPoint.Kind.MOBILE
    assert phone.phone_display == "+34 644 84 56 44"


def test_a_repeated_number_on_one_line_is_stored_once(db):
    # "01 45 03 88 38 -06 60 46 23 08 – 06 60 46 23 08": one landline, one mobile.
    phones = ContactPoint.objects.filter(person__slug="stephanie-bou", medium="phone")
    assert sorted((p.phone.as_e164, p.kind) for p in phones) == [
        ("+33145038838", "work"),
        ("+33660462308", "mobile"),
    ]


def test_french_numbers_are_shown_in_national_format(db):
    phone = ContactPoint.objects.get(person__slug="emmanuelle-pangaud", medium="phone")
    assert phone.phone.as_e164 == "+33556113215"
    assert phone.phone_display == "05 56 11 32 15"


def test_press_contacts_per_organisation(db):
    by_organisation = {}
    for organisation, slug in PressContact.objects.values_list("organisation__slug", "person__slug"):
        by_organisation.setdefault(organisation, set()).add(slug)
    assert by_organisation == {
        "basque-health-cluster": {"maria-pascual-de-zulueta"},
        "polepharma": {"camille-garcia", "capucine-sarrade-loucheur"},
        "gipso": {"emmanuelle-pangaud"},
        "leem": {"stephanie-bou", "virginie-pautre", "elisa-mahdadi"},
    }


def test_people_from_releases_record_their_source_and_lawful_basis(db):
    assert set(Person.objects.values_list("data_source", "lawful_basis")) == {("press_release", "legitimate_interest")}
