"""The back office side of crm.history: each record's history, deleted records and their restoration, and
change forms that refuse to save over a version their user did not see."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from .history import DeletedRecordError, StaleRecordError, deleted_records, restore_deleted


def _with_version(fieldsets):
    """``fieldsets`` with the hidden version field added to the first one (a new list: the class's is shared)."""
    fieldsets = [(name, dict(options)) for name, options in fieldsets]
    if fieldsets and "version" not in admin.utils.flatten_fieldsets(fieldsets):
        name, options = fieldsets[0]
        options["fields"] = [*options["fields"], "version"]
    return fieldsets


class VersionedFormMixin:
    """Change forms and inline rows carry the version they were loaded at, so that a stale save is refused."""

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

    deleted_records_template = "admin/crm/deleted_records.html"

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
