"""Taking in a press release: extract what it states, match it against the records, and save it on request.

``review_release(text)`` writes nothing: it extracts (``agreements.extraction``) and says, for the release,
each organisation and each press contact, whether it is new, matches a record, or conflicts with one.
``save_release(review, user=…)`` then writes, in one transaction: the release (text verbatim), the new
organisations and people, the positions, contact points and press-contact roles the release adds, and
provenance from each record to the release. A conflict is left for staff to settle; nothing is
overwritten.
"""

from dataclasses import dataclass, field

import phonenumbers
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.imports import OrganisationIndex
from clusters.models import Organisation
from contacts.models import ContactPoint, Person, Position, PressContact
from contacts.normalisation import is_mobile
from contacts.signals import search_text_deferred
from core.search import fold
from core.slugs import create_with_slug

from .extraction import ExtractedContact, ExtractedRelease, extract_release
from .models import PressRelease, Provenance

NEW = "new"
MATCH = "match"
UPDATE = "update"
CONFLICT = "conflict"
STATUS_LABELS = {
    NEW: gettext_lazy("New"),
    MATCH: gettext_lazy("Matches a record"),
    UPDATE: gettext_lazy("Matches a record, adds to it"),
    CONFLICT: gettext_lazy("Conflicts with a record"),
}


@dataclass
class OrganisationReview:
    name: str  # as the release writes it
    record: Organisation | None = None
    created: bool = False

    @property
    def status(self) -> str:
        return MATCH if self.record else NEW

    @property
    def display_name(self) -> str:
        return self.record.name if self.record else self.name


@dataclass
class ContactReview:
    extracted: ExtractedContact
    organisation: OrganisationReview | None = None
    person: Person | None = None
    status: str = NEW
    notes: list[str] = field(default_factory=list)  # what the release adds, or what conflicts

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass
class ReleaseReview:
    text: str
    extracted: ExtractedRelease
    organisations: list[OrganisationReview]
    contacts: list[ContactReview]
    existing_release: PressRelease | None = None

    @property
    def can_save(self) -> bool:
        return self.existing_release is None and bool(self.extracted.title) and self.extracted.date is not None

    @property
    def problems(self) -> list[str]:
        problems = []
        if self.existing_release is not None:
            problems.append(_("This release is already stored: “%(title)s”.") % {"title": self.existing_release})
        if not self.extracted.title:
            problems.append(_("No title was found."))
        if self.extracted.date is None:
            problems.append(_("No date was found: the release needs one, written like “12 mai 2022”."))
        return problems

    def as_json(self) -> dict:
        data = self.extracted.as_json()
        data["organisations"] = [organisation.display_name for organisation in self.organisations]
        for contact, review in zip(data["contacts"], self.contacts, strict=True):
            if review.organisation is not None:
                contact["organisation"] = review.organisation.display_name
            contact["status"] = review.status
            contact["person"] = review.person.slug if review.person else None
        data["status"] = CONFLICT if self.existing_release else NEW
        return data


def review_release(text: str) -> ReleaseReview:
    """What ``text`` states and how it matches the records. Writes nothing."""
    index = OrganisationIndex()
    known_names = []
    for organisation in Organisation.objects.prefetch_related("other_names"):
        known_names += [
            organisation.name,
            organisation.acronym,
            *(other.name for other in organisation.other_names.all()),
        ]
    extracted = extract_release(
        text, is_organisation=lambda name: index.find(name) is not None, known_names=known_names
    )

    organisations: dict[str, OrganisationReview] = {}
    for name in extracted.organisations:
        record = index.find(name)
        key = f"pk:{record.pk}" if record else fold(name)
        organisations.setdefault(key, OrganisationReview(name=name, record=record))

    contacts = [_review_contact(contact, index, organisations) for contact in extracted.contacts]
    existing = None
    if extracted.date and extracted.title:
        existing = next(
            (
                release
                for release in PressRelease.objects.filter(published_on=extracted.date)
                if fold(release.title) == fold(extracted.title)
            ),
            None,
        )
    return ReleaseReview(
        text=text,
        extracted=extracted,
        organisations=list(organisations.values()),
        contacts=contacts,
        existing_release=existing,
    )


def _review_contact(contact: ExtractedContact, index, organisations) -> ContactReview:
    review = ContactReview(extracted=contact)
    if contact.organisation:
        record = index.find(contact.organisation)
        key = f"pk:{record.pk}" if record else fold(contact.organisation)
        review.organisation = organisations.setdefault(
            key, OrganisationReview(name=contact.organisation, record=record)
        )
    by_email = (
        Person.objects.filter(contact_points__email__in=contact.emails).distinct().first() if contact.emails else None
    )
    by_name = [
        person
        for person in Person.objects.filter(family_name__iexact=contact.family_name)
        if fold(person.full_name) == fold(contact.full_name)
    ]
    if by_email is not None:
        review.person = by_email
        if fold(by_email.full_name) != fold(contact.full_name):
            review.status = CONFLICT
            review.notes.append(
                _("The address %(email)s belongs to %(person)s.")
                % {"email": ", ".join(contact.emails), "person": by_email.full_name}
            )
            return review
    elif len(by_name) == 1:
        review.person = by_name[0]
        known = set(review.person.contact_points.exclude(email="").values_list("email", flat=True))
        if known and contact.emails and not known & set(contact.emails):
            review.status = CONFLICT
            review.notes.append(
                _("%(person)s is known with another address: %(emails)s.")
                % {"person": review.person.full_name, "emails": ", ".join(sorted(known))}
            )
            return review
    elif len(by_name) > 1:
        review.status = CONFLICT
        review.notes.append(_("Several people have this name: merge them or add the contact by hand."))
        return review
    if review.person is None:
        review.status = NEW
        return review
    review.notes = _additions(review)
    review.status = UPDATE if review.notes else MATCH
    return review


def _additions(review: ContactReview) -> list[str]:
    """What the release would add to the matched person."""
    person, contact = review.person, review.extracted
    points = list(person.contact_points.all())
    emails = {point.email for point in points if point.email}
    phones = {str(point.phone) for point in points if point.phone}
    additions = [_("email %(email)s") % {"email": email} for email in contact.emails if email not in emails]
    additions += [_("phone %(phone)s") % {"phone": phone} for phone in contact.phones if phone not in phones]
    organisation = review.organisation.record if review.organisation else None
    if organisation is not None:
        if contact.title and not person.positions.filter(organisation=organisation, title=contact.title).exists():
            additions.append(
                _("position %(title)s at %(organisation)s") % {"title": contact.title, "organisation": organisation}
            )
        if not PressContact.objects.filter(person=person, organisation=organisation).exists():
            additions.append(_("press contact for %(organisation)s") % {"organisation": organisation})
    elif review.organisation is not None:
        additions.append(_("press contact for %(organisation)s (new)") % {"organisation": review.organisation.name})
    return additions


def _organisation_name(written: str) -> str:
    """A name written in capitals in a contact heading ("BASQUE HEALTH CLUSTER") in ordinary case."""
    if written.isupper() and len(written.split()) > 1:
        return written.title()
    return written


@transaction.atomic
def save_release(review: ReleaseReview, *, user=None) -> PressRelease:
    """Write what ``review`` found. Conflicting contacts are left out; matched records only gain."""
    if not review.can_save:
        raise ValueError(" ".join(review.problems))
    extracted = review.extracted
    with search_text_deferred():
        for organisation in review.organisations:
            if organisation.record is None:
                name = _organisation_name(organisation.name)
                organisation.record = create_with_slug(
                    Organisation, name, max_length=70, fallback="organisation", name=name
                )
                organisation.created = True
        release = create_with_slug(
            PressRelease,
            f"{extracted.date.isoformat()} {extracted.title}",
            max_length=110,
            fallback="communique",
            title=extracted.title[:400],
            kicker=extracted.kicker[:300],
            subtitle=extracted.subtitle[:400],
            published_on=extracted.date,
            place=extracted.place[:200],
            language=extracted.language,
            text=review.text,
        )
        issuers = {contact.organisation.record.pk for contact in review.contacts if contact.organisation}
        release.issuers.set(issuers)
        for organisation in review.organisations:
            if organisation.created:
                Provenance.objects.create(press_release=release, record=organisation.record)
        for contact in review.contacts:
            if contact.status == CONFLICT:
                continue
            _save_contact(contact, release)
    return release


def _save_contact(review: ContactReview, release: PressRelease) -> None:
    contact = review.extracted
    organisation = review.organisation.record if review.organisation else None
    person = review.person
    if person is None:
        person = create_with_slug(
            Person,
            contact.full_name,
            max_length=100,
            fallback="personne",
            given_name=contact.given_name[:120],
            family_name=contact.family_name[:120],
            data_source=Person.DataSource.PRESS_RELEASE,
            source_detail=(_("Press release of %(date)s") % {"date": release.published_on.isoformat()})[:300],
        )
    points = list(person.contact_points.all())
    emails = {point.email for point in points if point.email}
    phones = {str(point.phone) for point in points if point.phone}
    has_email, has_phone = bool(emails), bool(phones)
    for email in contact.emails:
        if email not in emails:
            ContactPoint.objects.create(person=person, medium="email", email=email, is_primary=not has_email)
            has_email = True
    for phone in contact.phones:
        if phone not in phones:
            kind = ContactPoint.Kind.MOBILE if is_mobile(phonenumbers.parse(phone)) else ContactPoint.Kind.WORK
            ContactPoint.objects.create(person=person, medium="phone", kind=kind, phone=phone, is_primary=not has_phone)
            has_phone = True
    if organisation is not None:
        if contact.title and not person.positions.filter(organisation=organisation, title=contact.title).exists():
            Position.objects.create(
                person=person,
                organisation=organisation,
                title=contact.title[:200],
                is_primary=not person.positions.filter(is_primary=True).exists(),
            )
        role, _created = PressContact.objects.get_or_create(person=person, organisation=organisation)
        release.press_contacts.add(role)
    Provenance.objects.get_or_create(
        press_release=release, content_type=ContentType.objects.get_for_model(Person), object_id=person.pk
    )
