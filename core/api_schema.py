"""drf-spectacular postprocessing hooks that finish describing the API schema."""

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


def document_versions(result, generator, request, public):
    """Records that carry a version (core.history) are sent with an ETag, and their changes and deletions
    accept If-Match: the schema says so, and documents the 412 answered when the version is not current."""
    from core.history import VersionedModel

    versioned = set()
    for path, _regex, method, callback in generator.endpoints or ():
        queryset = getattr(getattr(callback, "cls", None), "queryset", None)
        if queryset is not None and issubclass(queryset.model, VersionedModel):
            versioned.add((path, method.lower()))
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            if (path, method) not in versioned or method not in ("put", "patch", "delete"):
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
