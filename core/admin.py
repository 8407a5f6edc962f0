"""The back office side of core.history: each record's history, deleted records and their restoration, and
change forms that refuse to save over a version their user did not see."""

from collections.abc import Callable
from typing import NamedTuple

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from .admin_widgets import CheckedKeysAutocompleteMixin
from .history import DeletedRecordError, StaleRecordError, deleted_records, restore_deleted


def _with_version(fieldsets):
    """``fieldsets`` with the hidden version field added to the first one (a new list: the class's is shared)."""
    fieldsets = [(name, dict(options)) for name, options in fieldsets]
    if fieldsets and "version" not in admin.utils.flatten_fieldsets(fieldsets):
        name, options = fieldsets[0]
        options["fields"] = [*options["fields"], "version"]
    return fieldsets


class VersionedFormMixin(CheckedKeysAutocompleteMixin):
    """Change forms and inline rows carry the version they were loaded at, so that a stale save is refused. Every
    admin and inline of the project has it (``HistoryAdmin`` for the admins): their autocomplete boxes are safe
    with any posted key too."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        return _with_version(fieldsets)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "version":
            return db_field.formfield(widget=forms.HiddenInput, required=False)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class HistoryAdmin(VersionedFormMixin, SimpleHistoryAdmin):
    """A model admin for a record whose changes are kept: its history, its deleted records, restoring them."""

    deleted_records_template = "admin/core/deleted_records.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_records_view),
                name="{}_{}_deleted".format(*info),
            ),
            *super().get_urls(),
        ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleRecordError as error:
            # Someone saved between this form's checks and its save, or deleted the record: nothing was written
            # (the view's transaction rolled back); the form is shown again from the current version.
            self.message_user(request, error.message, messages.ERROR)
            if isinstance(error, DeletedRecordError):
                return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))
            return HttpResponseRedirect(request.get_full_path())
        except IntegrityError:
            # The form checked the unique rules; another user saved the same values (a slug) in between.
            self.message_user(
                request,
                _(
                    "Another record with the same identifying values was saved at the same moment; nothing was "
                    "written. Check the values and save again."
                ),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "deleted_records_url": reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_deleted"
            ),
        }
        return super().changelist_view(request, extra_context)

    def deleted_records_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        may_restore = self.has_add_permission(request)
        if request.method == "POST":
            if not may_restore:
                raise PermissionDenied
            return self._restore(request, request.POST.get("record", ""))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Deleted %(name)s") % {"name": self.opts.verbose_name_plural},
            "records": deleted_records(self.model),
            "may_restore": may_restore,
        }
        return TemplateResponse(request, self.deleted_records_template, context)

    def _restore(self, request, pk):
        back = request.get_full_path()
        try:
            pk = int(pk)
            instance = restore_deleted(self.model, pk, user=request.user)
        except (ValueError, ValidationError) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else _("Choose a record to restore.")
            self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(back)
        self.log_addition(request, instance, [{"added": {}}])
        self.message_user(
            request,
            _("“%(record)s” was restored, with what was deleted along with it.") % {"record": instance},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change", args=[instance.pk])
        )


def admin_link(obj, text=None):
    """A link to the admin change page of ``obj``, labelled ``text`` (its ``str`` by default)."""
    if obj is None:
        return None
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, obj if text is None else text)


def admin_links(rows, separator=", "):
    """Several ``(obj, text)`` pairs as links to their change pages, or None (shown as "-") when there are none."""
    links = [admin_link(obj, text) for obj, text in rows]
    if not links:
        return None
    return format_html_join(separator, "{}", ((link,) for link in links))


def admin_link_list(rows):
    """``(obj, text)`` pairs as a bulleted list of links, for the related records shown on a change form."""
    links = [admin_link(obj, text) for obj, text in rows]
    if not links:
        return None
    return format_html(
        '<ul class="related-records">{}</ul>', format_html_join("", "<li>{}</li>", ((link,) for link in links))
    )


class RowRule(NamedTuple):
    """Among the rows where ``applies(cleaned_data)`` holds, one per ``key``; a second one gets ``message``."""

    field: str
    key: tuple[str, ...]
    applies: Callable[[dict], bool]
    message: str


class RowRulesFormSet(BaseInlineFormSet):
    """Checks conditional unique constraints across the rows of an inline before anything is saved.

    Django's formsets compare rows only for plain unique constraints; two rows that a conditional one forbids
    together (two primary positions, two head offices) would otherwise reach the database and fail there.
    """

    row_rules: tuple[RowRule, ...] = ()

    def clean(self):
        super().clean()
        for rule in self.row_rules:
            seen = set()
            for form in self.forms:
                cleaned = getattr(form, "cleaned_data", None)
                if not cleaned or cleaned.get("DELETE") or not rule.applies(cleaned):
                    continue
                key = tuple(cleaned.get(name) for name in rule.key)
                if key in seen:
                    form.add_error(rule.field, rule.message)
                seen.add(key)


class RelatedRecordsMixin:
    """Read-only fields that list related records, each linked to its change page."""

    def related_links(self, rows):
        return admin_link_list(rows) or self.get_empty_value_display()


class RecordSubtitleMixin:
    """Change forms show ``record_subtitle(obj)`` under the title, for models whose ``__str__`` says little.

    ``__str__`` never follows a foreign key (that would be an N+1 on every list); a single change form can.
    """

    def record_subtitle(self, obj):
        return str(obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["subtitle"] = self.record_subtitle(obj)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)


class SlugFixedOnceSavedMixin:
    """The slug is the record's natural key (fixtures and addresses use it): typed once, read-only afterwards."""

    slug_prepopulated_from = ("name",)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "slug"] if obj is not None else fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None else {"slug": self.slug_prepopulated_from}
