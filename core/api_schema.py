"""drf-spectacular postprocessing hooks that finish describing the API schema."""

import re

from django.utils.translation import gettext_lazy as _

PATH_PARAMETER_DESCRIPTIONS = {
    "slug": _("The record's slug, as in its address, for example polepharma."),
    "id": _("The record's identifier."),
}
IF_MATCH_DESCRIPTION = _(
    'The record\'s version as last read (its ETag, or its version field, for example "3"): the change or the '
    "deletion is made only if nobody changed the record since, else the answer is 412."
)
PRECONDITION_FAILED_DESCRIPTION = _("The record changed since the version given in If-Match: what changed is said.")
ETAG_DESCRIPTION = _('The record\'s version, quoted (for example "3"): send it back in If-Match.')
API_DESCRIPTION = _(
    "Organisations, people, agreements and press releases of the Cluster CRM. JSON in and out; answers in French, "
    "or in English with Accept-Language: en."
)
TOKEN_DESCRIPTION = _("An API token, sent as Authorization: Token <key> (manage.py create_api_token).")
SESSION_DESCRIPTION = _(
    "The session of a user logged in to the CRM in the same browser (the API's documentation page)."
)
UNSAFE_METHODS = ("post", "put", "patch", "delete")
_PATH_PARAMETER = re.compile(r"\{[^}]+\}")


def base_classes_left_undocumented():
    """drf-spectacular's GET_LIB_DOC_EXCLUDES: its own list, and our base classes, whose docstrings say how they
    work inside rather than what a resource is."""
    from drf_spectacular.plumbing import get_lib_doc_excludes

    from core.api import DescribedSerializer, ModelRulesSerializer
    from core.api_views import RecordViewSet

    return [*get_lib_doc_excludes(), ModelRulesSerializer, DescribedSerializer, RecordViewSet]


def describe_api(result, generator, request, public):
    """The API and its ways of authenticating, described in the language of the request."""
    result["info"]["description"] = str(API_DESCRIPTION)
    schemes = result.get("components", {}).get("securitySchemes", {})
    for name, description in (("knoxApiToken", TOKEN_DESCRIPTION), ("cookieAuth", SESSION_DESCRIPTION)):
        if name in schemes:
            schemes[name]["description"] = str(description)
    return result


def describe_path_parameters(result, generator, request, public):
    """The records named in an address (``/api/people/{slug}/``) say what the name is."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and not parameter.get("description"):
                    if parameter["name"] in PATH_PARAMETER_DESCRIPTIONS:
                        parameter["description"] = str(PATH_PARAMETER_DESCRIPTIONS[parameter["name"]])
    return result


def _path_shape(path: str) -> str:
    """A path with its parameters unnamed: the generator's endpoints say ``{pk}`` where the schema says ``{id}``."""
    return _PATH_PARAMETER.sub("{}", path)


def _model_of(view_class):
    queryset = getattr(view_class, "queryset", None)
    if queryset is not None:
        return queryset.model
    meta = getattr(getattr(view_class, "serializer_class", None), "Meta", None)
    return getattr(meta, "model", None)


def document_versions(result, generator, request, public):
    """Records that carry a version (core.history) are sent with an ETag, and their changes and deletions
    accept If-Match: the schema says so for every such record, and documents the 412 answered when the version is
    not current."""
    from core.history import VersionedModel

    versioned = set()
    for path, _regex, method, callback in generator.endpoints or ():
        model = _model_of(getattr(callback, "cls", None))
        if model is not None and issubclass(model, VersionedModel):
            versioned.add((_path_shape(path), method.lower()))
    etag = {"ETag": {"description": str(ETAG_DESCRIPTION), "schema": {"type": "string"}}}
    for path, path_item in result.get("paths", {}).items():
        names_a_record = "{" in path
        for method, operation in path_item.items():
            if (_path_shape(path), method) not in versioned:
                continue
            for code, response in operation.get("responses", {}).items():
                if code in ("200", "201") and (names_a_record or code == "201"):
                    response.setdefault("headers", {}).update(etag)
            if not names_a_record or method not in UNSAFE_METHODS:
                continue
            operation.setdefault("parameters", []).append(
                {
                    "in": "header",
                    "name": "If-Match",
                    "required": False,
                    "schema": {"type": "string"},
                    "description": str(IF_MATCH_DESCRIPTION),
                }
            )
            operation["responses"]["412"] = {
                "description": str(PRECONDITION_FAILED_DESCRIPTION),
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
    return result
