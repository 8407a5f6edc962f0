"""What every API endpoint shares: permissions, pagination, validation through the models' own rules."""

import re

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import APIException, NotFound, ParseError, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings
from rest_framework.utils import json

from .guards import NUL, holds_nul

MAX_PAGE_SIZE = 200
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, without its form in the browsable API: the form renders each filter that chooses a
    record as a ``<select>`` of the whole table — every person, every organisation — a page that grows with the
    data (a million people, a hundred megabytes). The filters are the query string's, described in the schema
    (docs/api.md)."""

    def to_html(self, request, queryset, view):
        return None


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The record was changed or deleted meanwhile.")
    default_code = "conflict"


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


def json_depth(body: bytes) -> int:
    """How deeply arrays and objects nest in ``body`` (JSON), brackets inside strings left out."""
    depth = deepest = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub(b"", body)):
        depth += 1 if bracket in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, within bounds: a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` answers 413, and
    arrays or objects nested deeper than ``MAX_JSON_DEPTH`` answer 400 before Python's parser recurses into
    them (a thousand levels exhaust its stack). No record of the API nests more than three levels."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read(limit + 1) if stream is not None else b""
        if limit is not None and len(body) > limit:
            raise RequestTooLarge
        if json_depth(body) > MAX_JSON_DEPTH:
            raise ParseError(_("The JSON body nests deeper than %(depth)s levels.") % {"depth": MAX_JSON_DEPTH})
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.loads(body.decode(encoding), parse_constant=json.strict_constant if self.strict else None)
        except (ValueError, RecursionError) as error:
            raise ParseError(_("The body is not valid JSON: %(error)s") % {"error": error}) from error


class SlugRelation(serializers.SlugRelatedField):
    """A related record named by its slug ("polepharma").

    No slug holds a NUL character, and PostgreSQL refuses to compare text that does: such a value is
    "not found" before it reaches the database, instead of a database error.
    """

    def to_internal_value(self, data):
        if holds_nul(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace(NUL, ""))
        return super().to_internal_value(data)


class ModelPermissions(permissions.DjangoModelPermissions):
    """Django's model permissions, reading included: listing people needs ``contacts.view_person``."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


class ChangeModelPermissions(ModelPermissions):
    """For actions that change a record with a POST (adding people to a list): the change permission."""

    perms_map = {**ModelPermissions.perms_map, "POST": ["%(app_label)s.change_%(model_name)s"]}


PAGE_FIELD_DESCRIPTIONS = {
    "count": _("How many records match, on every page together."),
    "next": _("Address of the next page; null on the last page."),
    "previous": _("Address of the previous page; null on the first page."),
    "results": _("The records of this page."),
}


def describe_page(schema: dict) -> dict:
    for name, field in schema["properties"].items():
        if name in PAGE_FIELD_DESCRIPTIONS:
            field.setdefault("description", PAGE_FIELD_DESCRIPTIONS[name])
    return schema


class PagePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_paginated_response_schema(self, schema):
        return describe_page(super().get_paginated_response_schema(schema))


class SortableCursorPagination(CursorPagination):
    """Cursor pagination, for lists too long for page numbers: paging stays fast however deep, and stable
    while records are added.

    A cursor needs a fixed sort, so the FilterSet's ``o`` picks one of ``orderings``; the other sorts
    the FilterSet knows (computed columns, several keys) answer 400 here.
    """

    orderings: dict[str, tuple[str, ...]] = {}
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_ordering(self, request, queryset, view):
        sort = request.query_params.get("o", "")
        if not sort:
            return self.ordering
        if sort not in self.orderings:
            raise ValidationError({"o": [_("Sort by one of: %(choices)s.") % {"choices": ", ".join(self.orderings)}]})
        return self.orderings[sort]

    def paginate_queryset(self, queryset, request, view=None):
        self.model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        """DRF's cursor, refused as invalid (404, as DRF answers any other bad cursor) when its position could
        not be a value of the sort's first column: a forged cursor reaches no database query."""
        cursor = super().decode_cursor(request)
        if cursor is None or cursor.position is None:
            return cursor
        if holds_nul(cursor.position):
            raise NotFound(self.invalid_cursor_message)
        try:
            self.model._meta.get_field(self.ordering[0].lstrip("-")).to_python(cursor.position)
        except (DjangoValidationError, FieldDoesNotExist, ValueError, TypeError) as error:
            raise NotFound(self.invalid_cursor_message) from error
        return cursor

    def get_paginated_response_schema(self, schema):
        return describe_page(super().get_paginated_response_schema(schema))


class BlankAsNullMixin:
    """A string with a format (an email or web address) that a record may leave blank: ``null`` in the API, blank
    in the database. A blank string sent is read as null. Declared so, the schema needs no ``oneOf`` of the format
    and an empty string, which generated clients cannot tell apart."""

    def __init__(self, **kwargs):
        kwargs.pop("default", None)  # the model's blank default: left out, the field stays blank
        super().__init__(**{**kwargs, "allow_blank": False, "allow_null": True})

    def run_validation(self, data=serializers.empty):
        value = super().run_validation(None if data == "" else data)
        return "" if value is None else value

    def to_representation(self, value):
        return super().to_representation(value) if value else None


class OptionalEmailField(BlankAsNullMixin, serializers.EmailField):
    pass


class OptionalURLField(BlankAsNullMixin, serializers.URLField):
    pass


OPTIONAL_FIELDS = {serializers.EmailField: OptionalEmailField, serializers.URLField: OptionalURLField}


GENERIC_FIELD_DESCRIPTIONS = {
    "id": _("Identifier of the record, unique among records of its kind."),
    "url": _("Address of the record in the API."),
    "created_at": _("When the record was created."),
    "updated_at": _("When the record was last changed."),
}


class DescribedSerializer(serializers.ModelSerializer):
    """A ModelSerializer every field of which is described in the API schema.

    Fields generated from the model already carry its ``help_text``; fields declared on the serializer (a
    relation named by slug, a country) take it from the model field of the same name when they give none,
    and the identifier, address and timestamps get a common description.
    """

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        if field_class in OPTIONAL_FIELDS and field_kwargs.get("allow_blank") and not model_field.null:
            field_class = OPTIONAL_FIELDS[field_class]
        return field_class, field_kwargs

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if field.help_text:
                continue
            try:
                model_field = self.Meta.model._meta.get_field(field.source or name)
            except FieldDoesNotExist:
                model_field = None
            field.help_text = getattr(model_field, "help_text", "") or GENERIC_FIELD_DESCRIPTIONS.get(name)
        return fields


class ModelRulesSerializer(DescribedSerializer):
    """A ModelSerializer that also applies the model's ``clean()`` and database constraints before saving,
    so that a rule the admin enforces answers 400 here rather than reach the database."""

    def get_unique_together_validators(self):
        # The model's constraints are checked below by full_clean(), with their conditions and messages.
        # DRF's own validators for them would also make every field they name required: an email contact
        # point would need a phone number because (person, phone) is unique among phone contact points.
        return []

    def get_fields(self):
        from core.history import VersionedModel  # not at import time: DRF's settings import this module early

        fields = super().get_fields()
        if issubclass(self.Meta.model, VersionedModel) and "version" not in fields:
            fields["version"] = serializers.IntegerField(
                read_only=True,
                help_text=_(
                    "Raised by one at each change; also sent as the ETag header. Send it back in If-Match to "
                    "change or delete the record only if nobody changed it meanwhile (else 412)."
                ),
            )
        return fields

    def validate(self, attrs):
        from core.history import StaleRecordError

        attrs = super().validate(attrs)
        model = self.Meta.model
        many_to_many = {field.name for field in model._meta.many_to_many}
        values = {name: value for name, value in attrs.items() if name not in many_to_many}
        if self.instance is not None:
            candidate = model(
                **{field.attname: getattr(self.instance, field.attname) for field in model._meta.concrete_fields}
            )
            # The record as it will be saved, known to the database: its uniqueness checks leave it out.
            candidate._state.adding = False
            candidate._state.db = self.instance._state.db
            for name, value in values.items():
                setattr(candidate, name, value)
        else:
            candidate = model(**values)
        try:
            candidate.full_clean(
                exclude=[name for name in many_to_many], validate_unique=True, validate_constraints=True
            )
        except StaleRecordError as error:
            # Changed or deleted since this request read it: a conflict, not a field error.
            raise Conflict(error.message) from error
        except DjangoValidationError as error:
            detail = serializers.as_serializer_error(error)
            if NON_FIELD_ERRORS in detail:
                detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
            raise serializers.ValidationError(detail) from error
        return attrs
