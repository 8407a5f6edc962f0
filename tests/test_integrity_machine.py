"""Creates, changes, deletions, merges, erasures and seed reloads interleaved at random, through the API and the
services: after every step, no deleted or erased person reappears, no erased name or address is found, and no
version goes backwards (hypothesis's stateful testing)."""

import itertools
import string

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule
from rest_framework.test import APIClient

from contacts.erasure import erase_person
from contacts.models import ContactPoint, Person
from contacts.services import merge_people
from tests.factories import UserFactory

NAMES = itertools.count(1)


def new_name() -> str:
    """A family name no one else has, in letters only (a name, as erasure looks for names)."""
    number, letters = next(NAMES), ""
    while number:
        number, digit = divmod(number, 26)
        letters += string.ascii_lowercase[digit]
    return "Zorv" + letters


class Integrity(RuleBasedStateMachine):
    people = Bundle("people")

    def __init__(self):
        super().__init__()
        self.user = UserFactory(username=f"machine{next(NAMES)}", is_staff=True, is_superuser=True)
        self.api = APIClient()
        self.api.force_authenticate(self.user)
        self.versions: dict[int, int] = {}  # the highest version seen of each person
        self.seen_etags: dict[int, str] = {}
        self.gone: set[int] = set()  # deleted or merged away: must never exist again
        self.erased: dict[int, tuple[str, str]] = {}  # pk -> (family name, email) that must be found nowhere
        self.slugs: dict[int, str] = {}

    @rule(target=people)
    def create(self):
        family = new_name()
        response = self.api.post("/api/people/", {"family_name": family, "slug": family.lower()}, format="json")
        assert response.status_code == 201, response.content
        person = Person.objects.get(slug=family.lower())
        email = f"{family.lower()}@example.org"
        added = self.api.post(
            "/api/contact-points/", {"person": person.slug, "medium": "email", "email": email}, format="json"
        )
        assert added.status_code == 201, added.content
        self.slugs[person.pk] = person.slug
        self.versions[person.pk] = person.version
        self.seen_etags[person.pk] = response["ETag"]
        return person.pk

    @rule(person=people, other=people)
    def mention(self, person, other):
        """One person's notes name another, by name and address: erasing the other blanks them."""
        if person == other or person in self.gone or other in self.gone or other in self.erased:
            return
        named = Person.objects.filter(pk=other).first()
        target = Person.objects.filter(pk=person).first()
        if named is None or target is None:
            return
        email = ContactPoint.objects.filter(person=named).values_list("email", flat=True).first() or ""
        response = self.api.patch(
            f"/api/people/{target.slug}/", {"notes": f"Voir {named.family_name} ({email})"}, format="json"
        )
        assert response.status_code in (200, 404, 409), response.content

    @rule(person=people, stale=st.booleans())
    def change(self, person, stale):
        slug = Person.objects.filter(pk=person).values_list("slug", flat=True).first() or self.slugs[person]
        headers = {"HTTP_IF_MATCH": self.seen_etags[person]} if stale else {}
        response = self.api.patch(f"/api/people/{slug}/", {"source_detail": "changé"}, format="json", **headers)
        if person in self.gone:
            assert response.status_code == 404, response.content
        else:
            assert response.status_code in (200, 404, 412), response.content
        if response.status_code == 200:
            self.seen_etags[person] = response["ETag"]

    @rule(person=consumes(people))
    def delete(self, person):
        slug = Person.objects.filter(pk=person).values_list("slug", flat=True).first() or self.slugs[person]
        response = self.api.delete(f"/api/people/{slug}/")
        assert response.status_code in (204, 404, 409), response.content
        if response.status_code == 204:
            self.gone.add(person)

    @rule(keep=people, other=consumes(people))
    def merge(self, keep, other):
        kept = Person.objects.filter(pk=keep).first()
        merged = Person.objects.filter(pk=other).first()
        if kept is None or merged is None or keep == other or kept.is_anonymised or merged.is_anonymised:
            return
        merge_people(keep=kept, other=merged, user=self.user)
        self.gone.add(other)
        if other in self.erased:
            self.erased.setdefault(keep, self.erased[other])

    @rule(person=people)
    def erase(self, person):
        record = Person.objects.filter(pk=person).first()
        if record is None and not Person.history.filter(id=person).exists():
            return
        family = self.slugs[person].capitalize()
        erase_person(person_id=person, user=self.user)
        self.erased[person] = (family, f"{family.lower()}@example.org")

    @rule()
    def reload_seed(self):
        call_command("loaddata", "seed", verbosity=0)

    @invariant()
    def no_one_comes_back(self):
        assert not Person.objects.filter(pk__in=self.gone).exists()

    @invariant()
    def no_version_goes_backwards(self):
        for pk, version in Person.objects.filter(pk__in=self.versions).values_list("pk", "version"):
            assert version >= self.versions[pk], (pk, version, self.versions[pk])
            self.versions[pk] = version

    @invariant()
    def nothing_erased_is_found(self):
        for family, email in self.erased.values():
            assert not Person.objects.filter(family_name__iexact=family).exists()
            assert not Person.objects.filter(notes__icontains=family).exists()
            assert not Person.objects.filter(notes__icontains=email).exists()
            assert not ContactPoint.objects.filter(email=email).exists()
            assert not Person.history.filter(family_name__iexact=family).exists()
            assert not Person.history.filter(notes__icontains=family).exists()
            assert not ContactPoint.history.filter(email=email).exists()


@pytest.mark.django_db
def test_no_step_loses_resurrects_or_leaks_data(seed):
    Integrity.TestCase.settings = settings(
        max_examples=8,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    Integrity.TestCase("runTest").runTest()
