"""The back office's imports, on the job queue (``jobs.imports``): choose a file, follow its preview on the job's
page, confirm there, follow the import, read its report."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from core.tables import TableLimits
from core.views import see_other

from .imports import start_import, store_upload


class ImportFileForm(forms.Form):
    import_file = forms.FileField(label=_("File to import"))
    skip_invalid_rows = forms.BooleanField(
        label=_("Leave out the rows with errors"),
        required=False,
        help_text=_("Unticked, a file with a single invalid row imports nothing."),
    )

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
    import_template_name = "admin/jobs/import.html"

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
            *super().get_urls(),
        ]

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
        form = ImportFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["import_file"]
            data = b"".join(upload.chunks())
            job = start_import(
                importer=self.importer,
                upload=store_upload(data, upload.name),
                file_name=upload.name,
                owner=request.user,
                apply=False,
                skip_invalid_rows=form.cleaned_data["skip_invalid_rows"],
                permissions=self.import_permissions(),
                subject=str(self.import_subject),
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


__all__ = ["ImportJobAdminMixin", "admin"]
