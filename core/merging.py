"""Merging two records of the same model into one, losing nothing that pointed at either.

``merge_records(keep=a, other=b)`` moves to ``a`` every row that pointed at ``b`` — foreign keys, many-to-many
links, generic foreign keys (provenance) — then deletes ``b``. It knows no model by name, so that a relation
added later is merged too (``tests/test_merging.py`` checks that every relation is covered). Where moving a row
would break a unique rule, the row is one of these:

- a duplicate of a row ``a`` already has (the same email twice, the same agreement signed twice): it is merged
  into that twin, recursively, so that what pointed at it is kept, then deleted;
- a second "main" row (two primary positions, two head offices): the model's ``merge_demotion`` (field values,
  ``{"is_primary": False}``) makes it an ordinary one, and it moves;
- a row that would now point twice at ``a`` (a membership of itself): it makes no sense any more and is deleted.

Blank fields of ``a`` are filled from ``b``. Callers add what is particular to a model (``merge_people``,
``merge_organisations``) and run it in a transaction.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from simple_history.utils import update_change_reason


@dataclass
class MergeReport:
    moved: Counter = field(default_factory=Counter)  # verbose name plural -> rows now pointing at the kept record
    merged: Counter = field(default_factory=Counter)  # duplicates folded into the kept record's own rows
    dropped: Counter = field(default_factory=Counter)  # rows that would point at the kept record twice

    def summary(self) -> str:
        parts = [
            _("%(name)s: %(count)s") % {"name": name, "count": count} for name, count in sorted(self.moved.items())
        ]
        parts += [
            _("%(name)s merged with the kept record's own: %(count)s") % {"name": name, "count": count}
            for name, count in sorted(self.merged.items())
        ]
        return "; ".join(parts)


def _is_blank(value) -> bool:
    return value is None or value == "" or value == []


def _fill_blanks(keep, other) -> list[str]:
    filled = []
    for model_field in keep._meta.concrete_fields:
        if model_field.primary_key or model_field.is_relation or not model_field.editable:
            continue
        if model_field.unique:
            continue
        name = model_field.attname
        if _is_blank(getattr(keep, name)) and not _is_blank(getattr(other, name)):
            setattr(keep, name, getattr(other, name))
            filled.append(name)
    return filled


def _unique_conflict(row) -> models.UniqueConstraint | None:
    """The first unique rule ``row`` breaks as it stands, if any."""
    for constraint in row._meta.total_unique_constraints + [
        c for c in row._meta.constraints if isinstance(c, models.UniqueConstraint) and c.condition is not None
    ]:
        try:
            constraint.validate(type(row), row, exclude=None)
        except ValidationError:
            return constraint
    return None


def _twin(row, constraint: models.UniqueConstraint):
    values = {name: getattr(row, row._meta.get_field(name).attname) for name in constraint.fields}
    twins = type(row)._default_manager.filter(**{row._meta.get_field(n).attname: v for n, v in values.items()})
    if constraint.condition is not None:
        twins = twins.filter(constraint.condition)
    return twins.exclude(pk=row.pk).first()


def _references_to(row, keep) -> list:
    return [
        model_field
        for model_field in row._meta.concrete_fields
        if model_field.is_relation
        and model_field.related_model is type(keep)
        and getattr(row, model_field.attname) == keep.pk
    ]


def _identical_twin(row):
    """Another row with the same values as ``row``, bar its primary key, timestamps and demoted fields:
    the same title at the same organisation, held twice."""
    skipped = set(getattr(row, "merge_demotion", {}))
    values = {
        model_field.attname: getattr(row, model_field.attname)
        for model_field in row._meta.concrete_fields
        if not model_field.primary_key
        and model_field.name not in skipped
        and not getattr(model_field, "auto_now", False)
        and not getattr(model_field, "auto_now_add", False)
    }
    return type(row)._default_manager.filter(**values).exclude(pk=row.pk).first()


def _move(row, set_reference, keep, report: MergeReport) -> None:
    """Point ``row`` at ``keep`` (``set_reference`` does it), resolving the unique rules it then breaks."""
    label = str(row._meta.verbose_name_plural)
    set_reference(row)
    references = _references_to(row, keep)
    if len(references) > 1:
        optional = [model_field for model_field in references if model_field.null]
        if not optional:
            # A membership or a relation of the kept record with itself.
            row.delete()
            report.dropped[label] += 1
            return
        # "Present in the region through itself": the optional reference goes, the row stays.
        setattr(row, optional[0].attname, None)
    constraint = _unique_conflict(row)
    if constraint is not None and constraint.condition is not None:
        for name, value in getattr(row, "merge_demotion", {}).items():
            setattr(row, name, value)
        constraint = _unique_conflict(row)
    twin = _twin(row, constraint) if constraint is not None else _identical_twin(row)
    if twin is not None:
        _merge_into(keep=twin, other=row, report=report)
        report.merged[label] += 1
        return
    row.save()
    report.moved[label] += 1


def _generic_foreign_keys():
    for model in apps.get_models():
        for private_field in model._meta.private_fields:
            if isinstance(private_field, GenericForeignKey):
                yield model, private_field


def _merge_into(*, keep, other, report: MergeReport) -> None:
    model = type(keep)
    for relation in model._meta.related_objects:
        related_model, related_field = relation.related_model, relation.field
        if relation.many_to_many:
            if not related_field.remote_field.through._meta.auto_created:
                continue  # A through model: its rows are moved as the foreign keys they are.
            for obj in related_model._default_manager.filter(**{related_field.name: other}):
                getattr(obj, related_field.name).add(keep)
                getattr(obj, related_field.name).remove(other)
                report.moved[str(related_model._meta.verbose_name_plural)] += 1
            continue
        name = related_field.name
        for row in list(related_model._default_manager.filter(**{name: other})):
            _move(row, lambda row, name=name: setattr(row, name, keep), keep, report)
    for many_to_many in model._meta.many_to_many:
        if many_to_many.remote_field.through._meta.auto_created:
            getattr(keep, many_to_many.name).add(*getattr(other, many_to_many.name).all())
    content_type = ContentType.objects.get_for_model(model)
    for generic_model, generic_field in _generic_foreign_keys():
        rows = generic_model._default_manager.filter(
            **{generic_field.ct_field: content_type, generic_field.fk_field: other.pk}
        )
        for row in list(rows):
            _move(row, lambda row, f=generic_field.fk_field: setattr(row, f, keep.pk), keep, report)
    _fill_blanks(keep, other)
    keep.save()
    other.delete()


def rows_to_move(record) -> int:
    """How many rows point at ``record``: what merging it into another record moves, one by one (each checked
    for a twin). An organisation's hundred thousand positions took eight minutes at a million people."""
    model = type(record)
    total = 0
    for relation in model._meta.related_objects:
        related_model, related_field = relation.related_model, relation.field
        if relation.many_to_many and not related_field.remote_field.through._meta.auto_created:
            continue  # its through model's rows are counted as the foreign keys they are
        total += related_model._default_manager.filter(**{related_field.name: record}).count()
    content_type = ContentType.objects.get_for_model(model)
    for generic_model, generic_field in _generic_foreign_keys():
        total += generic_model._default_manager.filter(
            **{generic_field.ct_field: content_type, generic_field.fk_field: record.pk}
        ).count()
    return total


def merges_in_background(other) -> bool:
    """Whether merging ``other`` into another record is long work, for a worker (MERGE_DIRECT_MAX_ROWS)."""
    return rows_to_move(other) > settings.MERGE_DIRECT_MAX_ROWS


def check_mergeable(keep, other) -> None:
    if type(keep) is not type(other):
        raise ValueError(_("Only two records of the same kind can be merged."))
    if keep.pk == other.pk:
        raise ValueError(_("A record cannot be merged with itself."))


def merge_records(*, keep, other) -> MergeReport:
    """Merge ``other`` into ``keep`` (two records of the same model) and delete ``other``."""
    check_mergeable(keep, other)
    report = MergeReport()
    with transaction.atomic():
        _merge_into(keep=keep, other=other, report=report)
    return report


def record_merge(*, user, keep, other_name: str, other_pk, report: MergeReport) -> None:
    """Keep the merge in the kept record's history (the admin's "History" page)."""
    message = _("Merged with “%(name)s” (#%(pk)s), which was deleted. %(summary)s") % {
        "name": other_name,
        "pk": other_pk,
        "summary": report.summary(),
    }
    LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(type(keep)),
        object_id=str(keep.pk),
        object_repr=str(keep)[:200],
        action_flag=CHANGE,
        change_message=message.strip(),
    )
    if hasattr(type(keep), "history"):
        update_change_reason(keep, message.strip())


def merge_and_describe(merge, *, keep, other, user) -> str:
    """Merge with ``merge`` (a merge service) and say what happened, for the message shown to the user."""
    other_name = str(other)
    report = merge(keep=keep, other=other, user=user)
    return _("“%(other)s” was merged into “%(keep)s”. %(summary)s") % {
        "other": other_name,
        "keep": keep,
        "summary": report.summary(),
    }


def merge_by_keys(merge, model, *, keep_pk, other_pk, user):
    """``merge_and_describe`` for two records named by their keys, as a merge job has them: ``(message, kept
    record)``, or None when one of the two, or the person merging, no longer exists."""
    keep = model.objects.filter(pk=keep_pk).first()
    other = model.objects.filter(pk=other_pk).first()
    if keep is None or other is None or user is None:
        return None
    return merge_and_describe(merge, keep=keep, other=other, user=user), keep


def merge_started_message(job) -> str:
    return format_html(
        '{} <a href="{}">{}</a>',
        _("The merge has many rows to move: a worker does it."),
        job.get_absolute_url(),
        _("Follow it in “My exports and imports”."),
    )


def merge_action(merge, description, *, in_background):
    """An admin action that merges the two records selected, after asking which one to keep.

    ``merge`` is the model's merge service (``merge_people``, ``merge_organisations``); ``in_background(keep=…,
    other=…, user=…)`` starts the same merge as a job and returns it, for a record with more rows to move than
    a request should (``merges_in_background``)."""

    @admin.action(description=description, permissions=["change", "delete"])
    def merge_selected(modeladmin, request, queryset):
        records = list(queryset[:3])
        if len(records) != 2:
            modeladmin.message_user(request, _("Select exactly two records to merge."), messages.WARNING)
            return None
        kept = request.POST.get("keep")
        if kept in {str(record.pk) for record in records}:
            keep, other = records if str(records[0].pk) == kept else records[::-1]
            if merges_in_background(other):
                job = in_background(keep=keep, other=other, user=request.user)
                modeladmin.message_user(request, merge_started_message(job), messages.SUCCESS)
                return None
            message = merge_and_describe(merge, keep=keep, other=other, user=request.user)
            modeladmin.message_user(request, message, messages.SUCCESS)
            return None
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": _("Merge two records"),
            "records": records,
            "opts": modeladmin.model._meta,
            "action": request.POST.get("action", ""),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/core/merge.html", context)

    return merge_selected
