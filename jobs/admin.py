"""The queue as administrators see it: every job, failures with their error, retry and cancel (registered by
backoffice)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Job
from .services import cancel_job, retry_job


class JobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "title", "kind", "status", "owner", "rows", "total", "attempts", "finished_at"]
    list_filter = ["status", "kind", "created_at"]
    search_fields = ["title", "owner__username"]
    date_hierarchy = "created_at"
    list_select_related = ["owner"]
    list_per_page = 50
    show_full_result_count = False
    readonly_fields = [field.name for field in Job._meta.concrete_fields if field.name != "id"]
    actions = ["retry", "cancel"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("params")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The form shows a job as it is; retrying and cancelling are actions, which need this permission.
        return request.user.has_perm("jobs.change_job")

    @admin.action(description=_("Run the selected failed or cancelled jobs again"), permissions=["change"])
    def retry(self, request, queryset):
        retried = sum(retry_job(job) for job in queryset.filter(status__in=[Job.Status.FAILED, Job.Status.CANCELLED]))
        self.message_user(
            request,
            ngettext("%(count)d job queued again.", "%(count)d jobs queued again.", retried) % {"count": retried},
            messages.SUCCESS if retried else messages.WARNING,
        )

    @admin.action(description=_("Cancel the selected queued or running jobs"), permissions=["change"])
    def cancel(self, request, queryset):
        cancelled = sum(cancel_job(job) for job in queryset.filter(status__in=Job.ACTIVE))
        self.message_user(
            request,
            ngettext("%(count)d job cancelled.", "%(count)d jobs cancelled.", cancelled) % {"count": cancelled},
            messages.SUCCESS if cancelled else messages.WARNING,
        )


class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "last_run_at", "next_run_at"]
    readonly_fields = ["name", "last_run_at", "next_run_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ImportMappingAdmin(admin.ModelAdmin):
    """The column mappings saved from imports' pages: renamed or deleted here, made on an import's page."""

    list_display = ["name", "importer", "owner", "created_at"]
    search_fields = ["name"]
    readonly_fields = ["importer", "owner", "created_at"]
    fields = ["name", "importer", "mapping", "owner", "created_at"]

    def has_add_permission(self, request):
        return False
