"""The viewset every API resource uses. Kept apart from core.api, which DRF's settings import while
rest_framework.views is still loading."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView
from rest_framework import status, viewsets
from rest_framework.exceptions import APIException, NotFound
from rest_framework.negotiation import DefaultContentNegotiation

from .api import Conflict
from .history import VersionedModel, changes_since, deleted_message, stale_message


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The record changed since the version given in If-Match.")
    default_code = "precondition_failed"


def _entity_tags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/").strip('"') for tag in header.split(",") if tag.strip()}


class RecordViewSet(viewsets.ModelViewSet):
    """A ModelViewSet whose changes and deletions first lock the record's row, and, for records that carry a
    version (core.history), answer it as the ETag and honour If-Match.

    Without the lock, a deletion (which removes the rows pointing at the record, then the record) and a
    change (which updates the record, then its many-to-many rows) take the same locks in opposite orders,
    and PostgreSQL undoes one of them as a deadlock. Locking the record first makes them wait in turn.

    With If-Match, a change or deletion made from an older version answers 412 and says what changed
    meanwhile; without it, a change that lost a race with another one (both read the same version) is
    refused by the model's version check and answers 409 (core.api_errors). A change of a record deleted while
    the request waited for its lock answers 409 and brings nothing back; a deletion of it answers 404.
    """

    record = None

    def get_object(self):
        self.record = super().get_object()
        if isinstance(self.record, VersionedModel) and self.request.method not in ("GET", "HEAD", "OPTIONS"):
            # Early, before the body is validated against a record that is already stale; checked again under
            # the row's lock when writing.
            self.check_precondition(self.record, self.record.version)
        return self.record

    def filter_queryset(self, queryset):
        # Filters narrow lists. A record named in the address is found whatever they would leave out by default
        # (people who asked not to be contacted are left out of lists unless asked for).
        if self.detail:
            return queryset
        return super().filter_queryset(queryset)

    def lock(self, instance, *, deleting: bool = False) -> None:
        locked = type(instance)._base_manager.select_for_update().filter(pk=instance.pk)
        if isinstance(instance, VersionedModel):
            current_version = locked.values_list("version", flat=True).first()
            exists = current_version is not None
        else:
            current_version, exists = None, locked.values_list("pk").exists()
        if not exists:
            if deleting:
                raise NotFound
            raise Conflict(deleted_message(instance))
        if current_version is not None:
            self.check_precondition(instance, current_version)

    def check_precondition(self, instance, current_version) -> None:
        header = self.request.headers.get("If-Match")
        if not header:
            return
        tags = _entity_tags(header)
        if "*" in tags or str(current_version) in tags:
            return
        seen = [int(tag) for tag in tags if tag.isdigit() and 0 < int(tag) < (current_version or 0)]
        changes = changes_since(instance, max(seen)) if seen else []
        raise PreconditionFailed(stale_message(instance, changes))

    def perform_update(self, serializer):
        with transaction.atomic():
            self.lock(serializer.instance)
            serializer.save()

    def perform_destroy(self, instance):
        with transaction.atomic():
            self.lock(instance, deleting=True)
            instance.delete()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 300 or request.method == "DELETE":
            return response
        record = self.record
        if isinstance(record, VersionedModel):
            response["ETag"] = f'"{record.version}"'
        elif request.method == "POST" and isinstance(getattr(response, "data", None), dict):
            # A record just created: its version is in the body.
            version = response.data.get("version")
            if isinstance(version, int):
                response["ETag"] = f'"{version}"'
        return response


class FormatParameterNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, with ``?format=json`` or ``?format=yaml`` choosing the renderer. Only for the schema:
    elsewhere ``format`` names an export's file type (URL_FORMAT_OVERRIDE is off)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return super().select_renderer(request, renderers, format_suffix or request.query_params.get("format"))


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema: YAML, or JSON with ``?format=json`` or ``Accept: application/json``; in the language
    of the request (Accept-Language), as every answer of the API."""

    content_negotiation_class = FormatParameterNegotiation
