"""drf-spectacular postprocessing hooks that finish describing the API schema."""

from django.utils.translation import gettext_lazy as _

PATH_PARAMETER_DESCRIPTIONS = {
    "slug": _("The record's slug, as in its address, for example polepharma."),
    "id": _("The record's identifier."),
}


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
