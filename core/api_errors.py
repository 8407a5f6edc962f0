"""How the API answers errors, and how its schema documents them.

Kept apart from core.api: DRF's settings import core.api (the default permission class) while
rest_framework.views is still loading, so core.api must not import rest_framework.views.
"""

from django.db import IntegrityError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .history import StaleRecordError

# PostgreSQL's "deadlock detected" and "could not serialize access": another request changed the same rows
# at the same moment; the database undid this one, which the client may simply send again.
CONCURRENCY_SQLSTATES = {"40P01", "40001"}


def exception_handler(exc, context):
    """DRF's handler, plus: deleting a record that others still need answers 409 with the reason, and a
    change undone because another one touched the same rows at the same moment (a deadlock, or a save from a
    version someone else already replaced) answers 409 too, not 500."""
    if isinstance(exc, OperationalError) and getattr(exc.__cause__, "sqlstate", None) in CONCURRENCY_SQLSTATES:
        return Response(
            {"detail": _("Another change was made to the same records at the same moment: send the request again.")},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, StaleRecordError):
        # The change lost a race with another one from the same version, or the record was deleted meanwhile:
        # nothing was written.
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ProtectedError | RestrictedError):
        blocking = sorted({obj._meta.verbose_name for obj in exc.protected_objects if hasattr(obj, "_meta")})
        return Response(
            {
                "detail": _("This record cannot be deleted while other records point to it: %(records)s.")
                % {"records": ", ".join(str(name) for name in blocking)}
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, IntegrityError):  # after ProtectedError, one of its kind
        # The serializer checked the unique rules before saving; another request saved a record with the same
        # slug (or another unique value) in between. The database refused this one: nothing was written.
        return Response(
            {
                "detail": _(
                    "Another record with the same identifying values was saved at the same moment; nothing was "
                    "written. Check the values and send the request again."
                )
            },
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)


def error_schema() -> dict:
    return {
        "type": "object",
        "description": str(
            _(
                "What went wrong: a detail message, or, for a request that is not valid, each field's list of "
                "messages (non_field_errors for those of the whole record)."
            )
        ),
        "properties": {"detail": {"type": "string", "description": str(_("What went wrong, in a sentence."))}},
        "additionalProperties": {"description": str(_("The errors of the field of that name."))},
    }


ERROR_RESPONSES = {
    "400": gettext_lazy("The request is not valid: each field's errors are named."),
    "401": gettext_lazy(
        "No valid credentials: no token or session was sent, or the token is unknown, expired or revoked."
    ),
    "403": gettext_lazy("The user lacks the permission."),
    "404": gettext_lazy("No such record."),
    "405": gettext_lazy("This method is not allowed here."),
    "406": gettext_lazy("The Accept header asks for a format the API does not produce."),
    "409": gettext_lazy("The record is still needed by others, or another change touched it at the same moment."),
    "413": gettext_lazy("The request body is larger than the server accepts."),
    "414": gettext_lazy(
        "The address, with its query string, is longer than the server accepts (4 094 characters with gunicorn)."
    ),
    "415": gettext_lazy("The request body's media type is not supported: send JSON."),
    "429": gettext_lazy("Too many requests from this user: wait the number of seconds in Retry-After."),
}
# Statuses answered only to some methods; the others may come from any operation. 412 is documented with If-Match,
# on the records that carry a version (core.api_schema.document_versions).
ERROR_METHODS = {
    "409": ("post", "put", "patch", "delete"),
    "413": ("post", "put", "patch"),
    "415": ("post", "put", "patch"),
}
# The server answers 414 before the request reaches Django: an HTML page, not the API's JSON.
ERROR_CONTENT = {"414": {"text/html": {"schema": {"type": "string"}}}}
ERROR_HEADERS = {
    "401": {
        "WWW-Authenticate": {
            "description": gettext_lazy("How to authenticate: Token, for an Authorization: Token <key> header."),
            "schema": {"type": "string"},
        }
    },
    "429": {
        "Retry-After": {
            "description": gettext_lazy("Seconds to wait before the next request is accepted."),
            "schema": {"type": "integer"},
        }
    },
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents the errors it can answer, in the language of
    the request."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = error_schema()
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in ERROR_RESPONSES.items():
                if method not in ERROR_METHODS.get(code, (method,)):
                    continue
                response = {
                    "description": str(description),
                    "content": ERROR_CONTENT.get(
                        code, {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
                    ),
                }
                if code in ERROR_HEADERS:
                    response["headers"] = {
                        name: {**header, "description": str(header["description"])}
                        for name, header in ERROR_HEADERS[code].items()
                    }
                operation["responses"].setdefault(code, response)
    return result
