"""Taking in a press release: extract what it states, match it against the records, and save it on request.

``review_release(text)`` writes nothing: it extracts (``agreements.extraction``) and says, for the release,
each organisation and each press contact, whether it is new, matches a record, or conflicts with one.
``save_release(review, user=…, confirmed=…)`` then writes, in one transaction: the release (text verbatim), the
new organisations and people, the positions, contact points and press-contact roles the release adds, and
provenance from each record to the release. A conflict is left for staff to settle; nothing is
overwritten.

**Matching follows the people import's rule** (``contacts.imports``): a contact is a known person only when one of
its addresses or numbers belongs to them; the same name alone makes a new person, flagged as a possible duplicate.
An address or number that belongs to someone else with another name is a conflict.

**The reviewer confirms, field by field, what changes a known record.** Each address or number the release would
add to a known person, each quote and the agreement it announces is a ``Confirmation`` with a key; ``save_release``
writes only those whose key is in ``confirmed``. New addresses on a known person start unchecked, the agreement
starts unchecked, a quote starts checked when its speaker is a known person (the words are attributed, nothing of
the person changes) and unchecked otherwise (confirming it creates the speaker).
"""

from collections.abc import Collection
from dataclasses import dataclass, field

import phonenumbers
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters.imports import OrganisationIndex
from clusters.models import Organisation
from contacts.models import ContactPoint, Person, Position, PressContact
from contacts.normalisation import is_mobile
from contacts.signals import search_text_deferred
from core.search import fold
from core.slugs import create_with_slug

from .extraction import (
    ExtractedAgreement,
    ExtractedContact,
    ExtractedQuote,
    ExtractedRelease,
    Source,
    Unassigned,
    extract_release,
    without_article,
)
from .models import Agreement, AgreementParty, PressRelease, Provenance, Quote, Signatory

NEW = "new"
MATCH = "match"
UPDATE = "update"
CONFLICT = "conflict"
FIELD_LABELS = {
    "title": gettext_lazy("Title"),
    "kicker": gettext_lazy("Kicker"),
    "subtitle": gettext_lazy("Subtitle"),
    "date": gettext_lazy("Date"),
    "place": gettext_lazy("Place"),
    "language": gettext_lazy("Language"),
}
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


def source_excerpt(text: str, source: Source | None, margin: int = 60) -> SafeString:
    """The words around ``source`` in ``text``, the source itself marked."""
    if source is None:
        return format_html("{}", "")
    start, end = max(0, source.start), min(len(text), source.end)
    before_start, after_end = max(0, start - margin), min(len(text), end + margin)
    return format_html(
        "{}{}<mark>{}</mark>{}{}",
        "…" if before_start > 0 else "",
        text[before_start:start],
        text[start:end],
        text[end:after_end],
        "…" if after_end < len(text) else "",
    )


@dataclass
class FoundField:
    """A field of the release as the review shows it: its value, how sure extraction is, and where it was read."""

    name: str
    value: object
    confidence: float
    excerpt: SafeString

    @property
    def label(self) -> str:
        return str(FIELD_LABELS[self.name])


@dataclass
class Confirmation:
    """A change the reviewer confirms or not: its ``key`` is what the review form posts back when checked."""

    key: str
    label: str
    checked: bool = False


@dataclass
class ContactReview:
    extracted: ExtractedContact
    organisation: OrganisationReview | None = None
    person: Person | None = None
    status: str = NEW
    notes: list[str] = field(default_factory=list)  # what the release adds, or what conflicts
    namesakes: list[Person] = field(default_factory=list)  # known people with the same name: possible duplicates
    confirmations: list[Confirmation] = field(default_factory=list)  # addresses and numbers new to a known person
    excerpt: SafeString = ""

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def confidence(self) -> float:
        return self.extracted.source.confidence if self.extracted.source else 0.0


@dataclass
class QuoteReview:
    extracted: ExtractedQuote
    confirmation: Confirmation
    person: Person | None = None
    organisation: Organisation | None = None
    excerpt: SafeString = ""


@dataclass
class SignatoryReview:
    name: str
    title: str
    organisation: OrganisationReview | None = None
    person: Person | None = None


@dataclass
class AgreementReview:
    extracted: ExtractedAgreement
    parties: list[OrganisationReview]
    signatories: list[SignatoryReview]
    confirmation: Confirmation
    excerpt: SafeString = ""

    @property
    def kind_label(self) -> str:
        return str(Agreement.Kind(self.extracted.kind).label)

    @property
    def title(self) -> str:
        return f"{self.kind_label} {' – '.join(party.display_name for party in self.parties)}"[:300]


@dataclass
class ReleaseReview:
    text: str
    extracted: ExtractedRelease
    organisations: list[OrganisationReview]
    contacts: list[ContactReview]
    existing_release: PressRelease | None = None
    quotes: list[QuoteReview] = field(default_factory=list)
    agreement: AgreementReview | None = None

    @property
    def found_fields(self) -> list[FoundField]:
        extracted = self.extracted
        values = {
            "title": extracted.title,
            "kicker": extracted.kicker,
            "subtitle": extracted.subtitle,
            "date": extracted.date,
            "place": extracted.place,
            "language": extracted.language,
        }
        return [
            FoundField(
                name=name,
                value=value,
                confidence=extracted.sources[name].confidence if name in extracted.sources else 0.0,
                # The language is read from the whole text: highlighting all of it would say nothing.
                excerpt="" if name == "language" else source_excerpt(extracted.text, extracted.sources.get(name)),
            )
            for name, value in values.items()
            if value or name in ("title", "date", "place")
        ]

    @property
    def unassigned(self) -> list[tuple[Unassigned, SafeString]]:
        return [(item, source_excerpt(self.extracted.text, item.source)) for item in self.extracted.unassigned]

    @property
    def confirmations(self) -> list[Confirmation]:
        found = [confirmation for contact in self.contacts for confirmation in contact.confirmations]
        found += [quote.confirmation for quote in self.quotes]
        if self.agreement is not None:
            found.append(self.agreement.confirmation)
        return found

    @property
    def checked_by_default(self) -> list[str]:
        return [confirmation.key for confirmation in self.confirmations if confirmation.checked]

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
            contact["possible_duplicates"] = [person.slug for person in review.namesakes]
            contact["notes"] = [str(note) for note in review.notes]
            contact["confirm"] = [_confirmation_json(item) for item in review.confirmations]
        for quote, review in zip(data["quotes"], self.quotes, strict=True):
            quote["person"] = review.person.slug if review.person else None
            quote["confirm"] = _confirmation_json(review.confirmation)
        if self.agreement is not None:
            data["agreement"]["parties"] = [party.display_name for party in self.agreement.parties]
            data["agreement"]["signatories"] = [
                {
                    "name": signatory.name,
                    "title": signatory.title,
                    "organisation": signatory.organisation.display_name if signatory.organisation else "",
                    "person": signatory.person.slug if signatory.person else None,
                }
                for signatory in self.agreement.signatories
            ]
            data["agreement"]["confirm"] = _confirmation_json(self.agreement.confirmation)
        data["status"] = CONFLICT if self.existing_release else NEW
        return data


def _confirmation_json(confirmation: Confirmation) -> dict:
    return {"key": confirmation.key, "label": str(confirmation.label), "checked": confirmation.checked}


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
    quotes = [_review_quote(number, quote, index) for number, quote in enumerate(extracted.quotes)]
    agreement = _review_agreement(extracted.agreement, index, organisations) if extracted.agreement else None
    for review in [*contacts, *quotes, *([agreement] if agreement else [])]:
        review.excerpt = source_excerpt(extracted.text, review.extracted.source)
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
        quotes=quotes,
        agreement=agreement,
    )


def _people_named(full_name: str) -> list[Person]:
    family_name = full_name.split(" ", 1)[1] if " " in full_name else full_name
    return [
        person
        for person in Person.objects.filter(family_name__iexact=family_name)
        if fold(person.full_name) == fold(full_name)
    ]


def _review_contact(contact: ExtractedContact, index, organisations) -> ContactReview:
    review = ContactReview(extracted=contact)
    if contact.organisation:
        record = index.find(contact.organisation)
        key = f"pk:{record.pk}" if record else fold(contact.organisation)
        review.organisation = organisations.setdefault(
            key, OrganisationReview(name=contact.organisation, record=record)
        )
    # The import's rule: an address or a number names a person; a name alone never does.
    owners: dict[int, Person] = {}
    if contact.emails or contact.phones:
        points = ContactPoint.objects.select_related("person").filter(
            Q(email__in=contact.emails) | Q(phone__in=contact.phones)
        )
        for point in points.order_by("person_id"):
            owners.setdefault(point.person_id, point.person)
    if len(owners) > 1:
        review.status = CONFLICT
        review.notes.append(
            _("These addresses and numbers belong to several people: %(people)s.")
            % {"people": ", ".join(sorted(person.full_name for person in owners.values()))}
        )
        return review
    if owners:
        person = next(iter(owners.values()))
        review.person = person
        if fold(person.full_name) != fold(contact.full_name):
            review.status = CONFLICT
            held_emails = [point.email for point in person.contact_points.all() if point.email in contact.emails]
            held_phones = [
                str(point.phone) for point in person.contact_points.all() if str(point.phone) in contact.phones
            ]
            if held_emails and not held_phones:
                note = _("The address %(email)s belongs to %(person)s.") % {
                    "email": ", ".join(held_emails),
                    "person": person.full_name,
                }
            else:
                note = _("%(details)s: already held by %(person)s.") % {
                    "details": ", ".join([*held_emails, *held_phones]),
                    "person": person.full_name,
                }
            review.notes.append(note)
            return review
        review.notes = _additions(review)
        review.status = UPDATE if review.notes else MATCH
        return review
    review.status = NEW
    review.namesakes = _people_named(contact.full_name)
    if review.namesakes:
        review.notes.append(
            _(
                "%(person)s bears the same name, but no email or phone of the release belongs to them: a new "
                "person will be created, a possible duplicate to check."
            )
            % {"person": ", ".join(person.full_name for person in review.namesakes)}
        )
    return review


def _review_quote(number: int, quote: ExtractedQuote, index) -> QuoteReview:
    namesakes = _people_named(quote.speaker)
    person = namesakes[0] if len(namesakes) == 1 else None
    organisation = index.find(quote.organisation) if quote.organisation else None
    if person is not None:
        label = _("Store this quote of %(person)s (known person).") % {"person": person.full_name}
    else:
        label = _("Store this quote and create %(person)s.") % {"person": quote.speaker}
    return QuoteReview(
        extracted=quote,
        confirmation=Confirmation(key=f"quote:{number}", label=label, checked=person is not None),
        person=person,
        organisation=organisation,
    )


def _review_agreement(agreement: ExtractedAgreement, index, organisations) -> AgreementReview:
    parties = []
    for name in agreement.parties:
        # "Le Leem et Polepharma ont signé": the Leem, known or named in the contacts, not a new "Le Leem".
        bare = without_article(name)
        record = index.find(name) or index.find(bare)
        key = f"pk:{record.pk}" if record else fold(name)
        party = organisations.get(key) or organisations.get(fold(bare))
        if party is None:
            party = OrganisationReview(name=bare if record is None else name, record=record)
        if party not in parties:
            parties.append(party)
    signatories = []
    for signatory in agreement.signatories:
        namesakes = _people_named(signatory.name)
        organisation = next((party for party in parties if fold(party.name) == fold(signatory.organisation)), None)
        signatories.append(
            SignatoryReview(
                name=signatory.name,
                title=signatory.title,
                organisation=organisation,
                person=namesakes[0] if len(namesakes) == 1 else None,
            )
        )
    return AgreementReview(
        extracted=agreement,
        parties=parties,
        signatories=signatories,
        confirmation=Confirmation(key="agreement", label=_("Store this agreement."), checked=False),
    )


def _additions(review: ContactReview) -> list[str]:
    """What the release would add to the matched person; its new addresses and numbers wait for confirmation."""
    person, contact = review.person, review.extracted
    points = list(person.contact_points.all())
    emails = {point.email for point in points if point.email}
    phones = {str(point.phone) for point in points if point.phone}
    additions = []
    for email in contact.emails:
        if email not in emails:
            additions.append(_("email %(email)s") % {"email": email})
            review.confirmations.append(
                Confirmation(
                    key=f"email:{person.slug}:{email}",
                    label=_("Add the address %(email)s to %(person)s.") % {"email": email, "person": person.full_name},
                )
            )
    for phone in contact.phones:
        if phone not in phones:
            additions.append(_("phone %(phone)s") % {"phone": phone})
            review.confirmations.append(
                Confirmation(
                    key=f"phone:{person.slug}:{phone}",
                    label=_("Add the number %(phone)s to %(person)s.") % {"phone": phone, "person": person.full_name},
                )
            )
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


def _create_organisation(organisation: OrganisationReview) -> Organisation:
    if organisation.record is None:
        name = _organisation_name(organisation.name)
        organisation.record = create_with_slug(Organisation, name, max_length=70, fallback="organisation", name=name)
        organisation.created = True
    return organisation.record


@transaction.atomic
def save_release(review: ReleaseReview, *, user=None, confirmed: Collection[str] = ()) -> PressRelease:
    """Write what ``review`` found. Conflicting contacts are left out; matched records only gain, and only what
    ``confirmed`` (keys of ``review.confirmations``) names among their new addresses and numbers; quotes and the
    agreement are stored when confirmed."""
    if not review.can_save:
        raise ValueError(" ".join(review.problems))
    confirmed = set(confirmed)
    extracted = review.extracted
    with search_text_deferred():
        agreement_confirmed = review.agreement is not None and review.agreement.confirmation.key in confirmed
        for organisation in review.organisations:
            _create_organisation(organisation)
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
        issuers = {
            contact.organisation.record.pk
            for contact in review.contacts
            if contact.organisation and contact.organisation.record
        }
        release.issuers.set(issuers)
        for organisation in review.organisations:
            if organisation.created:
                Provenance.objects.create(press_release=release, record=organisation.record)
        for contact in review.contacts:
            if contact.status == CONFLICT:
                continue
            _save_contact(contact, release, confirmed)
        for quote in review.quotes:
            if quote.confirmation.key in confirmed:
                _save_quote(quote, release)
        if agreement_confirmed:
            _save_agreement(review.agreement, release)
    return release


def _new_person(full_name: str, given_name: str, family_name: str, release: PressRelease) -> Person:
    return create_with_slug(
        Person,
        full_name,
        max_length=100,
        fallback="personne",
        given_name=given_name[:120],
        family_name=family_name[:120],
        data_source=Person.DataSource.PRESS_RELEASE,
        source_detail=(_("Press release of %(date)s") % {"date": release.published_on.isoformat()})[:300],
    )


def _save_contact(review: ContactReview, release: PressRelease, confirmed: set[str]) -> None:
    contact = review.extracted
    organisation = review.organisation.record if review.organisation else None
    person = review.person
    known = person is not None
    if person is None:
        person = _new_person(contact.full_name, contact.given_name, contact.family_name, release)
    points = list(person.contact_points.all())
    emails = {point.email for point in points if point.email}
    phones = {str(point.phone) for point in points if point.phone}
    has_email, has_phone = bool(emails), bool(phones)
    for email in contact.emails:
        if email not in emails and (not known or f"email:{person.slug}:{email}" in confirmed):
            ContactPoint.objects.create(person=person, medium="email", email=email, is_primary=not has_email)
            has_email = True
    for phone in contact.phones:
        if phone not in phones and (not known or f"phone:{person.slug}:{phone}" in confirmed):
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


def _save_quote(review: QuoteReview, release: PressRelease) -> None:
    quote = review.extracted
    person = review.person
    if person is None:
        person = _new_person(quote.speaker, quote.given_name, quote.family_name, release)
        Provenance.objects.get_or_create(
            press_release=release, content_type=ContentType.objects.get_for_model(Person), object_id=person.pk
        )
    Quote.objects.create(
        press_release=release,
        person=person,
        organisation=review.organisation,
        title_at_time=quote.title[:200],
        text=quote.text,
    )


def _save_agreement(review: AgreementReview, release: PressRelease) -> None:
    extracted = review.extracted
    agreement = create_with_slug(
        Agreement,
        review.title,
        max_length=120,
        fallback="accord",
        title=review.title,
        kind=extracted.kind,
        status=Agreement.Status.SIGNED,
        signed_on=extracted.date,
        place=extracted.place[:200],
    )
    for party in review.parties:
        if party.record is None:
            _create_organisation(party)
            Provenance.objects.create(press_release=release, record=party.record)
        if party.record is not None:
            AgreementParty.objects.get_or_create(
                agreement=agreement,
                organisation=party.record,
                defaults={"name_as_written": party.name[:200] if party.name != party.record.name else ""},
            )
    for signatory in review.signatories:
        # Only a known person signs: a name alone is no reason to create someone.
        if signatory.person is not None and signatory.organisation and signatory.organisation.record:
            Signatory.objects.get_or_create(
                agreement=agreement,
                person=signatory.person,
                defaults={"organisation": signatory.organisation.record, "title_at_signing": signatory.title[:200]},
            )
    release.agreements.add(agreement)
    Provenance.objects.create(press_release=release, record=agreement)
