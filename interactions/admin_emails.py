"""The back office's upload of several emails saved as .eml files: an "Import emails" button on the interactions'
list, and its page, which shows what became of each file once they are sent. The same reading and linking as the
site's upload (``email_views``)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core.views import see_other

from .email_forms import EmailUploadForm
from .email_views import describe, import_uploads, posted_token, recall, remember


class EmailImportAdminMixin:
    """For the interactions' ModelAdmin: the page ``import-emails/`` (needs the permission to add interactions)
    and its button on the changelist (``admin/interactions/interaction/change_list.html``)."""

    email_import_template_name = "admin/interactions/interaction/import_emails.html"

    def has_email_import_permission(self, request) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}")

    def email_import_url(self) -> str:
        opts = self.opts
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_import_emails", current_app=self.admin_site.name)

    def get_urls(self):
        opts = self.opts
        return [
            path(
                "import-emails/",
                self.admin_site.admin_view(self.email_import_view),
                name=f"{opts.app_label}_{opts.model_name}_import_emails",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if self.has_email_import_permission(request):
            extra_context["email_import_url"] = self.email_import_url()
        return super().changelist_view(request, extra_context)

    def email_import_view(self, request):
        if not self.has_email_import_permission(request):
            raise PermissionDenied
        form = EmailUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            results = import_uploads(form.cleaned_data["files"], user=request.user)
            token = remember(request, results)
            return see_other(f"{self.email_import_url()}?{urlencode({'batch': token})}")
        token = posted_token(request.GET.get("batch", ""))
        batch = recall(request, token) if token else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import emails"),
            "form": form,
            "rows": describe(batch, token=token, user=request.user) if batch else [],
            "max_files": settings.EMAIL_IMPORT_MAX_FILES,
            "max_bytes": settings.EMAIL_IMPORT_MAX_BYTES,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, self.email_import_template_name, context, status=400 if form.errors else 200)
