"""Writes that touch several rows: inviting people to an edition, recording who came."""

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from core.history import update_with_history

from .models import EventEdition, Invitation


@transaction.atomic
def invite_people(*, edition: EventEdition, people) -> int:
    """Invite ``people`` (a queryset of people) to ``edition``; those already invited stay as they are.
    People who asked not to be contacted are not invited. Returns how many were added."""
    already = set(edition.invitations.values_list("person_id", flat=True))
    invitations = [
        Invitation(edition=edition, person_id=person_id)
        for person_id in people.contactable().order_by().values_list("pk", flat=True).distinct()
        if person_id not in already
    ]
    bulk_create_with_history(invitations, Invitation)
    return len(invitations)


@transaction.atomic
def record_attendance(*, edition: EventEdition, attended) -> None:
    """Who came to ``edition``: the invitations in ``attended`` (a queryset of its invitations) attended, the
    others did not."""
    attended_ids = set(attended.values_list("pk", flat=True))
    update_with_history(edition.invitations.filter(pk__in=attended_ids).exclude(attended=True), attended=True)
    update_with_history(edition.invitations.exclude(pk__in=attended_ids).exclude(attended=False), attended=False)
