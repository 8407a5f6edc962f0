"""API tokens (django-rest-knox): printed once, stored as digests, expiring and revocable; missing or bad credentials
answer 401 with WWW-Authenticate; a user calling too often gets 429 with Retry-After."""

import datetime
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import UserFactory


def create_api_token(username, *options) -> tuple[str, str]:
    """`manage.py create_api_token`, as the README says: the token on standard output, the rest on standard error."""
    out, err = StringIO(), StringIO()
    call_command("create_api_token", username, *options, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def with_token(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def assert_refused_with_401(response):
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"]


def test_a_token_is_printed_once_and_works(viewer, seed):
    key, message = create_api_token("viewer")

    assert len(key) == 64
    assert "Il ne s’affiche que maintenant" in message  # the command speaks the site's language
    assert with_token(key).get("/api/organisations/polepharma/").json()["name"] == "Polepharma"


def test_a_stored_token_is_not_in_plain_text_anywhere_in_the_database(viewer):
    key, _message = create_api_token("viewer")
    dump = StringIO()

    call_command("dumpdata", stdout=dump)

    assert AuthToken.objects.filter(user=viewer).count() == 1
    assert key not in dump.getvalue()


def test_a_token_expires_after_the_days_asked_for(viewer):
    _key, message = create_api_token("viewer", "--expires-in", "7")

    expiry = AuthToken.objects.get(user=viewer).expiry
    assert abs(expiry - (timezone.now() + datetime.timedelta(days=7))) < datetime.timedelta(minutes=1)
    assert "valable jusqu’au" in message


def test_a_token_expires_after_90_days_by_default(viewer):
    create_api_token("viewer")

    expiry = AuthToken.objects.get(user=viewer).expiry
    assert abs(expiry - (timezone.now() + datetime.timedelta(days=90))) < datetime.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        (["nobody"], "Aucun utilisateur ne s’appelle « nobody »."),
        (["viewer", "--expires-in", "0"], "invalid positive_days value"),
    ],
    ids=["unknown-user", "zero-days"],
)
def test_the_command_refuses_what_it_cannot_do(viewer, arguments, error):
    with pytest.raises(CommandError, match=error):
        call_command("create_api_token", *arguments, stdout=StringIO(), stderr=StringIO())

    assert not AuthToken.objects.exists()


def test_an_expired_token_answers_401_with_www_authenticate(viewer, seed):
    key, _message = create_api_token("viewer", "--expires-in", "1")
    AuthToken.objects.update(expiry=timezone.now() - datetime.timedelta(seconds=1))  # a day later

    assert_refused_with_401(with_token(key).get("/api/people/"))


def test_a_token_revoked_in_the_admin_answers_401(admin_client, viewer, seed):
    key, _message = create_api_token("viewer")
    assert with_token(key).get("/api/people/").status_code == 200
    changelist = admin_client.get("/en/admin/knox/authtoken/")
    assert changelist.status_code == 200 and "viewer" in changelist.content.decode()

    admin_client.post(
        "/en/admin/knox/authtoken/",
        {"action": "delete_selected", "_selected_action": [AuthToken.objects.get().pk], "post": "yes"},
    )

    assert_refused_with_401(with_token(key).get("/api/people/"))


def test_a_token_of_a_deactivated_user_answers_401(viewer, seed):
    key, _message = create_api_token("viewer")
    viewer.is_active = False
    viewer.save()

    assert_refused_with_401(with_token(key).get("/api/people/"))


def test_a_wrong_token_answers_401_with_www_authenticate(db):
    assert_refused_with_401(with_token("not-a-token").get("/api/people/"))
    assert_refused_with_401(with_token("0" * 64).get("/api/people/"))


def test_no_credentials_answer_401_with_www_authenticate(db):
    assert_refused_with_401(APIClient().get("/api/people/"))


@pytest.fixture
def three_requests_a_minute(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "3/minute"}}
    cache.clear()
    yield
    cache.clear()


def test_a_user_calling_too_often_gets_429_with_retry_after(viewer, three_requests_a_minute):
    key, _message = create_api_token("viewer")
    api = with_token(key)
    assert [api.get("/api/organisations/").status_code for _ in range(3)] == [200, 200, 200]

    response = api.get("/api/organisations/")

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["Retry-After"] in response.json()["detail"]  # "… dans 60 secondes."
    other = UserFactory(username="other-tool")
    other_key, _message = create_api_token(other.username)
    assert with_token(other_key).get("/api/organisations/").status_code in (200, 403)


def test_the_schema_documents_401_412_and_429(viewer_client, db):
    schema = viewer_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "WWW-Authenticate" in responses["401"]["headers"], (method, path)
            assert "Retry-After" in responses["429"]["headers"], (method, path)
            if method in ("put", "patch", "delete"):
                assert "412" in responses, (method, path)
