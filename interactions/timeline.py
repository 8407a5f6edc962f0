"""A person's or an organisation's timeline: their interactions and follow-ups, and what the CRM already knows
happened to them (positions, press releases, agreements, memberships, events, contact lists), newest first.

Each source gives rows of (date, kind, key); one UNION ALL sorts them and cuts the page in the database, then each
kind's records on the page are read in one query per model. A page costs the same number of queries whether the
record has five entries or five thousand."""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import CharField, DateTimeField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import AgreementParty, PressRelease, Provenance, Quote, Signatory
from clusters.models import Due, Membership, Organisation
from contacts.models import ContactListEntry, Person, Position, PressContact
from events.models import Event, EventEdition, Invitation

from .models import FollowUp, Interaction

PER_PAGE = 20
# Beyond this page the offset costs more than anyone turns pages: the last page is shown instead.
MAX_PAGE = 500


class Group:
    """The kinds of entries a timeline can be narrowed to (``?timeline=interactions&timeline=press``)."""

    INTERACTIONS = "interactions"
    FOLLOW_UPS = "follow_ups"
    POSITIONS = "positions"
    PRESS = "press"
    AGREEMENTS = "agreements"
    MEMBERSHIPS = "memberships"
    EVENTS = "events"
    LISTS = "lists"

    labels = {
        INTERACTIONS: _("Interactions"),
        FOLLOW_UPS: _("Follow-ups"),
        POSITIONS: _("Positions"),
        PRESS: _("Press"),
        AGREEMENTS: _("Agreements"),
        MEMBERSHIPS: _("Memberships"),
        EVENTS: _("Events"),
        LISTS: _("Contact lists"),
    }


@dataclass(frozen=True)
class Source:
    """One kind of entry: its rows for a record (``rows(record)``, a QuerySet annotated with ``at``), the group it
    is filtered under, the permission needed to see it, and the model its records are read from."""

    kind: str
    group: str
    permission: str
    model: type
    rows: Callable[[object], QuerySet]


@dataclass(frozen=True)
class Entry:
    at: datetime.datetime
    kind: str
    group: str
    record: object

    @property
    def is_day(self) -> bool:
        """Whether the entry happened on a day rather than at a time (a position's start, a signature)."""
        if self.kind == "follow_up":
            return self.record.done_at is None
        return self.kind not in TIMED_KINDS

    @property
    def day(self) -> datetime.date:
        return self.at.astimezone(datetime.UTC).date() if timezone.is_aware(self.at) else self.at.date()

    @property
    def url(self) -> str:
        try:
            return self.record.get_absolute_url()
        except (AttributeError, NoReverseMatch):
            return ""

    @property
    def is_overdue(self) -> bool:
        return isinstance(self.record, FollowUp) and self.record.is_overdue()


# The entries whose moment is a time of day; the others fall on a date.
TIMED_KINDS = {"interaction", "invitation", "list_entry"}


def on_day(field: str):
    """A date column as the timeline's moment (midnight of that day), so that dates and times sort together."""
    return Cast(F(field), DateTimeField())


def press_releases_naming_person(person: Person) -> QuerySet:
    content_type = ContentType.objects.get_for_model(Person)
    return PressRelease.objects.filter(
        Q(pk__in=PressContact.objects.filter(person=person).values("press_releases"))
        | Q(pk__in=Quote.objects.filter(person=person).values("press_release"))
        | Q(pk__in=Provenance.objects.filter(content_type=content_type, object_id=person.pk).values("press_release"))
    )


def press_releases_naming_organisation(organisation: Organisation) -> QuerySet:
    content_type = ContentType.objects.get_for_model(Organisation)
    return PressRelease.objects.filter(
        Q(pk__in=PressRelease.issuers.through.objects.filter(organisation=organisation).values("pressrelease"))
        | Q(pk__in=PressContact.objects.filter(organisation=organisation).values("press_releases"))
        | Q(pk__in=Quote.objects.filter(organisation=organisation).values("press_release"))
        | Q(
            pk__in=Provenance.objects.filter(content_type=content_type, object_id=organisation.pk).values(
                "press_release"
            )
        )
    )


def _follow_up_moment():
    """A follow-up sits on the day it was done, or while still to do on the day it is due."""
    return Coalesce(F("done_at"), on_day("due_on"))


def _memberships_of(organisation: Organisation) -> QuerySet:
    return Membership.objects.filter(Q(member=organisation) | Q(cluster=organisation))


def _today():
    return timezone.localdate()


PERSON_SOURCES = [
    Source(
        "interaction",
        Group.INTERACTIONS,
        "interactions.view_interaction",
        Interaction,
        lambda person: Interaction.objects.filter(person_links__person=person).annotate(at=F("occurred_at")),
    ),
    Source(
        "follow_up",
        Group.FOLLOW_UPS,
        "interactions.view_followup",
        FollowUp,
        lambda person: FollowUp.objects.filter(person_links__person=person).annotate(at=_follow_up_moment()),
    ),
    Source(
        "position_started",
        Group.POSITIONS,
        "contacts.view_person",
        Position,
        lambda person: Position.objects.filter(person=person, started_on__isnull=False).annotate(
            at=on_day("started_on")
        ),
    ),
    Source(
        "position_ended",
        Group.POSITIONS,
        "contacts.view_person",
        Position,
        lambda person: Position.objects.filter(person=person, ended_on__lte=_today()).annotate(at=on_day("ended_on")),
    ),
    Source(
        "press_release",
        Group.PRESS,
        "agreements.view_pressrelease",
        PressRelease,
        lambda person: press_releases_naming_person(person).annotate(at=on_day("published_on")),
    ),
    Source(
        "signature",
        Group.AGREEMENTS,
        "agreements.view_agreement",
        Signatory,
        lambda person: Signatory.objects.filter(person=person, agreement__signed_on__isnull=False).annotate(
            at=on_day("agreement__signed_on")
        ),
    ),
    Source(
        "invitation",
        Group.EVENTS,
        "events.view_invitation",
        Invitation,
        lambda person: Invitation.objects.filter(person=person).annotate(at=F("invited_at")),
    ),
    Source(
        "attendance",
        Group.EVENTS,
        "events.view_invitation",
        Invitation,
        lambda person: Invitation.objects.filter(person=person, attended__isnull=False).annotate(
            at=on_day("edition__starts_on")
        ),
    ),
    Source(
        "list_entry",
        Group.LISTS,
        "contacts.view_contactlist",
        ContactListEntry,
        lambda person: ContactListEntry.objects.filter(person=person).annotate(at=F("added_at")),
    ),
]

ORGANISATION_SOURCES = [
    Source(
        "interaction",
        Group.INTERACTIONS,
        "interactions.view_interaction",
        Interaction,
        lambda organisation: Interaction.objects.filter(organisation_links__organisation=organisation).annotate(
            at=F("occurred_at")
        ),
    ),
    Source(
        "follow_up",
        Group.FOLLOW_UPS,
        "interactions.view_followup",
        FollowUp,
        lambda organisation: FollowUp.objects.filter(organisation_links__organisation=organisation).annotate(
            at=_follow_up_moment()
        ),
    ),
    Source(
        "position_started",
        Group.POSITIONS,
        "contacts.view_person",
        Position,
        lambda organisation: Position.objects.filter(organisation=organisation, started_on__isnull=False).annotate(
            at=on_day("started_on")
        ),
    ),
    Source(
        "position_ended",
        Group.POSITIONS,
        "contacts.view_person",
        Position,
        lambda organisation: Position.objects.filter(organisation=organisation, ended_on__lte=_today()).annotate(
            at=on_day("ended_on")
        ),
    ),
    Source(
        "press_release",
        Group.PRESS,
        "agreements.view_pressrelease",
        PressRelease,
        lambda organisation: press_releases_naming_organisation(organisation).annotate(at=on_day("published_on")),
    ),
    Source(
        "agreement_party",
        Group.AGREEMENTS,
        "agreements.view_agreement",
        AgreementParty,
        lambda organisation: AgreementParty.objects.filter(
            organisation=organisation, agreement__signed_on__isnull=False
        ).annotate(at=on_day("agreement__signed_on")),
    ),
    Source(
        "membership_started",
        Group.MEMBERSHIPS,
        "clusters.view_membership",
        Membership,
        lambda organisation: (
            _memberships_of(organisation).filter(started_on__isnull=False).annotate(at=on_day("started_on"))
        ),
    ),
    Source(
        "membership_ended",
        Group.MEMBERSHIPS,
        "clusters.view_membership",
        Membership,
        lambda organisation: (
            _memberships_of(organisation)
            .filter(ended_on__lte=_today(), cancelled_on__isnull=True)
            .annotate(at=on_day("ended_on"))
        ),
    ),
    Source(
        "membership_cancelled",
        Group.MEMBERSHIPS,
        "clusters.view_membership",
        Membership,
        lambda organisation: (
            _memberships_of(organisation).filter(cancelled_on__isnull=False).annotate(at=on_day("cancelled_on"))
        ),
    ),
    Source(
        "due_paid",
        Group.MEMBERSHIPS,
        "clusters.view_membership",
        Due,
        lambda organisation: Due.objects.filter(
            Q(membership__member=organisation) | Q(membership__cluster=organisation), paid_on__isnull=False
        ).annotate(at=on_day("paid_on")),
    ),
    Source(
        "edition_organised",
        Group.EVENTS,
        "events.view_event",
        EventEdition,
        lambda organisation: EventEdition.objects.filter(
            Q(event__in=Event.objects.filter(organisers=organisation))
            | Q(
                pk__in=EventEdition.co_organisers.through.objects.filter(organisation=organisation).values(
                    "eventedition"
                )
            )
        ).annotate(at=on_day("starts_on")),
    ),
]


def _read_records(model, keys: set[int]) -> dict[int, object]:
    """The page's records of ``model``, with what their entries show, in one query (and its prefetches)."""
    records = model.objects.filter(pk__in=keys)
    if model is Interaction:
        records = records.select_related("logged_by").prefetch_related("people", "organisations")
    elif model is FollowUp:
        records = records.select_related("assigned_to")
    elif model is Position:
        records = records.select_related("person", "organisation")
    elif model is Signatory:
        records = records.select_related("agreement", "organisation")
    elif model is AgreementParty:
        records = records.select_related("agreement")
    elif model is Membership:
        earlier = Membership.objects.filter(
            cluster=OuterRef("cluster"), member=OuterRef("member"), started_on__lt=OuterRef("started_on")
        )
        records = records.select_related("cluster", "member", "membership_type").annotate(renewal=Exists(earlier))
    elif model is Due:
        records = records.select_related("membership__cluster", "membership__member")
    elif model is Invitation:
        records = records.select_related("edition__event")
    elif model is EventEdition:
        records = records.select_related("event")
    elif model is ContactListEntry:
        records = records.select_related("contact_list")
    return {record.pk: record for record in records}


@dataclass
class TimelinePage:
    entries: list[Entry]
    number: int
    has_next: bool
    groups: list[tuple[str, str]]  # the groups this user may see here, with their labels
    shown: list[str]  # the groups asked for (all of them when none was)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def sources_for(record) -> list[Source]:
    return PERSON_SOURCES if isinstance(record, Person) else ORGANISATION_SOURCES


def timeline_page(record, *, user, groups=(), page: int = 1, per_page: int = PER_PAGE) -> TimelinePage:
    """The ``page``-th page of ``record``'s timeline (a person or an organisation) as ``user`` may see it, narrowed
    to ``groups`` if any are given."""
    allowed = [source for source in sources_for(record) if user.has_perm(source.permission)]
    available = list(dict.fromkeys(source.group for source in allowed))
    shown = [group for group in groups if group in available] or available
    chosen = [source for source in allowed if source.group in shown]
    page = max(1, min(page, MAX_PAGE))
    offset = (page - 1) * per_page
    rows = _rows(record, chosen, offset=offset, limit=per_page + 1)
    by_model: dict[type, set[int]] = defaultdict(set)
    sources = {source.kind: source for source in chosen}
    for _at, kind, key in rows[:per_page]:
        by_model[sources[kind].model].add(key)
    records = {model: _read_records(model, keys) for model, keys in by_model.items()}
    entries = []
    for at, kind, key in rows[:per_page]:
        source = sources[kind]
        found = records[source.model].get(key)
        if found is not None:  # deleted between the two reads
            entries.append(Entry(at=at, kind=kind, group=source.group, record=found))
    return TimelinePage(
        entries=entries,
        number=page,
        has_next=len(rows) > per_page,
        groups=[(group, Group.labels[group]) for group in available],
        shown=shown if len(shown) < len(available) else [],
    )


def _rows(record, sources: list[Source], *, offset: int, limit: int) -> list[tuple]:
    if not sources:
        return []
    parts = []
    for source in sources:
        part = (
            source.rows(record)
            .annotate(entry_kind=Value(source.kind, output_field=CharField()), entry_key=F("pk"))
            .values_list("at", "entry_kind", "entry_key")
        )
        if connection.features.supports_slicing_ordering_in_compound:
            # Each source reads no more than the page needs, newest first, through its own index.
            part = part.order_by("-at", "-entry_key")[: offset + limit]
        else:
            part = part.order_by()
        parts.append(part)
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return list(union.order_by("-at", "entry_kind", "-entry_key")[offset : offset + limit])
