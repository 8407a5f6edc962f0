"""Two-factor authentication: an authenticator app added from the QR code, its code asked after the password,
backup codes, and administrators kept out of the CRM without it when TWO_FACTOR_REQUIRED_FOR_ADMINISTRATORS is on."""

import base64
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import TOTP

from tests.factories import UserFactory
from tests.test_content_security_policy import inline_code

PASSWORD = "correct-horse-battery-staple"  # noqa: S105  (the factories' password)
SECRET_KEY = re.compile(r'<code class="secret-key">([A-Z2-7 ]+)</code>')
BACKUP_CODE = re.compile(r"<li><code>([a-z2-7]{8})</code></li>")


def code_of_the_app(secret_key: str, steps_ahead: int = 0) -> str:
    """What an authenticator app set up with the key typed from the page shows (``steps_ahead`` periods later:
    a code is accepted once, and a period lasts 30 seconds)."""
    key = base64.b32decode(secret_key.replace(" ", "") + "=" * (-len(secret_key.replace(" ", "")) % 8))
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def log_in(client, username, password=PASSWORD, path="/en/login/", **data):
    return client.post(path, {"username": username, "password": password, **data})


def is_logged_in(client) -> bool:
    return client.get("/en/").status_code == 200


def set_up_the_app(client) -> tuple[str, list[str]]:
    """Adds an authenticator app from the two-factor page, as a user does; returns its key and the backup codes."""
    page = client.get("/en/account/two-factor/").content.decode()
    secret_key = SECRET_KEY.search(page).group(1)
    response = client.post("/en/account/two-factor/", {"code": code_of_the_app(secret_key)})
    assert response.status_code == 200
    return secret_key, BACKUP_CODE.findall(response.content.decode())


@pytest.fixture
def no_throttling(settings):
    """django-otp waits 1, 2, 4… seconds after each wrong code; tests that type a wrong code then a right one
    would wait."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED_FOR_ADMINISTRATORS = True


@pytest.fixture
def camille(db):
    return UserFactory(username="camille", is_staff=True)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_the_setup_page_shows_a_qr_code_as_an_image_and_the_key_to_type(client, camille):
    client.force_login(camille)

    html = client.get("/en/account/two-factor/").content.decode()

    assert re.search(r'<img class="qr-code" src="data:image/svg\+xml;[^"]+"', html)
    assert SECRET_KEY.search(html)
    assert "Turn on two-factor authentication" in html


def test_a_wrong_code_does_not_turn_two_factor_authentication_on(client, camille):
    client.force_login(camille)
    client.get("/en/account/two-factor/")

    response = client.post("/en/account/two-factor/", {"code": "000000"})

    assert "This code does not match" in response.content.decode()
    client.post("/en/logout/")
    assert log_in(client, "camille")["Location"] == "/en/"


def test_after_setting_up_the_app_logging_in_takes_the_password_then_its_code(client, camille, no_throttling):
    client.force_login(camille)
    secret_key, backup_codes = set_up_the_app(client)
    assert len(backup_codes) == 10
    client.post("/en/logout/")

    response = log_in(client, "camille", next="/en/contacts/")

    assert response.status_code == 302
    assert response["Location"] == "/en/login/code/?next=%2Fen%2Fcontacts%2F"
    assert not is_logged_in(client)  # the password alone does not log in
    code_page = client.get(response["Location"]).content.decode()
    assert "Type the code your authenticator app shows now" in code_page
    wrong = client.post("/en/login/code/", {"code": "123456", "next": "/en/contacts/"})
    assert "This code is not valid" in wrong.content.decode()
    assert not is_logged_in(client)

    right = client.post("/en/login/code/", {"code": code_of_the_app(secret_key, 1), "next": "/en/contacts/"})

    assert right.status_code == 302 and right["Location"] == "/en/contacts/"
    assert is_logged_in(client)


def test_the_code_step_refuses_repeated_wrong_codes_for_a_while(client, camille):
    client.force_login(camille)
    secret_key, _codes = set_up_the_app(client)
    client.post("/en/logout/")
    log_in(client, "camille")
    client.post("/en/login/code/", {"code": "123456"})

    response = client.post("/en/login/code/", {"code": code_of_the_app(secret_key, 1)})

    assert "Too many wrong codes: try again in 1 second." in response.content.decode()
    assert not is_logged_in(client)


def test_the_code_step_without_the_password_step_sends_back_to_the_login(client, camille):
    response = client.get("/en/login/code/")

    assert response.status_code == 302 and response["Location"].startswith("/en/login/")


def test_a_backup_code_logs_in_once(client, camille):
    client.force_login(camille)
    _key, backup_codes = set_up_the_app(client)
    client.post("/en/logout/")

    log_in(client, "camille")
    response = client.post("/en/login/code/", {"code": backup_codes[0]}, follow=True)
    assert is_logged_in(client)
    assert "You logged in with a backup code, which cannot be used again: 9 are left." in response.content.decode()
    client.post("/en/logout/")

    log_in(client, "camille")
    again = client.post("/en/login/code/", {"code": backup_codes[0]})
    assert "This code is not valid" in again.content.decode()
    assert not is_logged_in(client)


def test_the_admin_login_asks_for_the_code_too(client, superuser):
    client.force_login(superuser)
    secret_key, _codes = set_up_the_app(client)
    client.post("/en/logout/")

    response = log_in(client, "root", path="/en/admin/login/", next="/en/admin/")

    assert response["Location"] == "/en/login/code/?next=%2Fen%2Fadmin%2F"
    assert client.get("/en/admin/").status_code == 302
    client.post("/en/login/code/", {"code": code_of_the_app(secret_key, 1), "next": "/en/admin/"})
    assert client.get("/en/admin/").status_code == 200


def administrators(db):
    group_member = UserFactory(username="dominique", is_staff=True)
    group_member.groups.add(Group.objects.get(name="Administrateur"))
    return [UserFactory(username="root", is_staff=True, is_superuser=True), group_member]


@pytest.mark.parametrize("which", [0, 1], ids=["superuser", "Administrateur group"])
def test_an_administrator_without_an_app_cannot_reach_the_admin(client, db, required, which):
    administrator = administrators(db)[which]

    response = log_in(client, administrator.username, path="/en/admin/login/", next="/en/admin/")

    assert response["Location"] == "/en/account/two-factor/?next=%2Fen%2Fadmin%2F"
    for path in ["/en/admin/", "/en/admin/contacts/person/", "/en/", "/en/contacts/"]:
        refused = client.get(path)
        assert refused.status_code == 302, path
        assert refused["Location"].startswith("/en/account/two-factor/?next="), path
    page = client.get("/en/account/two-factor/").content.decode()
    assert "As an administrator, you must protect your account with two-factor authentication" in page


def test_an_administrator_reaches_the_admin_once_the_app_is_set_up(client, superuser, required):
    log_in(client, "root", path="/en/admin/login/", next="/en/admin/")

    _key, backup_codes = set_up_the_app(client)

    assert backup_codes
    assert client.get("/en/admin/").status_code == 200


def test_an_administrator_session_without_the_code_is_logged_out_to_give_it(client, superuser, required):
    """A session opened before the requirement (or by a password alone, before the app was added in another
    session) is not let in: the administrator logs in again, with the code."""
    client.force_login(superuser)
    set_up_the_app(client)
    other = type(client)()
    other.force_login(superuser)

    response = other.get("/en/admin/")

    assert response.status_code == 302 and response["Location"].startswith("/en/login/?next=")
    assert other.get("/en/").status_code == 302


def test_an_administrator_session_without_the_code_does_not_reach_the_api(client, superuser, required):
    client.force_login(superuser)

    response = client.get("/api/people/")

    assert response.status_code == 401


def test_other_staff_are_not_required_to_use_an_app(client, camille, required):
    response = log_in(client, "camille")

    assert response["Location"] == "/en/"
    assert is_logged_in(client)


def test_an_administrator_may_replace_the_app_but_not_stay_without_one(client, superuser, required):
    log_in(client, "root")
    set_up_the_app(client)

    client.post("/en/account/two-factor/remove/")

    assert client.get("/en/admin/")["Location"].startswith("/en/account/two-factor/")
    _key, codes = set_up_the_app(client)
    assert codes and client.get("/en/admin/").status_code == 200


def test_new_backup_codes_replace_the_old_ones(client, camille, no_throttling):
    client.force_login(camille)
    _key, old_codes = set_up_the_app(client)

    new_codes = BACKUP_CODE.findall(client.post("/en/account/two-factor/backup-codes/").content.decode())
    client.post("/en/logout/")

    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    log_in(client, "camille")
    assert "This code is not valid" in client.post("/en/login/code/", {"code": old_codes[0]}).content.decode()
    client.post("/en/login/code/", {"code": new_codes[0]})
    assert is_logged_in(client)


REPORT = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps(settings.TWO_FACTOR_REQUIRED_FOR_ADMINISTRATORS))
"""


@pytest.mark.parametrize(
    ("environment", "required"),
    [
        ({}, False),
        ({"DJANGO_ENV": "production", "SECRET_KEY": "x" * 50}, True),
        ({"DJANGO_ENV": "production", "SECRET_KEY": "x" * 50, "TWO_FACTOR_REQUIRED_FOR_ADMINISTRATORS": "0"}, False),
    ],
    ids=["development", "production", "production-switched-off"],
)
def test_the_requirement_is_on_by_default_in_production_only(environment, required):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_ENV", "SECRET_KEY", "TWO_FACTOR_REQUIRED_FOR_ADMINISTRATORS"}
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", REPORT],
        cwd=Path(__file__).resolve().parent.parent,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings", **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert json.loads(result.stdout.strip().splitlines()[-1]) is required


def test_the_two_factor_pages_carry_no_inline_code(client, camille):
    client.force_login(camille)
    pages = {"setup": client.get("/en/account/two-factor/")}
    pages["backup codes"] = client.post(
        "/en/account/two-factor/", {"code": code_of_the_app(SECRET_KEY.search(pages["setup"].content.decode())[1])}
    )
    pages["status"] = client.get("/en/account/two-factor/")
    client.post("/en/logout/")
    log_in(client, "camille")
    pages["code step"] = client.get("/en/login/code/")

    for name, response in pages.items():
        assert response.status_code == 200, name
        assert "Content-Security-Policy" in response, name
        assert inline_code(response.content.decode()) == [], name
