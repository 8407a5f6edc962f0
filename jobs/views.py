"""The jobs as their owners follow them: "Mes exports et imports", a job's page with its progress, the download."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from core.views import see_other

from .imports import can_apply, may_import, start_import
from .models import Job
from .services import cancel_job
from .signals import file_downloaded


def may_see(user, job: Job) -> bool:
    return job.owner_id == user.pk or user.has_perm("jobs.view_job")


def may_cancel(user, job: Job) -> bool:
    return job.owner_id == user.pk or user.has_perm("jobs.change_job")


def may_download(user, job: Job) -> bool:
    """Only the person who asked downloads the file, and only while they still hold the permission it needed."""
    permission = job.params.get("permission")
    return job.owner_id == user.pk and (not permission or user.has_perm(permission))


def file_response(job: Job, user) -> FileResponse | None:
    """The job's file for ``user`` (who may download it), its download announced to the app that logs it; None
    if the storage no longer has it. The pages and the API hand files out through here."""
    try:
        handle = default_storage.open(job.file, "rb")
    except FileNotFoundError:
        return None
    file_downloaded.send(sender=Job, job=job, user=user)
    response = FileResponse(handle, as_attachment=True, filename=job.file_name, content_type=job.content_type)
    response["Cache-Control"] = "no-store"
    return response


def job_status(job: Job, user) -> dict:
    """What the job's page answers to ``Accept: application/json``."""
    return {
        "id": job.pk,
        "title": job.title,
        "status": job.status,
        "progress": round(job.progress, 4),
        "rows": job.rows,
        "total": job.total,
        "download_url": job.get_absolute_url() + "download/" if job.has_file and may_download(user, job) else None,
        "error": job.error or None if job.status in (Job.Status.FAILED, Job.Status.CANCELLED) else None,
    }


class JobListView(LoginRequiredMixin, ListView):
    template_name = "jobs/job_list.html"
    paginate_by = 25

    def get_queryset(self):
        return Job.objects.of(self.request.user).defer("params", "result", "error_detail")

    def get_context_data(self, **kwargs):
        return super().get_context_data(section="jobs", job_file_days=settings.JOB_FILE_DAYS, **kwargs)


class JobDetailView(LoginRequiredMixin, DetailView):
    template_name = "jobs/job_detail.html"
    context_object_name = "job"

    def get_queryset(self):
        return Job.objects.select_related("owner")

    def get_object(self, queryset=None):
        job = super().get_object(queryset)
        if not may_see(self.request.user, job):
            # Someone else's job does not exist, as far as this user can tell.
            raise Http404
        return job

    def get_template_names(self):
        if self.request.htmx:
            return ["jobs/includes/job_status.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        user = self.request.user
        job = self.object
        return super().get_context_data(
            section="jobs",
            may_download=may_download(user, job),
            may_cancel=may_cancel(user, job),
            may_apply=job.owner_id == user.pk and can_apply(job) and may_import(user, job),
            **kwargs,
        )

    def render_to_response(self, context, **response_kwargs):
        if self.request.get_preferred_type(["text/html", "application/json"]) == "application/json":
            response = JsonResponse(job_status(self.object, self.request.user))
        else:
            response = super().render_to_response(context, **response_kwargs)
        patch_vary_headers(response, ["Accept", "HX-Request"])
        response["Cache-Control"] = "no-store"
        return response


def visible_job(request, pk) -> Job:
    """The job, if the user may see it; someone else's job does not exist, as far as they can tell."""
    job = get_object_or_404(Job, pk=pk)
    if not may_see(request.user, job):
        raise Http404
    return job


class JobDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk):
        job = visible_job(request, pk)
        if not may_download(request.user, job):
            messages.error(request, _("Only the person who asked for this file may download it."))
            return redirect(job)
        if not job.has_file:
            messages.error(request, _("This file is no longer available: ask for it again."))
            return redirect(job)
        response = file_response(job, request.user)
        if response is None:
            messages.error(request, _("This file is no longer available: ask for it again."))
            return redirect(job)
        return response


class ImportApplyView(LoginRequiredMixin, View):
    """The "Import" button of a preview's page: the import of the same file, as a job of its own."""

    def post(self, request, pk):
        preview = visible_job(request, pk)
        if preview.owner_id != request.user.pk or not may_import(request.user, preview):
            messages.error(request, _("Only the person who asked for this preview may confirm the import."))
            return redirect(preview)
        if not can_apply(preview):
            messages.error(
                request, _("This preview cannot be imported: read its report, correct the file, and try again.")
            )
            return redirect(preview)
        params = preview.params
        job = start_import(
            importer=params["importer"],
            upload=params["upload"],
            file_name=params["file_name"],
            owner=request.user,
            apply=True,
            skip_invalid_rows=params["skip_invalid_rows"],
            permissions=params["permissions"],
            subject=params["subject"],
            preview=preview,
            mapping=params.get("mapping"),
            import_url=params.get("import_url", ""),
        )
        return see_other(job.get_absolute_url())


class JobCancelView(LoginRequiredMixin, View):
    def post(self, request, pk):
        job = visible_job(request, pk)
        if not may_cancel(request.user, job):
            messages.error(request, _("You may not cancel this job."))
        elif cancel_job(job):
            messages.success(request, _("The job was cancelled."))
        else:
            messages.info(request, _("The job had already finished."))
        return redirect(job)
