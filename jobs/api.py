"""The jobs in the API: ``/api/jobs/`` (the caller's own), where a large export answers ``303 See Other``."""

import django_filters
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound

from .models import Job
from .views import file_response, may_download


class JobSerializer(serializers.ModelSerializer):
    progress = serializers.FloatField(read_only=True, help_text=_("How far the job has got, from 0.0 to 1.0."))
    download_url = serializers.SerializerMethodField(
        help_text=_("Where to download the job's file once it is done, for the person who asked for it; else null.")
    )
    error = serializers.SerializerMethodField(help_text=_("Why the job failed or stopped; else null."))

    class Meta:
        model = Job
        fields = ["id", "kind", "title", "status", "progress", "rows", "total", "created_at", "finished_at"]
        fields += ["download_url", "error"]
        extra_kwargs = {
            "id": {"help_text": _("The job's identifier, as in its address.")},
            "kind": {"help_text": _("What the job does: export, import, erasure or other work.")},
            "title": {"help_text": _("What the job does, in words.")},
            "status": {"help_text": _("queued, running, done, failed or cancelled.")},
            "rows": {"help_text": _("Rows done so far.")},
            "total": {"help_text": _("Rows in all, once known.")},
            "created_at": {"help_text": _("When the job was asked for.")},
            "finished_at": {"help_text": _("When the job finished, failed or was cancelled.")},
        }

    def get_download_url(self, job) -> str | None:
        request = self.context["request"]
        if job.has_file and may_download(request.user, job):
            return request.build_absolute_uri(reverse("api:job-download", args=[job.pk]))
        return None

    def get_error(self, job) -> str | None:
        return job.error or None if job.status in (Job.Status.FAILED, Job.Status.CANCELLED) else None


class JobFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Job.Status.choices, help_text=_("Only the jobs in this state."))
    kind = django_filters.ChoiceFilter(choices=Job.Kind.choices, help_text=_("Only the jobs of this kind."))

    class Meta:
        model = Job
        fields = ["status", "kind"]


@extend_schema(
    description=_(
        "The caller's jobs, newest first: a large export's file is written by a worker; poll the job "
        "until its status is done, then download the file from ``download_url``."
    )
)
class JobViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = JobSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = JobFilterSet
    queryset = Job.objects.none()

    def get_queryset(self):
        return Job.objects.of(self.request.user).defer("params", "result", "error_detail")

    @extend_schema(
        description=_("The job's file, once the job is done, for the person who asked for it (logged as an export)."),
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, "text/vcard"): OpenApiTypes.BINARY,
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description=_("No such job, or its file is not (or no longer) available.")),
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job = self.get_object()
        if not job.has_file or not may_download(request.user, job):
            raise NotFound
        response = file_response(job, request.user)
        if response is None:
            raise NotFound
        return response
