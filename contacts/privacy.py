"""The GDPR right of access of the people the CRM holds: ``person_data``, everything held about a person.

Called by the ``export_person`` command and by the people admin's action; erasure is ``contacts.erasure``. What
is held, why, and what each right gives is written in docs/privacy.md: keep the two in step.
"""

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.history import describe

from .models import (
    Consent,
    ContactListEntry,
    ContactPoint,
    Person,
    Position,
)

ERASED_MESSAGE = gettext_lazy("Personal data erased (GDPR)")
REDACTED = gettext_lazy("[anonymised]")

# Free text of the other apps that may name a person, write their address or their number: the copies of
# press releases, the words quoted, agreement summaries, the sources of key figures. Named rather than
# imported, so that imports keep going one way (agreements → contacts → clusters).
NAMING_TEXT_FIELDS = [
    ("agreements", "PressRelease", ["title", "kicker", "subtitle", "text"]),
    ("agreements", "Quote", ["text"]),
    ("agreements", "Agreement", ["summary"]),
    ("clusters", "KeyFigure", ["source"]),
]


# Who sees contact details. One rule for the pages, the back office and the API (docs/privacy.md):


def may_list_contact_details(user) -> bool:
    """Whether lists of people (the directory, a contact list, the API's lists, the back office's lists) show
    their emails and phone numbers to ``user``: only to those who may export contacts, since a list paged through
    is an export. Everyone else sees names, organisations and titles, and one person's details on their page."""
    return user.has_perm("contacts.export_contacts")


def may_see_contact_details(user, person) -> bool:
    """Whether ``person``'s own page or record shows ``user`` their emails and phone numbers. A person who asked
    not to be contacted has them shown only to users who may change people; a list never shows them."""
    return user.has_perm("contacts.view_person") and (
        not person.do_not_contact or user.has_perm("contacts.change_person")
    )


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _release(release) -> dict:
    return {"slug": release.slug, "title": release.title, "published_on": _iso(release.published_on)}


def _sources(records) -> dict[tuple[str, int], list]:
    provenance = apps.get_model("agreements", "Provenance")
    sources: dict[tuple[str, int], list] = {}
    for entry in provenance.objects.for_objects(records):
        sources.setdefault((entry.content_type.model, entry.object_id), []).append(_release(entry.press_release))
    return sources


def _history(person: Person) -> list[dict]:
    records = list(Person.history.filter(id=person.pk).select_related("history_user"))
    records += Position.history.filter(person_id=person.pk).select_related("history_user")
    records += ContactPoint.history.filter(person_id=person.pk).select_related("history_user")
    return [
        {
            "date": _iso(change.when),
            "who": change.who,
            "type": change.action,
            "record": change.record,
            "reason": change.reason,
            "changes": [{"field": item.label, "old": item.old, "new": item.new} for item in change.fields],
        }
        for change in describe(records)
    ]


def _admin_log(person: Person) -> list[dict]:
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_id=str(person.pk)
    ).select_related("user")
    return [
        {
            "date": _iso(entry.action_time),
            "who": entry.user.get_username() if entry.user else "",
            "action": str(entry.get_action_flag_display()),
            "message": entry.get_change_message(),
        }
        for entry in entries.order_by("action_time", "pk")
    ]


def _related_model(name: str):
    """The model behind ``Person.<name>``, a relation an app over this one adds (the interactions, the follow-ups):
    followed by name, so that this app imports none of them. None if that app is not installed."""
    try:
        return Person._meta.get_field(name).related_model
    except FieldDoesNotExist:
        return None


def _username(user) -> str:
    return user.get_username() if user is not None else ""


def _consents(person: Person) -> list[dict]:
    return [
        {
            "given": consent.given,
            "how": consent.method,
            "how_label": str(consent.get_method_display()),
            "at": _iso(consent.at),
            "recorded_by": _username(consent.recorded_by),
            "note": consent.note,
        }
        for consent in person.consents.all()
    ]


def _interactions(person: Person) -> list[dict]:
    if _related_model("interactions") is None:
        return []
    return [
        {
            "date": _iso(interaction.occurred_at),
            "kind": interaction.kind,
            "kind_label": str(interaction.get_kind_display()),
            "direction": interaction.direction,
            "subject": interaction.subject,
            "text": interaction.text,
            "logged_by": _username(interaction.logged_by),
            "other_people": [other.full_name for other in interaction.people.all() if other.pk != person.pk],
            "organisations": [organisation.name for organisation in interaction.organisations.all()],
        }
        for interaction in person.interactions.all()
    ]


def _follow_ups(person: Person) -> list[dict]:
    if _related_model("follow_ups") is None:
        return []
    return [
        {
            "title": follow_up.title,
            "notes": follow_up.notes,
            "due_on": _iso(follow_up.due_on),
            "done": follow_up.done_at is not None,
            "done_at": _iso(follow_up.done_at),
            "assigned_to": _username(follow_up.assigned_to),
        }
        for follow_up in person.follow_ups.all()
    ]


def _retention_decisions(person: Person) -> list[dict]:
    if _related_model("retention_decisions") is None:
        return []
    return [
        {
            "reason": decision.reason,
            "review_on": _iso(decision.review_on),
            "decided_by": _username(decision.decided_by),
            "decided_at": _iso(decision.decided_at),
        }
        for decision in person.retention_decisions.all()
    ]


def _prefetches() -> list:
    """What ``person_data`` reads beside the person, in a bounded number of queries whatever their number."""
    prefetches = [
        "invitations__edition__event",
        Prefetch("consents", queryset=Consent.objects.select_related("recorded_by")),
    ]
    interaction = _related_model("interactions")
    if interaction is not None:
        prefetches.append(
            Prefetch(
                "interactions",
                queryset=interaction.objects.select_related("logged_by")
                .prefetch_related("people", "organisations")
                .order_by("occurred_at", "pk"),
            )
        )
    decision = _related_model("retention_decisions")
    if decision is not None:
        prefetches.append(
            Prefetch(
                "retention_decisions",
                queryset=decision.objects.select_related("decided_by").order_by("decided_at"),
            )
        )
    follow_up = _related_model("follow_ups")
    if follow_up is not None:
        prefetches.append(
            Prefetch("follow_ups", queryset=follow_up.objects.select_related("assigned_to").order_by("due_on", "pk"))
        )
    return prefetches


def person_data(person: Person) -> dict:
    """Everything the CRM holds about ``person``, as JSON-serialisable data (a GDPR subject access request).

    Exports are logged with their filters and number of rows, not with the people they held, so which exports
    included the person cannot be told: the answer says so rather than list them."""
    person = Person.objects.for_page().prefetch_related(*_prefetches()).get(pk=person.pk)
    positions = list(person.positions.all())
    contact_points = list(person.contact_points.all())
    press_roles = list(person.press_roles.all())
    signatures = list(person.signatures.all())
    quotes = list(person.quotes.all())
    sources = _sources([person, *positions, *contact_points, *press_roles, *signatures, *quotes])

    def sources_of(record) -> list:
        return sources.get((record._meta.model_name, record.pk), [])

    entries = {entry.contact_list_id: entry for entry in ContactListEntry.objects.filter(person=person)}
    return {
        "person": {
            "slug": person.slug,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "notes": person.notes,
            "do_not_contact": person.do_not_contact,
            "lawful_basis": person.lawful_basis,
            "lawful_basis_label": str(person.get_lawful_basis_display()),
            "data_source": person.data_source,
            "data_source_label": str(person.get_data_source_display()),
            "source_detail": person.source_detail,
            "created_at": _iso(person.created_at),
            "updated_at": _iso(person.updated_at),
            "sources": sources_of(person),
        },
        "tags": [tag.name for tag in person.tags.all()],
        "positions": [
            {
                "title": position.title,
                "organisation": position.organisation.name,
                "organisation_slug": position.organisation.slug,
                "started_on": _iso(position.started_on),
                "ended_on": _iso(position.ended_on),
                "is_primary": position.is_primary,
                "sources": sources_of(position),
            }
            for position in positions
        ],
        "contact_points": [
            {
                "medium": point.medium,
                "kind": point.kind,
                "email": point.email,
                "phone": point.phone.as_e164 if point.phone else "",
                "is_primary": point.is_primary,
                "label": point.label,
                "sources": sources_of(point),
            }
            for point in contact_points
        ],
        "press_contact_roles": [
            {
                "organisation": role.organisation.name,
                "organisation_slug": role.organisation.slug,
                "started_on": _iso(role.started_on),
                "ended_on": _iso(role.ended_on),
                "notes": role.notes,
                "named_in": [_release(release) for release in role.press_releases.all()],
                "sources": sources_of(role),
            }
            for role in press_roles
        ],
        "contact_lists": [
            {
                "slug": contact_list.slug,
                "name": contact_list.name,
                "added_at": _iso(entries[contact_list.pk].added_at) if contact_list.pk in entries else None,
            }
            for contact_list in person.contact_lists.all()
        ],
        "invitations": [
            {
                "event": invitation.edition.event.name,
                "edition": _iso(invitation.edition.starts_on),
                "place": invitation.edition.place,
                "answer": invitation.answer,
                "attended": invitation.attended,
                "invited_at": _iso(invitation.invited_at),
            }
            for invitation in person.invitations.all()
        ],
        "signatures": [
            {
                "agreement": signature.agreement.title,
                "agreement_slug": signature.agreement.slug,
                "signed_on": _iso(signature.agreement.signed_on),
                "signed_for": signature.organisation.name,
                "title_at_signing": signature.title_at_signing,
                "sources": sources_of(signature),
            }
            for signature in signatures
        ],
        "quotes": [
            {
                "press_release": _release(quote.press_release),
                "speaking_for": quote.organisation.name if quote.organisation else "",
                "title_at_time": quote.title_at_time,
                "text": quote.text,
            }
            for quote in quotes
        ],
        "press_releases": sorted(
            {release["slug"]: release for releases in sources.values() for release in releases}.values(),
            key=lambda release: release["published_on"] or "",
        ),
        "consents": _consents(person),
        "interactions": _interactions(person),
        "follow_ups": _follow_ups(person),
        "retention_decisions": _retention_decisions(person),
        "history": _history(person),
        "admin_log": _admin_log(person),
        "exports": _(
            "Exports are logged with who made them, when, their filters and their number of rows, not with "
            "the people they held: which exports included this person cannot be told."
        ),
    }
