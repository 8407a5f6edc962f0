"""The GDPR rights of the people the CRM holds: subject access (``person_data``) and erasure (``erase_person``).

Both are services, called by the ``export_person`` and ``erase_person`` commands and by the people admin's
actions. What is erased, what is kept and why is written in docs/privacy.md: keep the two in step.
"""

import re
import secrets
import unicodedata
from dataclasses import dataclass, field

import phonenumbers
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.history import describe

from .models import (
    ANONYMISED_NAME,
    ANONYMISED_SLUG_PREFIX,
    ContactListEntry,
    ContactPoint,
    Invitation,
    Person,
    Position,
    PressContact,
)
from .search import refresh_search_text

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


def person_data(person: Person) -> dict:
    """Everything the CRM holds about ``person``, as JSON-serialisable data (a GDPR subject access request).

    Exports are logged with their filters and number of rows, not with the people they held, so which exports
    included the person cannot be told: the answer says so rather than list them."""
    person = Person.objects.for_page().prefetch_related("invitations__edition__event").get(pk=person.pk)
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
        "history": _history(person),
        "admin_log": _admin_log(person),
        "exports": _(
            "Exports are logged with who made them, when, their filters and their number of rows, not with "
            "the people they held: which exports included this person cannot be told."
        ),
    }


# Erasure


def _fold_with_positions(text: str) -> tuple[str, list[int]]:
    """``text`` in lower case without accents, and for each of its characters the index it came from."""
    folded, positions = [], []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFKD", char.lower()):
            if not unicodedata.combining(part):
                folded.append(part)
                positions.append(index)
    return "".join(folded), positions


def _name_patterns(person: Person) -> list[re.Pattern]:
    words = [
        [word for word in re.split(r"\W+", _fold_with_positions(name)[0]) if word]
        for name in (person.given_name, person.family_name)
    ]
    given, family = words
    if not family:
        return []
    orders = [given + family, family + given] if given else [family]
    return [
        re.compile(r"(?<!\w)" + r"[\s\-'’.]+".join(re.escape(word) for word in order) + r"(?!\w)") for order in orders
    ]


@dataclass
class Traces:
    """What identifies a person in free text: their name (both ways round), addresses and numbers."""

    names: list[re.Pattern]
    emails: list[str]
    phones: set[str]  # E.164

    @classmethod
    def of(cls, person: Person) -> "Traces":
        points = list(person.contact_points.all())
        return cls(
            # Once erased, the placeholder is the only name left: it names no one.
            names=[] if person.is_anonymised else _name_patterns(person),
            emails=[point.email for point in points if point.email],
            phones={point.phone.as_e164 for point in points if point.phone},
        )

    def spans(self, text: str) -> list[tuple[int, int]]:
        spans = []
        folded, positions = _fold_with_positions(text)
        for pattern in self.names:
            spans += [(positions[m.start()], positions[m.end() - 1] + 1) for m in pattern.finditer(folded)]
        lowered = text.lower()
        for email in self.emails:
            spans += [(m.start(), m.end()) for m in re.finditer(re.escape(email), lowered)]
        if self.phones:
            for match in phonenumbers.PhoneNumberMatcher(text, settings.PHONENUMBER_DEFAULT_REGION):
                if phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164) in self.phones:
                    spans.append((match.start, match.end))
        return spans

    def redact(self, text: str, replacement: str) -> str:
        spans = sorted(self.spans(text or ""))
        if not spans:
            return text
        pieces, last = [], 0
        for start, end in spans:
            if start < last:  # overlaps the previous span: extend it
                if end > last:
                    last = end
                continue
            pieces += [text[last:start], replacement]
            last = end
        pieces.append(text[last:])
        return "".join(pieces)

    def terms(self, person: Person) -> list[str]:
        """Plain strings to look for in the logs: the full name, the addresses."""
        name = "" if person.is_anonymised else f"{person.given_name} {person.family_name}".strip()
        return [term for term in (name, *self.emails) if term]


def _redact_rows(queryset, fields: list[str], traces: Traces, replacement: str) -> int:
    changed = 0
    for row in queryset.only("pk", *fields).iterator():
        values = {name: traces.redact(getattr(row, name), replacement) for name in fields}
        values = {name: value for name, value in values.items() if value != getattr(row, name)}
        if values:
            # An update, not a save: the redaction is no one's edit (no new version, no history entry).
            type(row)._base_manager.filter(pk=row.pk).update(**values)
            changed += 1
    return changed


def _redact_documents(traces: Traces, replacement: str) -> int:
    changed = 0
    for app_label, model_name, fields in NAMING_TEXT_FIELDS:
        model = apps.get_model(app_label, model_name)
        changed += _redact_rows(model._base_manager.all(), fields, traces, replacement)
        if hasattr(model, "history"):  # the earlier versions hold the same text
            changed += _redact_rows(model.history.all(), fields, traces, replacement)
    return changed


def _scrub_logs(person: Person, traces: Traces, replacement: str, erased: str) -> None:
    """The admin's log of the person and of their erased records goes; other entries that name them, and the
    filters of exports that searched for them, lose the name."""
    entries = Q(content_type=ContentType.objects.get_for_model(Person), object_id=str(person.pk))
    for model, pks in (
        (Position, person.positions.values_list("pk", flat=True)),
        (ContactPoint, person.contact_points.values_list("pk", flat=True)),
        (PressContact, person.press_roles.values_list("pk", flat=True)),
    ):
        entries |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in pks])
    LogEntry.objects.filter(entries).exclude(change_message=erased).delete()
    terms = traces.terms(person)
    if terms:
        naming = Q(pk__in=[])
        for term in terms:
            naming |= Q(object_repr__icontains=term) | Q(change_message__icontains=term)
        for entry in LogEntry.objects.filter(naming):
            LogEntry.objects.filter(pk=entry.pk).update(
                object_repr=traces.redact(entry.object_repr, replacement)[:200],
                change_message=traces.redact(entry.change_message, replacement),
            )
    export_log = apps.get_model("contacts", "ExportLog")
    for log in export_log.objects.exclude(filters={}).iterator():
        filters = {
            key: traces.redact(value, replacement) if isinstance(value, str) else value
            for key, value in log.filters.items()
        }
        if filters != log.filters:
            export_log.objects.filter(pk=log.pk).update(filters=filters)


@dataclass
class ErasureReport:
    """What an erasure removed: model verbose name (plural) → rows, and the documents redacted."""

    removed: dict[str, int] = field(default_factory=dict)
    documents_redacted: int = 0
    already_erased: bool = False

    def summary(self) -> str:
        parts = [
            _("%(name)s: %(count)s") % {"name": name, "count": count} for name, count in self.removed.items() if count
        ]
        if self.documents_redacted:
            parts.append(
                _("texts where the name, address or number was blanked: %(count)s") % {"count": self.documents_redacted}
            )
        return "; ".join(parts) or _("nothing left to erase")


def anonymised_slug() -> str:
    slug = f"{ANONYMISED_SLUG_PREFIX}{secrets.token_hex(8)}"
    while Person.objects.filter(slug=slug).exists():
        slug = f"{ANONYMISED_SLUG_PREFIX}{secrets.token_hex(8)}"
    return slug


@transaction.atomic
def erase_person(*, person: Person, user=None) -> ErasureReport:
    """Erase ``person``'s personal data (GDPR, right to erasure) and keep the non-personal facts.

    The person stays as an anonymised record, so that the agreements they signed stay signed (by an
    "anonymised signatory") and the quotes stay attributed to someone; everything else about them goes: name,
    notes, tags, contact points, positions, press-contact roles, list entries, invitations, the provenance of
    their own record, their history and the admin's log of them, and their name, addresses and numbers in the
    texts the CRM keeps (press releases, quotes, agreement summaries, sources of key figures). One entry then
    says who erased them and when. Erasing an erased person again changes nothing. See docs/privacy.md."""
    person = Person.objects.select_for_update().get(pk=person.pk)  # fresh: the version check needs it
    traces = Traces.of(person)
    # Stored in the site's language, as a member of staff would have typed it.
    with translation.override(settings.LANGUAGE_CODE):
        replacement, erased = str(REDACTED), str(ERASED_MESSAGE)
    report = ErasureReport(already_erased=person.is_anonymised)

    _scrub_logs(person, traces, replacement, erased)
    report.documents_redacted = _redact_documents(traces, replacement)
    for queryset in (
        person.contact_points.all(),
        person.positions.all(),
        PressContact.objects.filter(person=person),
        ContactListEntry.objects.filter(person=person),
        Invitation.objects.filter(person=person),
    ):
        rows = list(queryset)
        for row in rows:
            row.delete()  # one by one: the history and provenance receivers see each deletion
        report.removed[str(queryset.model._meta.verbose_name_plural)] = len(rows)
    apps.get_model("agreements", "Provenance").objects.for_object(person).delete()

    # The deletions above wrote history entries of their own: they go with the rest, bar an earlier erasure's.
    Position.history.filter(person_id=person.pk).delete()
    ContactPoint.history.filter(person_id=person.pk).delete()
    Person.history.filter(id=person.pk).exclude(history_change_reason=erased).delete()

    had_data = any(report.removed.values()) or report.documents_redacted
    person = Person.objects.get(pk=person.pk)
    left = person.notes or person.given_name or person.source_detail or not person.do_not_contact
    if person.is_anonymised and not had_data and not left and not person.tags.exists():
        return report  # erased already, and nothing was added since
    with translation.override(settings.LANGUAGE_CODE):
        person.family_name = str(ANONYMISED_NAME)
    person.given_name = ""
    if not person.is_anonymised:
        person.slug = anonymised_slug()
    person.notes = ""
    person.source_detail = ""
    person.do_not_contact = True
    person._history_user = user
    person._change_reason = erased
    person.save()
    person.tags.clear()
    refresh_search_text([person.pk])
    if user is not None:
        LogEntry.objects.create(
            user=user,
            content_type=ContentType.objects.get_for_model(Person),
            object_id=str(person.pk),
            object_repr=person.family_name,
            action_flag=CHANGE,
            change_message=erased,
            action_time=timezone.now(),
        )
    return report
