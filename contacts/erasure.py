"""The GDPR right to erasure: ``erase_person`` removes a person's name, addresses and numbers from everywhere the
CRM keeps text — every table (histories included), the cache and the stored files — and keeps them out.

How: the person's traces (every name, address and number the person's record and its history ever held) are
looked for in every text column of every model, in SQL (``LIKE`` on a fragment of each name and address that no
accent or case can change, a digit pattern for each number), so that a million rows are read by the database,
not by Python; the rows found are checked and blanked in Python (``Traces.redact``), each change raising the
record's version and writing its history entry, so that a form or an API client holding an older version cannot
write the text back. An ``Erasure`` row (record numbers only) keeps the seed loader from loading the person again.

What is removed, what is kept and why: docs/privacy.md. Keep the two in step.
"""

import io
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass, field

import phonenumbers
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalChanges

from core.history import VersionedModel, update_with_history
from jobs.models import Job

from . import export_lines
from .models import ANONYMISED_NAME, ANONYMISED_SLUG_PREFIX, ContactPoint, Erasure, Person, Position, PressContact
from .search import refresh_search_text

ERASED_MESSAGE = gettext_lazy("Personal data erased (GDPR)")
REDACTED = gettext_lazy("[anonymised]")
SLUG_REDACTED = "anonyme"

# Sent with ``person_id`` at the start of an erasure, inside its transaction: an app over contacts deletes the records
# that concern the person alone (an interaction with no one else) and returns their ``(label, pk)``.
person_erasing = Signal()


def erased_with_the_person() -> list:
    """The kinds of record an erasure deletes with the person (their history goes too): those whose foreign key to
    the person cascades — positions, contact points, press roles, list entries, invitations, any added later. A
    record that must outlive the person (a signature, a quote) protects its foreign key instead."""
    return [
        relation.related_model
        for relation in Person._meta.related_objects
        if relation.one_to_many
        and relation.on_delete is models.CASCADE
        and not issubclass(relation.related_model, HistoricalChanges)
    ]


# Fields that are another record's own name, address or number: an erasure leaves them alone, since they may be a
# namesake's ("Pascual") or an address two people share. The erased person's own are removed with their records.
IDENTITY_FIELDS = {
    "contacts.person": {"given_name", "family_name", "slug"},
    "contacts.contactpoint": {"email", "phone"},
    "clusters.organisation": {"name", "acronym", "slug", "website"},
    "clusters.organisationname": {"name"},
}
# Tables an erasure does not read, and why (docs/privacy.md): staff accounts and their logins are the staff's own
# data; permissions and content types hold code names; sessions hold no contact data (only a login); the
# tombstones hold record numbers.
NOT_SEARCHED = {
    "auth.user",
    "auth.group",
    "auth.permission",
    "contenttypes.contenttype",
    "sessions.session",
    "contacts.erasure",
}
NOT_SEARCHED_APPS = {"axes", "knox", "django_otp", "otp_totp", "otp_static"}
# Columns computed from others: rebuilt, not searched.
DERIVED_FIELDS = {"search_text"}

# Words of a family name that identify no one on their own ("Pascual de Zulueta": "de").
PARTICLES = {
    "a", "al", "af", "auf", "ben", "bin", "d", "da", "das", "de", "degli", "dei", "del", "della", "den", "der",
    "des", "di", "do", "dos", "du", "e", "el", "et", "i", "la", "las", "le", "les", "lo", "los", "y", "van",
    "von", "ten", "ter", "zu",
}  # fmt: skip
_SEPARATORS = r"[\s\-'’._]+"
_BETWEEN_DIGITS = r"\W{0,3}"
MAX_SCANNED_FILE_BYTES = 200 * 1024 * 1024


def fold_with_positions(text: str) -> tuple[str, list[int]]:
    """``text`` in lower case without accents, and for each of its characters the index it came from."""
    folded, positions = [], []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFKD", char.lower()):
            if not unicodedata.combining(part):
                folded.append(part)
                positions.append(index)
    return "".join(folded), positions


def _words(name: str) -> list[str]:
    return [word for word in re.split(r"\W+", fold_with_positions(name)[0]) if word]


def _ascii_fragment(word: str) -> str:
    """The longest run of plain letters in ``word`` as written: it reads the same with or without its accents,
    in any case, so that SQL's case-insensitive LIKE finds "Ivanès", "IVANES" and "ivanes" by "ivan"."""
    runs = re.findall(r"[a-z0-9]+", word.lower())
    return max(runs, key=len, default="")


@dataclass
class Traces:
    """What identifies a person in text: each name they were known by (both ways round, the family name alone
    and each of its words), each address and each number they had."""

    names: list[tuple[str, str]] = field(default_factory=list)  # (given name, family name)
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)  # E.164

    def __bool__(self):
        return bool(self.names or self.emails or self.phones)

    @classmethod
    def of(cls, person_id: int) -> "Traces":
        """Every name, address and number the person's record, contact points and their histories hold."""
        traces = cls()
        names = list(Person._base_manager.filter(pk=person_id).values_list("slug", "given_name", "family_name"))
        names += Person.history.filter(id=person_id).values_list("slug", "given_name", "family_name")
        for slug, given, family in names:
            if not slug.startswith(ANONYMISED_SLUG_PREFIX) and (given, family) not in traces.names:
                traces.names.append((given, family))
        points = list(ContactPoint._base_manager.filter(person_id=person_id).values_list("email", "phone"))
        points += ContactPoint.history.filter(person_id=person_id).values_list("email", "phone")
        for email, phone in points:
            if email:
                traces.emails.add(email.lower())
            if phone:
                traces.phones.add(str(phone))
        return traces

    # In Python: the patterns, on folded text

    def _family_words(self, family: str) -> list[str]:
        words = _words(family)
        significant = [word for word in words if word not in PARTICLES and len(word) > 1]
        return significant or words

    def name_patterns(self) -> list[re.Pattern]:
        patterns = []
        for given, family in self.names:
            given_words, family_words = _words(given), _words(family)
            if not family_words:
                continue
            orders = [given_words + family_words, family_words + given_words] if given_words else []
            orders.append(family_words)
            orders += [[word] for word in self._family_words(family)]
            patterns += [
                re.compile(r"(?<!\w)" + _SEPARATORS.join(re.escape(word) for word in order) + r"(?!\w)")
                for order in orders
            ]
        return patterns

    def email_patterns(self) -> list[re.Pattern]:
        return [re.compile(r"(?<![\w.+\-])" + re.escape(email) + r"(?![\w\-]|\.\w)") for email in self.emails]

    def phone_patterns(self) -> list[re.Pattern]:
        patterns = []
        for phone in self.phones:
            number = phonenumbers.parse(phone)
            digits = _BETWEEN_DIGITS.join(str(number.national_number))
            country = re.escape(str(number.country_code))
            prefix = rf"(?:(?:\+|00)\s*{country}\W{{0,3}}(?:\(0\)\W{{0,3}})?|0\W{{0,3}})?"
            patterns.append(re.compile(rf"(?<![\d+]){prefix}{digits}(?!\d)"))
        return patterns

    def spans(self, text: str) -> list[tuple[int, int]]:
        folded, positions = fold_with_positions(text)
        spans = []
        for pattern in [*self.name_patterns(), *self.email_patterns(), *self.phone_patterns()]:
            spans += [(positions[m.start()], positions[m.end() - 1] + 1) for m in pattern.finditer(folded) if m.end()]
        return spans

    def found_in(self, text: str) -> bool:
        lowered = text.lower()
        if not any(needle in lowered for needle in self.needles()) and not any(
            re.search(pattern, text) for pattern in self.phone_regexes()
        ):
            return False
        return bool(self.spans(text))

    def redact(self, text: str, replacement: str) -> str:
        spans = sorted(self.spans(text or ""))
        if not spans:
            return text
        pieces, last = [], 0
        for start, end in spans:
            if start < last:  # overlaps the previous span: extend it
                last = max(last, end)
                continue
            pieces += [text[last:start], replacement]
            last = end
        pieces.append(text[last:])
        return "".join(pieces)

    # In SQL: what finds the candidate rows

    def needles(self) -> set[str]:
        """Fragments that every written form of a name or address holds, for a case-insensitive LIKE."""
        needles = {email for email in self.emails}
        for _given, family in self.names:
            for word in self._family_words(family):
                fragment = _ascii_fragment(word)
                needles.add(fragment if len(fragment) >= 2 else word)
        return {needle for needle in needles if needle}

    def phone_regexes(self) -> list[str]:
        """The digits of each number with up to three other characters between them (spaces, dots, dashes)."""
        return [_BETWEEN_DIGITS.join(str(phonenumbers.parse(phone).national_number)) for phone in sorted(self.phones)]

    def condition(self, columns: list[str]) -> Q:
        condition = Q(pk__in=[])
        for column in columns:
            for needle in self.needles():
                condition |= Q(**{f"{column}__icontains": needle})
            for pattern in self.phone_regexes():
                condition |= Q(**{f"{column}__regex": pattern})
        return condition


# Where text lives


def _model_label(model) -> str:
    """``app.model`` of ``model``, or of the model whose history it is."""
    if issubclass(model, HistoricalChanges):
        return model.instance_type._meta.label_lower
    return model._meta.label_lower


def _searched_models():
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.proxy or not model._meta.managed:
            continue
        if label in NOT_SEARCHED or model._meta.app_label in NOT_SEARCHED_APPS:
            continue
        yield model


def _text_fields(model) -> list[models.Field]:
    identity = IDENTITY_FIELDS.get(_model_label(model), set())
    return [
        model_field
        for model_field in model._meta.concrete_fields
        if isinstance(model_field, models.CharField | models.TextField | models.JSONField)
        and not model_field.choices
        and not model_field.primary_key
        and model_field.name not in identity
        and model_field.name not in DERIVED_FIELDS
    ]


def _redacted(value, traces: Traces, replacement: str):
    if isinstance(value, str):
        return traces.redact(value, replacement)
    if isinstance(value, dict):
        return {
            _redacted(key, traces, replacement): _redacted(item, traces, replacement) for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redacted(item, traces, replacement) for item in value]
    return value


def _fit(model_field, value):
    if isinstance(value, str) and getattr(model_field, "max_length", None):
        return value[: model_field.max_length]
    return value


def _with_suffix(model_field, value: str, number: int) -> str:
    suffix = f"-{number}" if isinstance(model_field, models.SlugField) else f" ({number})"
    limit = getattr(model_field, "max_length", None) or len(value) + len(suffix)
    return value[: limit - len(suffix)] + suffix


@dataclass
class _Redaction:
    traces: Traces
    replacement: str
    reason: str
    user: object
    changed: list[tuple[str, int]] = field(default_factory=list)  # live records blanked: (model label, pk)
    rows: int = 0
    people: set[int] = field(default_factory=set)  # whose search text to rebuild

    def model(self, model) -> None:
        fields = _text_fields(model)
        if not fields:
            return
        queryset = model._base_manager.all()
        columns = []
        for model_field in fields:
            if isinstance(model_field, models.JSONField):
                alias = f"erasure_{model_field.name}_text"
                queryset = queryset.alias(**{alias: Cast(model_field.name, TextField())})
                columns.append(alias)
            else:
                columns.append(model_field.name)
        candidates = queryset.filter(self.traces.condition(columns)).values("pk", *[f.attname for f in fields])
        for row in candidates.iterator():
            values = {}
            for model_field in fields:
                before = row[model_field.attname]
                replacement = SLUG_REDACTED if isinstance(model_field, models.SlugField) else self.replacement
                after = _fit(model_field, _redacted(before, self.traces, replacement))
                if after != before:
                    values[model_field] = after
            if values:
                self._write(model, row["pk"], values)

    def _write(self, model, pk, values: dict) -> None:
        for attempt in range(1, 21):
            named = {
                model_field.attname: _with_suffix(model_field, value, attempt)
                if attempt > 1 and isinstance(value, str)
                else value
                for model_field, value in values.items()
            }
            try:
                with transaction.atomic():
                    if issubclass(model, VersionedModel):
                        update_with_history(
                            model._default_manager.filter(pk=pk), user=self.user, reason=self.reason, **named
                        )
                    else:
                        model._base_manager.filter(pk=pk).update(**named)
                break
            except IntegrityError:
                # A unique name or slug now equal to another record's: numbered, as a person would have done.
                if attempt == 20:
                    raise
        self.rows += 1
        if not issubclass(model, HistoricalChanges):
            self.changed.append((model._meta.label_lower, pk))
            self._note_people(model, pk)

    def _note_people(self, model, pk) -> None:
        if model is Person:
            self.people.add(pk)
        elif model in (Position, ContactPoint, PressContact):
            self.people.update(model._base_manager.filter(pk=pk).values_list("person_id", flat=True))
        elif model._meta.label_lower == "clusters.organisation":
            self.people.update(Position.objects.filter(organisation_id=pk).values_list("person_id", flat=True))


def _searchable_text(value) -> str:
    """What a cached value or a stored file says, as text: a spreadsheet's cells, a CSV in any encoding."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        data = bytes(value)
        if data.startswith(b"PK\x03\x04"):
            return _zipped_text(data)
        for encoding in ("utf-8", "cp1252"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        return data.decode("utf-8", errors="replace")
    if isinstance(value, dict | list | tuple | set):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        return "\n".join(f"{_searchable_text(key)}\n{_searchable_text(item)}" for key, item in items)
    return str(value)


def _zipped_text(data: bytes) -> str:
    """The text of an XLSX workbook (or any zip of text files), read member by member within a bound."""
    texts = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.infolist():
                if member.file_size > MAX_SCANNED_FILE_BYTES:
                    texts.append(member.filename)  # too large to read: the traces are searched in its name only
                    continue
                with archive.open(member) as stream:
                    texts.append(stream.read(MAX_SCANNED_FILE_BYTES).decode("utf-8", errors="replace"))
    except zipfile.BadZipFile:
        return data.decode("utf-8", errors="replace")
    return "\n".join(re.sub(r"<[^>]+>", " ", text) for text in texts)


def _stored_files(directory: str = ""):
    try:
        folders, files = default_storage.listdir(directory)
    except (FileNotFoundError, NotImplementedError):
        return
    for name in files:
        yield f"{directory}/{name}" if directory else name
    for folder in folders:
        yield from _stored_files(f"{directory}/{folder}" if directory else folder)


def _remove_stored_files(traces: Traces) -> int:
    """Stored files naming the person (exports, uploads) go: a file cannot be blanked in place."""
    removed = 0
    for name in list(_stored_files()):
        with default_storage.open(name, "rb") as stored:
            data = stored.read(MAX_SCANNED_FILE_BYTES)
        if traces.found_in(name) or traces.found_in(_searchable_text(data)):
            default_storage.delete(name)
            # An export job that offered it no longer does.
            Job.objects.filter(file=name).transition(file="")
            removed += 1
    return removed


def _remove_cached(traces: Traces) -> int:
    """Cached values naming the person go: ``core.cache``. (A file uploaded for an import is a stored file.)"""
    delete_matching = getattr(cache, "delete_matching", None)
    if delete_matching is None:
        return 0
    return delete_matching(lambda value: traces.found_in(_searchable_text(value)))


@dataclass
class ErasureReport:
    """What an erasure removed: model verbose name (plural) → rows, the texts blanked, the files and cached
    values removed."""

    removed: dict[str, int] = field(default_factory=dict)
    documents_redacted: int = 0
    files_removed: int = 0
    cached_removed: int = 0
    already_erased: bool = False

    def summary(self) -> str:
        parts = [
            _("%(name)s: %(count)s") % {"name": name, "count": count} for name, count in self.removed.items() if count
        ]
        if self.documents_redacted:
            parts.append(
                _("texts where the name, address or number was blanked: %(count)s") % {"count": self.documents_redacted}
            )
        if self.files_removed:
            parts.append(_("stored files removed: %(count)s") % {"count": self.files_removed})
        if self.cached_removed:
            parts.append(_("cached values removed: %(count)s") % {"count": self.cached_removed})
        return "; ".join(parts) or _("nothing left to erase")


def anonymised_slug() -> str:
    slug = f"{ANONYMISED_SLUG_PREFIX}{secrets.token_hex(8)}"
    while Person._base_manager.filter(slug=slug).exists():
        slug = f"{ANONYMISED_SLUG_PREFIX}{secrets.token_hex(8)}"
    return slug


def find_erasable(key: str) -> int | None:
    """The record number of the person ``key`` names: a slug or a record number, of a person who exists or was
    deleted (found in the history). None if no person ever had it."""
    person = Person._base_manager.filter(slug=key).values_list("pk", flat=True).first()
    if person is None and key.isdigit():
        person = Person._base_manager.filter(pk=int(key)).values_list("pk", flat=True).first()
    if person is None:
        history = Person.history.filter(slug=key)
        if key.isdigit():
            history = history | Person.history.filter(id=int(key))
        person = history.values_list("id", flat=True).first()
    return person


def _delete_history_of(person_id: int, erased: str) -> None:
    """The person's history and the histories of what was deleted with them, bar an earlier erasure's entry."""
    Person.history.filter(id=person_id).exclude(history_change_reason=erased).delete()
    for model in erased_with_the_person():
        if hasattr(model, "history"):  # a link with no history of its own (the people an interaction involved)
            model.history.filter(person_id=person_id).delete()


def _delete_admin_log(person_id: int, records: list[tuple[str, int]], erased: str) -> None:
    entries = Q(content_type=ContentType.objects.get_for_model(Person), object_id=str(person_id))
    by_label: dict[str, list[str]] = {}
    for label, pk in records:
        by_label.setdefault(label, []).append(str(pk))
    for label, pks in by_label.items():
        model = apps.get_model(label)
        entries |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=pks)
    LogEntry.objects.filter(entries).exclude(change_message=erased).delete()


@transaction.atomic
def erase_person(*, person: Person | None = None, person_id: int | None = None, user=None) -> ErasureReport:
    """Erase a person's personal data (GDPR, right to erasure) and keep the non-personal facts.

    ``person`` (a record that exists) or ``person_id`` (also the record number of a person deleted since, found
    in the history: ``find_erasable``). The person stays as an anonymised record, so that the agreements they
    signed stay signed (by an "anonymised signatory") and the quotes stay attributed to someone; everything else
    about them goes: their name, notes, tags, contact points, positions, press-contact roles, list entries,
    invitations, the provenance of their record, their history and the admin's log of them; and every name they
    went by, every address and every number they had, wherever the CRM keeps text — other records' notes and
    descriptions, press releases, quotes, the earlier versions of all of them, the admin's log, the exports' logged
    searches, the cache and the stored files. An ``Erasure`` keeps the seed loader from bringing them back. One
    history entry says who erased them and when. See docs/privacy.md."""
    person_id = person.pk if person is not None else person_id
    live = Person._base_manager.select_for_update().filter(pk=person_id).first()
    if live is None and not Person.history.filter(id=person_id).exists():
        raise Person.DoesNotExist(_("No person has ever had the record number %(id)s.") % {"id": person_id})
    traces = Traces.of(person_id)
    # Stored in the site's language, as a member of staff would have typed it.
    with translation.override(settings.LANGUAGE_CODE):
        replacement, erased = str(REDACTED), str(ERASED_MESSAGE)
    report = ErasureReport(already_erased=live is not None and live.is_anonymised)

    records: list[tuple[str, int]] = []
    for _receiver, deleted in person_erasing.send(sender=Person, person_id=person_id):
        records += deleted or []
    for model in erased_with_the_person():
        rows = list(model._base_manager.filter(person_id=person_id))
        for row in rows:
            records.append((model._meta.label_lower, row.pk))
            row.delete()  # one by one: the history and provenance receivers see each deletion
        report.removed[str(model._meta.verbose_name_plural)] = len(rows)
    if live is not None:
        apps.get_model("agreements", "Provenance").objects.for_object(live).delete()
    _delete_admin_log(person_id, records, erased)
    _delete_history_of(person_id, erased)

    if live is not None:
        left = live.notes or live.given_name or live.source_detail or not live.do_not_contact or live.tags.exists()
        if not live.is_anonymised or left:
            with translation.override(settings.LANGUAGE_CODE):
                live.family_name = str(ANONYMISED_NAME)
            live.given_name = ""
            if not live.is_anonymised:
                live.slug = anonymised_slug()
            live.notes = ""
            live.source_detail = ""
            live.do_not_contact = True
            live._history_user = user
            live._change_reason = erased
            live.save()
            live.tags.clear()
            records.append((Person._meta.label_lower, live.pk))

    redaction = _Redaction(traces=traces, replacement=replacement, reason=erased, user=user)
    if traces:
        for model in _searched_models():
            redaction.model(model)
        report.files_removed = _remove_stored_files(traces)
        report.cached_removed = _remove_cached(traces)
    report.documents_redacted = redaction.rows
    refresh_search_text(redaction.people | {person_id})
    export_lines.forget(redaction.people | {person_id})

    if report.already_erased and not any(report.removed.values()) and not records and not redaction.rows:
        return report  # erased already, and nothing was added since
    Erasure.objects.create(
        person_id=person_id, erased_by=user, records=[list(record) for record in [*records, *redaction.changed]]
    )
    if user is not None:
        LogEntry.objects.create(
            user=user,
            content_type=ContentType.objects.get_for_model(Person),
            object_id=str(person_id),
            object_repr=str(ANONYMISED_NAME)[:200],
            action_flag=CHANGE,
            change_message=erased,
            action_time=timezone.now(),
        )
    return report


def erased_records() -> tuple[set[int], set[tuple[str, int]]]:
    """The record numbers of the people erased, and every record their erasures deleted or blanked: what the
    seed loader must not load again."""
    people, records = set(), set()
    for person_id, erased in Erasure.objects.values_list("person_id", "records"):
        people.add(person_id)
        records.update((label, pk) for label, pk in erased)
    return people, records
