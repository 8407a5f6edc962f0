"""The API's contract, as a client generated from it sees it (docs/api.md): an OpenAPI schema that validates, JSON
bodies, every header and status documented, French or English per Accept-Language."""

import re
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation
from django_countries import countries
from knox.models import AuthToken
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from tests.factories import PersonFactory

UNSAFE_METHODS = ("post", "put", "patch", "delete")


def fetch_schema(user, language: str | None = None) -> dict:
    api = APIClient()
    api.force_authenticate(user)
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = api.get("/api/schema/?format=json", **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/")
    assert "json" in response["Content-Type"]
    return response.json()


_SCHEMAS: dict[str, dict] = {}


@pytest.fixture
def schemas(admin_user):
    """The schema in French (no Accept-Language) and in English, fetched by the first test that needs them: it
    depends on the code only."""
    if not _SCHEMAS:
        _SCHEMAS.update(fr=fetch_schema(admin_user), en=fetch_schema(admin_user, "en"))
    return _SCHEMAS


def operations(schema):
    for path, path_item in schema["paths"].items():
        for method, operation in path_item.items():
            yield path, method, operation


def texts(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("description", "title", "summary"):
                yield item
            yield from texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from texts(item)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_schema_validates_as_openapi_3_0(schemas, language):
    schema = schemas[language]
    assert schema["openapi"] == "3.0.3"
    validate(schema)  # raises on the first error


def test_the_schema_answers_yaml_unless_json_is_asked_for(admin_user):
    api = APIClient()
    api.force_authenticate(admin_user)

    assert api.get("/api/schema/")["Content-Type"].startswith("application/vnd.oai.openapi;")
    assert api.get("/api/schema/?format=json").json()["openapi"] == "3.0.3"
    assert api.get("/api/schema/?format=yaml")["Content-Type"].startswith("application/vnd.oai.openapi;")


def test_format_still_chooses_the_file_type_of_an_export(exporter, seed):
    api = APIClient()
    api.force_authenticate(exporter)

    response = api.get("/api/people/export/?format=csv&q=ivanes")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_request_bodies_are_json_only(schemas):
    bodies = {
        f"{method.upper()} {path}": sorted(operation["requestBody"]["content"])
        for path, method, operation in operations(schemas["en"])
        if "requestBody" in operation
    }
    assert bodies
    assert {types for types in map(tuple, bodies.values())} == {("application/json",)}


def test_a_form_body_is_refused_with_415(admin_user, seed):
    api = APIClient()
    api.force_authenticate(admin_user)

    response = api.post("/api/people/", {"slug": "x", "family_name": "X"}, format="multipart")

    assert response.status_code == 415
    assert response.json()["detail"]


def test_blank_values_have_no_ambiguous_one_of(schemas):
    def one_ofs(value, where=""):
        if isinstance(value, dict):
            if "oneOf" in value and any(branch.get("maxLength") == 0 for branch in value["oneOf"]):
                yield where
            for key, item in value.items():
                yield from one_ofs(item, f"{where}/{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from one_ofs(item, f"{where}/{index}")

    assert list(one_ofs(schemas["en"])) == []
    email = schemas["en"]["components"]["schemas"]["ContactPointRequest"]["properties"]["email"]
    assert email["nullable"] is True
    assert email["format"] == "email"
    assert email["minLength"] == 1


def test_a_blank_email_or_website_is_null_in_and_out(admin_user, seed):
    api = APIClient()
    api.force_authenticate(admin_user)
    person = PersonFactory()

    phone = api.post(
        "/api/contact-points/",
        {"person": person.slug, "medium": "phone", "phone": "+33 1 45 03 88 38", "email": None},
    )
    blank = api.post("/api/organisations/", {"slug": "sans-site", "name": "Sans site", "website": ""})

    assert phone.status_code == 201, phone.json()
    assert phone.json()["email"] is None
    assert blank.status_code == 201, blank.json()
    assert blank.json()["website"] is None


def test_every_operation_documents_the_error_body_auth_and_throttling(schemas):
    undocumented = []
    for path, method, operation in operations(schemas["en"]):
        responses = operation["responses"]
        for code in ("400", "401", "403", "404", "429"):
            if code not in responses:
                undocumented.append(f"{method.upper()} {path} {code}")
        if responses["401"]["content"]["application/json"]["schema"] != {"$ref": "#/components/schemas/Error"}:
            undocumented.append(f"{method.upper()} {path} 401 body")
        if "WWW-Authenticate" not in responses["401"].get("headers", {}):
            undocumented.append(f"{method.upper()} {path} WWW-Authenticate")
        if "Retry-After" not in responses["429"].get("headers", {}):
            undocumented.append(f"{method.upper()} {path} Retry-After")
        if method in UNSAFE_METHODS and "409" not in responses:
            undocumented.append(f"{method.upper()} {path} 409")
    assert undocumented == []
    assert schemas["en"]["components"]["schemas"]["Error"]["properties"]["detail"]["type"] == "string"


def test_every_versioned_record_documents_etag_if_match_and_412(schemas):
    """Records that carry a version (a ``version`` field) are found in the schema itself, not from a list."""
    schema = schemas["en"]
    components = schema["components"]["schemas"]

    def record_schema(operation):
        content = operation["responses"].get("200", {}).get("content", {}).get("application/json", {})
        reference = content.get("schema", {}).get("$ref", "")
        return components.get(reference.rsplit("/", 1)[-1], {})

    versioned_paths, missing = [], []
    for path, path_item in schema["paths"].items():
        read = path_item.get("get")
        if "{" not in path or read is None or "version" not in record_schema(read).get("properties", {}):
            continue
        versioned_paths.append(path)
        if "ETag" not in read["responses"]["200"].get("headers", {}):
            missing.append(f"GET {path} ETag")
        for method in ("put", "patch", "delete"):
            operation = path_item.get(method)
            if operation is None:
                continue
            if "If-Match" not in {parameter["name"] for parameter in operation.get("parameters", [])}:
                missing.append(f"{method.upper()} {path} If-Match")
            for code in ("409", "412"):
                if code not in operation["responses"]:
                    missing.append(f"{method.upper()} {path} {code}")
    assert missing == []
    assert {"/api/people/{slug}/", "/api/organisations/{slug}/", "/api/positions/{id}/"} <= set(versioned_paths)
    assert len(versioned_paths) >= 14


def test_people_are_paged_by_a_documented_cursor(schemas):
    people = schemas["en"]["paths"]["/api/people/"]["get"]
    cursor = {parameter["name"]: parameter for parameter in people["parameters"]}["cursor"]
    page = schemas["en"]["components"]["schemas"]["PaginatedPersonList"]["properties"]

    assert cursor["in"] == "query"
    assert cursor["description"]
    assert {"next", "previous", "results"} <= set(page)


def french_words() -> set[str]:
    """Accented words of the French catalogue's translations that no English message holds."""
    catalogue = polib.pofile(str(Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    word = re.compile(r"[\w’'-]+")
    english = {found.lower() for entry in catalogue for found in word.findall(entry.msgid)}
    # English names that French shares, as written in English: the island of "Réunion" is also the French for "meeting".
    with translation.override("en"):
        english |= {found.lower() for _code, name in countries for found in word.findall(str(name))}
    accented = re.compile(r"[àâçéèêëîïôûùüÿœ]", re.IGNORECASE)
    return {
        found.lower()
        for entry in catalogue
        if entry.translated()
        for found in word.findall(entry.msgstr)
        if accented.search(found)
    } - english


def test_the_english_schema_holds_no_french(schemas):
    french = french_words()
    assert len(french) > 100
    found = {found.lower() for text in texts(schemas["en"]) for found in re.findall(r"[\w’'-]+", str(text))} & french
    assert found == set()


def test_the_schema_is_french_by_default(schemas):
    person = schemas["fr"]["components"]["schemas"]["Person"]["properties"]
    assert person["current_positions"]["description"] == "Les postes que la personne occupe aujourd’hui."
    people = schemas["fr"]["paths"]["/api/people/"]["get"]
    assert "* `-name` - Nom (décroissant)" in {p["name"]: p for p in people["parameters"]}["o"]["description"]


def test_the_errors_are_described_in_french_by_default(schemas):
    """Passes once the French catalogue holds the errors' and the operations' descriptions (core.api_errors,
    core.api_schema, the viewsets' extend_schema)."""
    french, english = (schemas[language]["paths"]["/api/people/"]["get"]["responses"] for language in ("fr", "en"))
    assert french["404"]["description"] != english["404"]["description"]
    assert schemas["fr"]["components"]["schemas"]["Error"] != schemas["en"]["components"]["schemas"]["Error"]
    assert french["401"]["headers"] != english["401"]["headers"]
    people = (schemas[language]["paths"]["/api/people/"]["get"]["description"] for language in ("fr", "en"))
    assert next(people) != next(people)


@pytest.mark.parametrize(
    ("language", "required"), [("fr", "Ce champ est obligatoire."), ("en", "This field is required.")]
)
def test_validation_errors_speak_the_language_asked_for(admin_user, seed, language, required):
    api = APIClient()
    api.force_authenticate(admin_user)

    response = api.post("/api/people/", {"given_name": "Ada"}, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 400
    assert response.json()["family_name"] == [required]
    assert response["Content-Language"] == language


@pytest.mark.parametrize(
    ("language", "invalid"), [("fr", "Saisissez une adresse e-mail valide."), ("en", "Enter a valid email address.")]
)
def test_errors_of_the_models_own_rules_speak_the_language_asked_for(admin_user, seed, language, invalid):
    api = APIClient()
    api.force_authenticate(admin_user)
    person = PersonFactory()

    response = api.post(
        "/api/contact-points/",
        {"person": person.slug, "medium": "email", "email": "nobody-at-example.org"},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 400
    assert response.json()["email"] == [invalid]


@pytest.mark.parametrize("credentials", [None, "Token not-a-token", "Bearer something"])
def test_missing_or_bad_credentials_answer_401_with_www_authenticate(db, credentials):
    api = APIClient()
    if credentials:
        api.credentials(HTTP_AUTHORIZATION=credentials)

    answers = {language: api.get("/api/people/", HTTP_ACCEPT_LANGUAGE=language) for language in ("fr", "en")}

    for response in answers.values():
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
    assert answers["en"].json()["detail"] in ("Authentication credentials were not provided.", "Invalid token.")
    assert answers["fr"].json()["detail"] != answers["en"].json()["detail"]


def test_a_user_without_the_permission_gets_403_not_401(django_user_model, db):
    user = django_user_model.objects.create_user("no-permission")
    _token, key = AuthToken.objects.create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = api.get("/api/people/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    assert "WWW-Authenticate" not in response
    assert response.json()["detail"] == "You do not have permission to perform this action."


def test_a_stale_if_match_answers_412_in_the_language_asked_for(admin_user, seed):
    api = APIClient()
    api.force_authenticate(admin_user)
    person = PersonFactory()
    etag = api.get(f"/api/people/{person.slug}/")["ETag"]
    assert api.patch(f"/api/people/{person.slug}/", {"notes": "1"}, HTTP_IF_MATCH=etag).status_code == 200

    stale = api.patch(f"/api/people/{person.slug}/", {"notes": "2"}, HTTP_IF_MATCH=etag, HTTP_ACCEPT_LANGUAGE="en")

    assert stale.status_code == 412
    assert stale.json()["detail"]


def test_a_client_generated_from_the_schema_imports(schemas, tmp_path):
    """openapi-python-client, offline, as .ci/run does (about 3 s): the client imports, sends JSON, and knows
    If-Match and the 412."""
    import json

    schema_file = tmp_path / "schema.json"
    schema_file.write_text(json.dumps(schemas["en"]))
    package = tmp_path / "crm_client"
    generator = Path(sys.executable).parent / "openapi-python-client"
    subprocess.run(  # noqa: S603 (our own virtual environment's program, on a file this test wrote)
        [
            str(generator),
            "generate",
            "--path",
            str(schema_file),
            "--output-path",
            str(package),
            "--meta",
            "none",
            "--config",
            str(Path(settings.BASE_DIR) / ".ci" / "openapi-client.yaml"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    source = (package / "api" / "people" / "people_partial_update.py").read_text()
    assert "if_match" in source
    assert "response.status_code == 412" in source
    assert "multipart" not in source
    check = subprocess.run(  # noqa: S603 (this interpreter)
        [
            sys.executable,
            "-c",
            "import crm_client.api.people.people_partial_update, crm_client.api.contact_points.contact_points_create",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stderr
