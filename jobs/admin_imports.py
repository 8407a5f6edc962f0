"""The back office's imports, on the job queue (``jobs.imports``): choose a file, follow its preview on the job's
page, confirm there, follow the import, read its report."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from core.tables import TableLimits
from core.views import see_other

from .imports import start_import, store_upload
from .models import ImportMapping, Job


class ImportFileForm(forms.Form):
    import_file = forms.FileField(label=_("File to import"))
    mapping = forms.ModelChoiceField(
        ImportMapping.objects.none(),
        label=_("Columns"),
        required=False,
        empty_label=_("Recognised from their names"),
        help_text=_("A mapping saved from an earlier import of the same kind of file."),
    )
    skip_invalid_rows = forms.BooleanField(
        label=_("Leave out the rows with errors"),
        required=False,
        help_text=_("Unticked, a file with a single invalid row imports nothing."),
    )

    def __init__(self, *args, importer: str, mappings: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if mappings:
            self.fields["mapping"].queryset = ImportMapping.objects.filter(importer=importer)
        if not mappings or not self.fields["mapping"].queryset.exists():
            del self.fields["mapping"]

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        size_error = TableLimits.for_batch().size_error(upload.size)
        if size_error:
            raise ValidationError(size_error)
        if not upload.size:
            raise ValidationError(_("The file is empty."))
        return upload


class ImportJobAdminMixin:
    """An "Import" button on the changelist, and its page. ``importer`` is the dotted path of the import function
    (``jobs.imports``), ``import_subject`` what the records are called in the jobs' titles, ``import_help`` what
    the page says of the files it reads. Needs the add and change permissions."""

    importer: str = ""
    import_subject = ""
    import_help = ""
    # The columns the import reads, {key: label}: staff may then say which column of a file holds what.
    import_columns: dict = {}
    import_template_name = "admin/jobs/import.html"
    import_columns_template_name = "admin/jobs/import_columns.html"

    def import_permissions(self) -> list[str]:
        opts = self.opts
        return [f"{opts.app_label}.add_{opts.model_name}", f"{opts.app_label}.change_{opts.model_name}"]

    def has_import_permission(self, request) -> bool:
        return request.user.has_perms(self.import_permissions())

    def get_urls(self):
        opts = self.opts
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{opts.app_label}_{opts.model_name}_import",
            ),
            path(
                "import/<int:pk>/columns/",
                self.admin_site.admin_view(self.import_columns_view),
                name=f"{opts.app_label}_{opts.model_name}_import_columns",
            ),
            *super().get_urls(),
        ]

    def import_url(self) -> str:
        opts = self.opts
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_import", current_app=self.admin_site.name)

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if self.has_import_permission(request):
            opts = self.opts
            extra_context["import_url"] = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_import", current_app=self.admin_site.name
            )
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ImportFileForm(
            request.POST or None, request.FILES or None, importer=self.importer, mappings=bool(self.import_columns)
        )
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["import_file"]
            data = b"".join(upload.chunks())
            mapping = form.cleaned_data.get("mapping")
            job = start_import(
                importer=self.importer,
                upload=store_upload(data, upload.name),
                file_name=upload.name,
                owner=request.user,
                apply=False,
                skip_invalid_rows=form.cleaned_data["skip_invalid_rows"],
                permissions=self.import_permissions(),
                subject=str(self.import_subject),
                mapping=mapping.mapping if mapping else None,
                import_url=self.import_url() if self.import_columns else "",
            )
            return see_other(job.get_absolute_url())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import %(subject)s") % {"subject": self.import_subject},
            "form": form,
            "import_help": self.import_help,
            "limits": TableLimits.for_batch(),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, self.import_template_name, context, status=400 if form.errors else 200)

    def import_columns_view(self, request, pk):
        """Which column of the file holds what: from a preview's page, for a spreadsheet whose columns were not
        all recognised. Starts the preview again with that mapping, and may save it under a name."""
        if not self.has_import_permission(request) or not self.import_columns:
            raise PermissionDenied
        preview = get_object_or_404(Job, pk=pk, owner=request.user, kind=Job.Kind.IMPORT)
        params = preview.params
        columns = preview.result.get("columns") or []
        if params.get("importer") != self.importer or params.get("apply") or not columns:
            raise Http404
        form = ColumnMappingForm(request.POST or None, columns=columns, choices=self.import_columns)
        if request.method == "POST" and form.is_valid():
            mapping = form.mapping()
            name = form.cleaned_data["save_as"]
            if name:
                ImportMapping.objects.update_or_create(
                    importer=self.importer, name=name, defaults={"mapping": mapping, "owner": request.user}
                )
            job = start_import(
                importer=self.importer,
                upload=params["upload"],
                file_name=params["file_name"],
                owner=request.user,
                apply=False,
                skip_invalid_rows=params["skip_invalid_rows"],
                permissions=self.import_permissions(),
                subject=str(self.import_subject),
                mapping=mapping,
                import_url=self.import_url(),
            )
            return see_other(job.get_absolute_url())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Which column holds what"),
            "form": form,
            "preview": preview,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, self.import_columns_template_name, context, status=400 if form.errors else 200)


class ColumnMappingForm(forms.Form):
    """One choice per column of the file: the column of the import it fills, or none."""

    save_as = forms.CharField(
        label=_("Save this mapping as"),
        required=False,
        max_length=100,
        help_text=_("To choose it again when importing the same kind of file."),
    )

    def __init__(self, *args, columns: list, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = [header for header, _column in columns]
        options = [("", _("— not imported —")), *((key, str(label)) for key, label in choices.items())]
        for index, (header, column) in enumerate(columns):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header or _("Column %(number)s") % {"number": index + 1},
                choices=options,
                required=False,
                initial=column,
            )
        self.order_fields([f"column_{index}" for index in range(len(columns))] + ["save_as"])

    def clean(self):
        cleaned = super().clean()
        chosen = [cleaned.get(f"column_{index}") for index in range(len(self.headers))]
        filled = [column for column in chosen if column]
        if len(filled) != len(set(filled)):
            raise ValidationError(_("Each column of the import may be filled by one column of the file only."))
        return cleaned

    def mapping(self) -> dict[str, str]:
        return {header: self.cleaned_data.get(f"column_{index}") or "" for index, header in enumerate(self.headers)}


__all__ = ["ImportJobAdminMixin", "admin"]
