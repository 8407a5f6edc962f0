"""Every change kept, none lost: the history of records and the version check that refuses a stale save.

The records staff edit (organisations, people, positions, contact points, memberships, agreements, their parties
and signatories) carry ``history = HistoricalRecords()`` (django-simple-history: one row per change, with who
and when) and inherit ``VersionedModel``: a ``version`` number that each save raises by one. A form or an API
call that started from version 3 may only save over version 3; if someone saved meanwhile, the save is refused
and ``changes_since()`` tells what that person changed.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, router, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords

# Restoring a deleted record brings back the records deleted with it (a person's positions and contact points):
# those whose deletion was recorded within this time of the record's own.
DELETED_TOGETHER = timedelta(seconds=5)

# The change reason of the first history entry of a row loaded from fixtures, followed by their names
# ("loaddata seed"): a code, not a sentence, so that the pages can name the loader in the reader's language.
LOADED_BY = "loaddata"
SEED_FIXTURE = "seed"
_fixtures_loading: ContextVar[tuple[str, ...]] = ContextVar("fixtures_loading", default=())


@contextmanager
def loading_fixtures(labels: Iterable[str]) -> Iterator[None]:
    """Within it, the rows that ``loaddata`` writes start their history as loaded from the fixtures ``labels``."""
    token = _fixtures_loading.set(tuple(labels))
    try:
        yield
    finally:
        _fixtures_loading.reset(token)


def loader_name(reason: str) -> str:
    """Who wrote a history entry whose change reason is ``reason``, when a fixture load did; else ""."""
    if reason == f"{LOADED_BY} {SEED_FIXTURE}":
        return _("the seed loader")
    if reason == LOADED_BY or reason.startswith(f"{LOADED_BY} "):
        return _("the fixture loader (%(command)s)") % {"command": reason}
    return ""


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Change:
    """One entry of a record's history, as the history sections of the pages show it."""

    when: datetime
    who: str
    action: str
    record: str
    fields: tuple[FieldChange, ...]
    reason: str = ""
    version: int | None = None

    def __str__(self):
        who = self.who or _("someone unknown")
        when = date_format(localtime(self.when), "DATETIME_FORMAT")
        described = "; ".join(_("%(label)s: “%(old)s” → “%(new)s”") % vars(change) for change in self.fields)
        return _("%(when)s, %(who)s: %(what)s") % {"when": when, "who": who, "what": described or self.action}


class StaleRecordError(ValidationError):
    """Someone saved the record after the person saving now had loaded it."""

    def __init__(self, instance, seen_version: int):
        self.instance = instance
        self.seen_version = seen_version
        self.changes = changes_since(instance, seen_version)
        super().__init__(stale_message(instance, self.changes), code="stale")


class DeletedRecordError(StaleRecordError):
    """Someone deleted the record after the person saving now had loaded it: the save would bring it back."""

    def __init__(self, instance, seen_version: int):
        self.instance = instance
        self.seen_version = seen_version
        self.changes = []
        ValidationError.__init__(self, deleted_message(instance), code="deleted")


def stale_message(instance, changes: list[Change]) -> str:
    message = _(
        "Someone else changed this %(record)s while you were editing it; your changes were not saved. "
        "Reload the page to see the current version, then make your changes again."
    ) % {"record": instance._meta.verbose_name}
    if changes:
        message += " " + _("Changed meanwhile: %(changes)s.") % {"changes": " — ".join(str(c) for c in changes)}
    return message


def deleted_message(instance) -> str:
    return _(
        "This %(record)s was deleted while you were editing it; your changes were not saved, and it was not "
        "brought back."
    ) % {"record": instance._meta.verbose_name}


def _auto_now_fields(model) -> set[str]:
    return {field.name for field in model._meta.concrete_fields if getattr(field, "auto_now", False)}


class VersionedQuerySet(models.QuerySet):
    """A QuerySet whose ``update()`` raises the version of every row it changes (and stamps ``updated_at``), so
    that a service's bulk change is seen by every form and API client holding the older version."""

    def update(self, **kwargs):
        kwargs.setdefault("version", F("version") + 1)
        for name in _auto_now_fields(self.model):
            kwargs.setdefault(name, timezone.now())
        return super().update(**kwargs)

    update.alters_data = True


class VersionedModel(models.Model):
    """A record that refuses to be saved over a version its editor did not see (optimistic concurrency).

    Every write raises the version: a save (``update_fields`` or not), and an ``update()`` through the model's
    managers (``VersionedQuerySet``). A save of a record that someone deleted meanwhile is refused
    (``DeletedRecordError``) rather than turned into an INSERT that would bring it back.
    """

    version = models.PositiveIntegerField(
        gettext_lazy("version"),
        default=1,
        help_text=gettext_lazy(
            "Raised by one at each change. A change made from an older version is refused instead of "
            "overwriting what someone else saved meanwhile."
        ),
    )

    objects = VersionedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or self.pk is None or kwargs.get("force_insert"):
            return super().save(*args, **kwargs)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version", *_auto_now_fields(type(self))}
        seen = self.version
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        rows = type(self)._base_manager.using(using).filter(pk=self.pk)
        with transaction.atomic(using=using):
            # The conditional UPDATE locks the row: of two saves from the same version, the second finds none.
            if not rows.filter(version=seen).update(version=F("version") + 1):
                if rows.exists():
                    raise StaleRecordError(self, seen)
                raise DeletedRecordError(self, seen)
            self.version = seen + 1
            try:
                return super().save(*args, **kwargs)
            except BaseException:
                self.version = seen
                raise

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True):
        super().full_clean(exclude=exclude, validate_unique=validate_unique, validate_constraints=validate_constraints)
        if "version" not in (exclude or ()) and not self._state.adding and self.pk is not None:
            current = type(self)._base_manager.filter(pk=self.pk).values_list("version", flat=True).first()
            if current is None:
                raise DeletedRecordError(self, self.version)
            if current != self.version:
                raise StaleRecordError(self, self.version)


def update_with_history(queryset, *, user=None, reason: str = "", **values) -> int:
    """``queryset.update(**values)`` that also raises each row's version and writes each row's history entry, as
    a save would: for services that change many rows at once (dues paid, attendance, an erasure's redactions).
    Returns how many rows changed."""
    model = queryset.model
    with transaction.atomic(using=queryset.db):
        keys = list(queryset.select_for_update().values_list("pk", flat=True))
        if not keys:
            return 0
        rows = model._default_manager.filter(pk__in=keys)
        count = rows.update(**values)
        if hasattr(model, "history"):
            model.history.bulk_history_create(list(rows), update=True, default_user=user, default_change_reason=reason)
    return count


def _field(model, name: str):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # a field since removed from the model
        return None


def _shown(model_field, value, related: dict) -> str:
    if value is None or value == "":
        return "—"
    if model_field is not None and model_field.is_relation:
        return str(related.get((model_field.related_model, value), f"#{value}"))
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return str(value)


HIDDEN_FIELDS = {"version", "updated_at", "created_at", "search_text"}

ACTIONS = {"+": gettext_lazy("created"), "~": gettext_lazy("changed"), "-": gettext_lazy("deleted")}


def describe(records) -> list[Change]:
    """The changes recorded in ``records`` (historical rows of one or several records, any order), newest first.

    Each change is compared with the same record's previous entry among ``records``, so that describing a
    history costs no query per entry (and one per kind of record a changed foreign key points at); give it the
    whole history of the records concerned.
    """
    records = sorted(records, key=lambda r: (r.history_date, r.history_id))
    previous = {}
    entries = []
    for record in records:
        model = record.instance_type
        key = (model, record.id)
        before = previous.get(key)
        previous[key] = record
        deltas = []
        if before is not None and record.history_type == "~":
            excluded = [f.name for f in model._meta.fields if f.name in HIDDEN_FIELDS]
            deltas = [
                (_field(model, change.field), change)
                for change in record.diff_against(before, excluded_fields=excluded).changes
            ]
            if not deltas:
                continue
        entries.append((record, model, deltas))

    wanted = defaultdict(set)
    for _record, _model, deltas in entries:
        for model_field, change in deltas:
            if model_field is not None and model_field.is_relation:
                wanted[model_field.related_model] |= {change.old, change.new} - {None}
    related = {
        (related_model, pk): instance
        for related_model, pks in wanted.items()
        for pk, instance in related_model._base_manager.in_bulk(pks).items()
    }

    changes = []
    for record, model, deltas in reversed(entries):
        user = record.history_user
        reason = record.history_change_reason or ""
        loader = "" if user else loader_name(reason)
        changes.append(
            Change(
                when=record.history_date,
                who=(user.get_full_name() or user.get_username()) if user else loader,
                action=str(ACTIONS.get(record.history_type, record.history_type)),
                record=_("%(kind)s “%(name)s”") % {"kind": model._meta.verbose_name, "name": record.history_object},
                fields=tuple(
                    FieldChange(
                        str(model_field.verbose_name) if model_field is not None else change.field,
                        _shown(model_field, change.old, related),
                        _shown(model_field, change.new, related),
                    )
                    for model_field, change in deltas
                ),
                reason="" if loader else reason,
                version=getattr(record, "version", None),
            )
        )
    return changes


def history_of(instance, *, dependants=(), limit: int = 50) -> list[Change]:
    """The latest changes of ``instance`` and of the records that point at it through ``dependants``
    (``(model, field name)`` pairs, such as a person's positions), newest first."""
    records = list(type(instance).history.filter(id=instance.pk).select_related("history_user"))
    for model, field_name in dependants:
        records += model.history.filter(**{field_name: instance.pk}).select_related("history_user")
    return describe(records)[:limit]


def changes_since(instance, version: int) -> list[Change]:
    """What was changed in ``instance``'s record after ``version``, oldest first."""
    records = type(instance).history.filter(id=instance.pk, version__gte=version).select_related("history_user")
    return [change for change in reversed(describe(records)) if (change.version or 0) > version]


def deleted_records(model, *, limit: int = 200):
    """The latest deletion entry of each record of ``model`` that no longer exists, newest first."""
    history_model = model.history.model
    latest = history_model.objects.filter(id=models.OuterRef("id")).order_by("-history_date", "-history_id")
    return (
        history_model.objects.filter(history_type="-")
        .exclude(id__in=model._base_manager.values("pk"))
        .filter(history_id=models.Subquery(latest.values("history_id")[:1]))
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )


def _dependants(model):
    """The tracked models whose rows are deleted with a row of ``model`` (foreign keys with CASCADE)."""
    for relation in model._meta.related_objects:
        if relation.one_to_many and relation.on_delete is models.CASCADE and hasattr(relation.related_model, "history"):
            yield relation.related_model, relation.field.attname


@transaction.atomic
def restore_deleted(model, pk, *, user=None) -> models.Model:
    """Brings a deleted record back as it was when deleted, with the tracked records deleted along with it."""
    deletion = model.history.filter(id=pk).order_by("-history_date", "-history_id").first()
    if deletion is None or deletion.history_type != "-" or model._base_manager.filter(pk=pk).exists():
        raise ValidationError(_("This record was not deleted, or its history was erased: it cannot be restored."))
    instance = _restore(deletion, user=user)
    since = deletion.history_date - DELETED_TOGETHER
    for dependant, attname in _dependants(model):
        rows = dependant.history.filter(**{attname: pk}, history_type="-", history_date__gte=since)
        for row in rows.order_by("history_date"):
            if not dependant._base_manager.filter(pk=row.id).exists():
                _restore(row, user=user)
    return instance


def _restore(deletion, *, user) -> models.Model:
    instance = deletion.instance
    instance._state.adding = True
    instance._history_user = user
    if isinstance(instance, VersionedModel):
        instance.version = (deletion.version or 0) + 1
    instance._change_reason = _("restored")
    instance.save(force_insert=True)
    return instance


class CachedHistoryDescriptor(HistoryDescriptor):
    """simple-history's ``Model.history``, whose manager class is built once rather than at each access (which
    cost 0.7 ms, at every save of a record)."""

    @cached_property
    def bound_manager_class(self):
        return self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance, owner):
        return self.bound_manager_class(self.model, instance)


class KeptHistory(HistoricalRecords):
    """django-simple-history's records, which also start the history of rows loaded from fixtures (the seed),
    once, so that later changes can be compared with what was loaded."""

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        descriptor = sender.__dict__.get(self.manager_name)
        if isinstance(descriptor, HistoryDescriptor) and not isinstance(descriptor, CachedHistoryDescriptor):
            cached = CachedHistoryDescriptor(
                descriptor.model, manager=descriptor.manager_class, queryset=descriptor.queryset_class
            )
            setattr(sender, self.manager_name, cached)

    def get_meta_options(self, model):
        # simple-history names them "historical <name>" in English only: these names are translatable.
        options = super().get_meta_options(model)
        options["verbose_name"] = format_lazy(gettext_lazy("history: {}"), model._meta.verbose_name)
        options["verbose_name_plural"] = format_lazy(gettext_lazy("histories: {}"), model._meta.verbose_name_plural)
        return options

    def post_save(self, instance, created, using=None, **kwargs):
        if kwargs.get("raw") and not getattr(type(instance), self.manager_name).filter(id=instance.pk).exists():
            # No user loads a fixture: the reason says what did, for the pages to name it (``loader_name``).
            instance._change_reason = " ".join((LOADED_BY, *_fixtures_loading.get()))[:100]
            self.create_historical_record(instance, "+", using=using)
            return
        super().post_save(instance, created, using=using, **kwargs)
