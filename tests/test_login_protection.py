"""Repeated failed logins lock a username out from one address (django-axes); passwords must be strong."""

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

PASSWORD = "correct-horse-battery-staple"  # noqa: S105  (the factories' password)
LOGIN = "/en/login/"
ADMIN_LOGIN = "/en/admin/login/"
LOCKED_OUT = "You are locked out after 5 failed login attempts"


@pytest.fixture
def camille(db):
    return UserFactory(username="camille", is_staff=True, is_superuser=True)


def log_in(client, path, username, password, address="127.0.0.1"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_times(client, path, username, times, address="127.0.0.1"):
    for _ in range(times):
        response = log_in(client, path, username, "not-the-password", address)
        assert response.status_code in {200, 429}


def is_logged_in(client) -> bool:
    return client.get("/en/").status_code == 200


def test_five_wrong_passwords_lock_out_the_sixth_attempt_even_with_the_right_password(client, camille):
    fail_times(client, LOGIN, "camille", 4)
    assert log_in(client, LOGIN, "camille", "still-wrong").status_code == 429  # the fifth failure locks out

    response = log_in(client, LOGIN, "camille", PASSWORD)

    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED_OUT in html
    assert "refused for 1\xa0hour" in html
    assert 'class="site-header"' in html  # the site's own page, base.html
    assert "Content-Security-Policy" in response
    assert not is_logged_in(client)


def test_the_lockout_page_is_in_french_on_the_french_login_page(client, camille):
    fail_times(client, "/login/", "camille", 5)

    response = log_in(client, "/login/", "camille", PASSWORD)

    assert response.status_code == 429
    assert '<html lang="fr">' in response.content.decode()


def test_a_different_user_from_the_same_address_is_not_locked_out(client, camille):
    UserFactory(username="dominique")
    fail_times(client, LOGIN, "camille", 6)

    response = log_in(client, LOGIN, "dominique", PASSWORD)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_the_same_user_from_another_address_is_not_locked_out(client, camille):
    fail_times(client, LOGIN, "camille", 6, address="192.0.2.10")

    response = log_in(client, LOGIN, "camille", PASSWORD, address="192.0.2.20")

    assert response.status_code == 302


def test_a_successful_login_resets_the_count_of_failures(client, camille):
    fail_times(client, LOGIN, "camille", 4)
    assert log_in(client, LOGIN, "camille", PASSWORD).status_code == 302
    client.post("/en/logout/")

    fail_times(client, LOGIN, "camille", 4)
    response = log_in(client, LOGIN, "camille", PASSWORD)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_the_admin_login_is_protected_too(client, camille):
    fail_times(client, ADMIN_LOGIN, "camille", 5)

    response = log_in(client, ADMIN_LOGIN, "camille", PASSWORD)

    assert response.status_code == 429
    assert LOCKED_OUT in response.content.decode()
    assert client.get("/en/admin/").status_code == 302


def test_failures_on_the_site_and_in_the_admin_add_up(client, camille):
    fail_times(client, LOGIN, "camille", 3)
    fail_times(client, ADMIN_LOGIN, "camille", 2)

    assert log_in(client, LOGIN, "camille", PASSWORD).status_code == 429


def test_axes_reset_unlocks_everyone(client, camille):
    fail_times(client, LOGIN, "camille", 5)
    assert log_in(client, LOGIN, "camille", PASSWORD).status_code == 429

    call_command("axes_reset", verbosity=0)

    assert log_in(client, LOGIN, "camille", PASSWORD).status_code == 302


def test_a_locked_out_user_token_still_reaches_the_api(client, camille):
    """Token authentication never goes through the login form, so a lockout of the form leaves the API alone."""
    token = Token.objects.create(user=camille)
    fail_times(client, LOGIN, "camille", 6)

    response = client.get("/api/people/", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 200


def test_a_wrong_token_is_refused(client, camille):
    response = client.get("/api/people/", HTTP_AUTHORIZATION="Token not-a-token")

    assert response.status_code == 403  # SessionAuthentication comes first, so DRF answers 403, not 401


TOO_SHORT = "This password is too short. It must contain at least 12 characters."
TOO_COMMON = "This password is too common."


@pytest.mark.parametrize(
    ("password", "message"),
    [("password123", TOO_SHORT), ("password123", TOO_COMMON), ("Zq7#vLp2!x", TOO_SHORT)],
    ids=["common-short", "common", "short"],
)
def test_creating_a_user_in_the_admin_refuses_a_weak_password(client, camille, password, message):
    client.force_login(camille)

    response = client.post(
        "/en/admin/auth/user/add/",
        {"username": "newcomer", "usable_password": "true", "password1": password, "password2": password},
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not type(camille).objects.filter(username="newcomer").exists()


def test_creating_a_user_in_the_admin_accepts_a_long_uncommon_password(client, camille):
    client.force_login(camille)
    password = "quiet-lantern-over-the-harbour"  # noqa: S105

    response = client.post(
        "/en/admin/auth/user/add/",
        {"username": "newcomer", "usable_password": "true", "password1": password, "password2": password},
    )

    assert response.status_code == 302
    assert type(camille).objects.get(username="newcomer").check_password(password)


@pytest.mark.parametrize("password", ["password123", "Zq7#vLp2!x"], ids=["common", "short"])
def test_changing_ones_password_refuses_a_weak_one(client, camille, password):
    client.force_login(camille)

    response = client.post(
        "/en/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )

    assert response.status_code == 200
    assert TOO_SHORT in response.content.decode()
    camille.refresh_from_db()
    assert camille.check_password(PASSWORD)
