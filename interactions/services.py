"""Writes that touch several rows: logging an interaction with the people and organisations it involved, and
creating, completing and reopening follow-ups."""

from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from clusters.models import Organisation
from contacts.models import Person

from .models import FollowUp, Interaction


@transaction.atomic
def log_interaction(
    *,
    kind: str,
    logged_by,
    people: Iterable[Person] = (),
    organisations: Iterable[Organisation] = (),
    occurred_at: datetime | None = None,
    subject: str = "",
    text: str = "",
    direction: str = "",
    message_id: str = "",
    **links,
) -> Interaction:
    """Record an interaction with ``people`` and ``organisations``, by ``logged_by``; ``links`` are the optional
    ``agreement``, ``press_release``, ``event_edition`` and ``membership``. The records' versions do not change:
    only their last contact moves."""
    interaction = Interaction(
        kind=kind,
        direction=direction if kind in Interaction.DIRECTED_KINDS else "",
        occurred_at=occurred_at or timezone.now(),
        subject=subject,
        text=text,
        logged_by=logged_by,
        message_id=message_id,
        **links,
    )
    interaction._history_user = logged_by
    interaction.full_clean()
    interaction.save()
    interaction.people.set(list(people))
    interaction.organisations.set(list(organisations))
    return interaction


@transaction.atomic
def create_follow_up(
    *,
    title: str,
    due_on: date,
    assigned_to,
    created_by,
    people: Iterable[Person] = (),
    organisations: Iterable[Organisation] = (),
    notes: str = "",
    interaction: Interaction | None = None,
) -> FollowUp:
    """A follow-up for ``assigned_to`` to do by ``due_on``, about ``people`` and ``organisations`` (by default,
    those of the ``interaction`` it comes from)."""
    follow_up = FollowUp(
        title=title,
        due_on=due_on,
        assigned_to=assigned_to,
        created_by=created_by,
        notes=notes,
        interaction=interaction,
    )
    follow_up._history_user = created_by
    follow_up.full_clean()
    follow_up.save()
    people, organisations = list(people), list(organisations)
    if interaction is not None and not people and not organisations:
        people, organisations = list(interaction.people.all()), list(interaction.organisations.all())
    follow_up.people.set(people)
    follow_up.organisations.set(organisations)
    return follow_up


@transaction.atomic
def complete_follow_up(*, follow_up: FollowUp, user) -> FollowUp:
    """Mark ``follow_up`` done by ``user`` (refused if someone changed it meanwhile, as any save)."""
    if follow_up.done_at is None:
        follow_up.done_at = timezone.now()
        follow_up.done_by = user
        follow_up._history_user = user
        follow_up.save(update_fields=["done_at", "done_by"])
    return follow_up


@transaction.atomic
def reopen_follow_up(*, follow_up: FollowUp, user) -> FollowUp:
    if follow_up.done_at is not None:
        follow_up.done_at = None
        follow_up.done_by = None
        follow_up._history_user = user
        follow_up.save(update_fields=["done_at", "done_by"])
    return follow_up
