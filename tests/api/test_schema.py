"""The OpenAPI contract: complete, valid and described field by field."""

import pytest
import yaml
from django.core.management import call_command
from django.utils import translation


@pytest.fixture
def schema(db, tmp_path):
    path = tmp_path / "schema.yaml"
    # --fail-on-warn: a filter or field whose type drf-spectacular has to guess breaks the build.
    with translation.override("en"):
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def test_every_field_of_every_schema_is_described(schema):
    undescribed = [
        f"{name}.{field}"
        for name, component in schema["components"]["schemas"].items()
        for field, definition in component.get("properties", {}).items()
        if not definition.get("description")
    ]
    assert undescribed == []


def test_every_parameter_of_every_operation_is_described(schema):
    undescribed = [
        f"{method.upper()} {path} {parameter['name']}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if not parameter.get("description")
    ]
    assert undescribed == []


def test_descriptions_say_what_a_field_holds(schema):
    person = schema["components"]["schemas"]["Person"]["properties"]
    assert person["current_positions"]["description"] == "The positions the person holds today."
    assert person["url"]["description"] == "Address of the record in the API."
    membership = schema["components"]["schemas"]["Membership"]["properties"]
    assert membership["ended_on"]["description"].startswith("Date the membership ended")


def test_choice_sets_have_their_own_names(schema):
    assert {"OrganisationKindEnum", "SiteKindEnum", "ContactPointKindEnum", "AgreementKindEnum"} <= set(
        schema["components"]["schemas"]
    )
