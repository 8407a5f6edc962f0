"""Writes that touch several rows: building and changing contact lists, merging two people, recording a consent."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core.history import update_with_history
from core.merging import MergeReport, check_mergeable, merge_records, record_merge
from core.slugs import create_with_slug

from . import export_lines
from .models import Consent, ContactList, ContactListEntry, Person, Tag
from .signals import search_text_deferred


@transaction.atomic
def create_contact_list(*, name: str, description: str = "", owner, people) -> ContactList:
    """A new list holding ``people`` (a queryset of people)."""
    contact_list = create_with_slug(
        ContactList, name, max_length=100, fallback="liste", name=name, description=description, owner=owner
    )
    add_to_contact_list(contact_list=contact_list, people=people)
    return contact_list


def _lock(contact_list: ContactList) -> None:
    """Changes to one list wait for each other: of two people added at the same moment, both are kept."""
    list(ContactList.objects.select_for_update().filter(pk=contact_list.pk).values_list("pk"))


@transaction.atomic
def add_to_contact_list(*, contact_list: ContactList, people) -> int:
    """Add ``people`` (a queryset) to the list; those already on it stay as they are. Returns how many were added.
    The list's version is raised when someone was added."""
    _lock(contact_list)
    already = set(contact_list.entries.values_list("person_id", flat=True))
    new_ids = [pk for pk in people.order_by().values_list("pk", flat=True) if pk not in already]
    bulk_create_with_history(
        [ContactListEntry(contact_list=contact_list, person_id=pk) for pk in new_ids], ContactListEntry, batch_size=1000
    )
    if new_ids:
        ContactList.objects.filter(pk=contact_list.pk).update()
    return len(new_ids)


@transaction.atomic
def remove_from_contact_list(*, contact_list: ContactList, people) -> int:
    """Take ``people`` (a queryset) off the list. Returns how many were removed."""
    _lock(contact_list)
    entries = list(contact_list.entries.filter(person__in=people))
    for entry in entries:
        entry.delete()  # one by one: each removal is kept in the history
    if entries:
        ContactList.objects.filter(pk=contact_list.pk).update()
    return len(entries)


@transaction.atomic
def tag_people(*, tag: Tag, people, user=None) -> int:
    """Give ``tag`` to ``people`` (a queryset); those who have it already stay as they are. Returns how many were
    tagged. Each person tagged gets a new version and an entry in their history, as a tag added on their record
    in the back office does (tags have no history of their own)."""
    ids = list(people.order_by().values_list("pk", flat=True))
    already = set(Person.tags.through.objects.filter(tag=tag, person_id__in=ids).values_list("person_id", flat=True))
    new_ids = [pk for pk in ids if pk not in already]
    Person.tags.through.objects.bulk_create(
        [Person.tags.through(tag=tag, person_id=pk) for pk in new_ids], batch_size=1000, ignore_conflicts=True
    )
    if new_ids:
        update_with_history(
            Person.objects.filter(pk__in=new_ids), user=user, reason=_("Tag “%(name)s” added") % {"name": tag.name}
        )
        export_lines.forget(new_ids)
    return len(new_ids)


def merge_people(*, keep: Person, other: Person, user) -> MergeReport:
    """Merge ``other`` into ``keep`` and delete ``other``: positions, contact points (without duplicates),
    list memberships, press-contact roles, signatures, quotes and provenance all move to ``keep``; blank
    fields of ``keep`` are filled from ``other``, notes are put together, and a person who asked not to be
    contacted stays so. The merge is kept in ``keep``'s history."""
    check_mergeable(keep, other)
    with transaction.atomic(), search_text_deferred():
        other_name, other_pk = str(other), other.pk
        do_not_contact = keep.do_not_contact or other.do_not_contact
        notes = "\n\n".join(dict.fromkeys(text for text in (keep.notes.strip(), other.notes.strip()) if text))
        report = merge_records(keep=keep, other=other)
        keep.do_not_contact, keep.notes = do_not_contact, notes
        keep.save()
        record_merge(user=user, keep=keep, other_name=other_name, other_pk=other_pk, report=report)
    return report


@transaction.atomic
def record_consent(*, person: Person, given: bool, how: str, at: datetime, recorded_by, note: str = "") -> Consent:
    """Record that ``person`` gave (``given``) or withdrew their consent, ``how`` (a ``Consent.Method``) and ``at``
    when, as ``recorded_by`` heard it. Withdrawing it marks the person not to be contacted; giving it makes consent
    their lawful basis, but does not lift a "do not contact" they asked for: a member of staff does that on their
    record, if the person wants to be contacted again. The person's changes are saved as any change is (a new
    version and a history entry)."""
    if person.is_anonymised:
        raise ValidationError(_("This person's data was erased: no consent can be recorded."))
    consent = Consent(person=person, given=given, method=how, at=at, recorded_by=recorded_by, note=note)
    consent._history_user = recorded_by
    consent.full_clean()
    consent.save()
    with translation.override(settings.LANGUAGE_CODE):  # stored as a member of staff would have typed it
        if given and person.lawful_basis != Person.LawfulBasis.CONSENT:
            person.lawful_basis = Person.LawfulBasis.CONSENT
            person._change_reason = _("Consent given")
        elif not given and not person.do_not_contact:
            person.do_not_contact = True
            person._change_reason = _("Consent withdrawn")
        else:
            return consent
    person._history_user = recorded_by
    person.save()
    return consent
