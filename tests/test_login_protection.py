"""Repeated failed logins lock a username out from one address, and an address out after many usernames
(django-axes); the address is the client's, behind the trusted proxies; passwords must be strong, and a forgotten
one is replaced through a link sent by email."""

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from tests.factories import UserFactory
from tests.test_content_security_policy import inline_code

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
    out = StringIO()
    call_command("create_api_token", "camille", stdout=out, stderr=StringIO())
    fail_times(client, LOGIN, "camille", 6)

    response = client.get("/api/people/", HTTP_AUTHORIZATION=f"Token {out.getvalue().strip()}")

    assert response.status_code == 200


PROXY = "10.0.0.1"  # the load balancer: every request reaches gunicorn from its address
CLIENT_X = "203.0.113.7"
CLIENT_Y = "198.51.100.9"


def through_the_proxy(client, username, password, forwarded_for):
    """A login posted through one reverse proxy, which appends the address it was reached from to X-Forwarded-For."""
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def test_behind_the_proxy_failures_from_one_client_do_not_lock_the_user_out_for_another(
    client, camille, behind_one_proxy
):
    for _ in range(5):
        assert through_the_proxy(client, "camille", "not-the-password", CLIENT_X).status_code in {200, 429}

    assert through_the_proxy(client, "camille", PASSWORD, CLIENT_X).status_code == 429
    response = through_the_proxy(client, "camille", PASSWORD, CLIENT_Y)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_behind_the_proxy_an_address_the_client_writes_in_x_forwarded_for_is_not_believed(
    client, camille, behind_one_proxy
):
    # Client X claims to be Y; the proxy appends X's real address after the claim.
    for _ in range(5):
        through_the_proxy(client, "camille", "not-the-password", f"{CLIENT_Y}, {CLIENT_X}")

    assert through_the_proxy(client, "camille", PASSWORD, f"192.0.2.55, {CLIENT_X}").status_code == 429
    assert through_the_proxy(client, "camille", PASSWORD, CLIENT_Y).status_code == 302


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(client, camille):
    for number in range(5):
        client.post(
            LOGIN,
            {"username": "camille", "password": "not-the-password"},
            REMOTE_ADDR=CLIENT_X,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        )

    response = client.post(
        LOGIN, {"username": "camille", "password": PASSWORD}, REMOTE_ADDR=CLIENT_X, HTTP_X_FORWARDED_FOR=CLIENT_Y
    )

    assert response.status_code == 429


SPRAYING_LOCKED_OUT = "After 30 failed logins from your address, logging in from this address is refused"


def test_guessing_one_password_for_many_usernames_locks_the_address_out(client, camille):
    for number in range(29):
        log_in(client, LOGIN, f"someone-{number}", "Summer2026!", address=CLIENT_X)
    # Below the limit per address, which is higher than the limit per username: the address still logs in.
    assert log_in(client, LOGIN, "camille", PASSWORD, address=CLIENT_X).status_code == 302
    client.post("/en/logout/")

    assert log_in(client, LOGIN, "someone-29", "Summer2026!", address=CLIENT_X).status_code == 429
    response = log_in(client, LOGIN, "camille", PASSWORD, address=CLIENT_X)

    assert response.status_code == 429
    html = response.content.decode()
    assert SPRAYING_LOCKED_OUT in html
    assert "refused for 1\xa0hour, whatever the username" in html
    assert not is_logged_in(client)
    assert log_in(client, LOGIN, "camille", PASSWORD, address=CLIENT_Y).status_code == 302


def test_the_address_limit_counts_the_admin_login_too(client, camille):
    for number in range(30):
        log_in(client, ADMIN_LOGIN, f"someone-{number}", "Summer2026!", address=CLIENT_X)

    response = log_in(client, ADMIN_LOGIN, "camille", PASSWORD, address=CLIENT_X)

    assert response.status_code == 429
    assert SPRAYING_LOCKED_OUT in response.content.decode()


def test_axes_reset_ip_unlocks_an_address(client, camille):
    for number in range(30):
        log_in(client, LOGIN, f"someone-{number}", "Summer2026!", address=CLIENT_X)

    call_command("axes_reset_ip", CLIENT_X, stdout=StringIO())

    assert log_in(client, LOGIN, "camille", PASSWORD, address=CLIENT_X).status_code == 302


RESET_LINK = re.compile(r"http://testserver(/en/password-reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def camille_with_email(camille):
    camille.email = "camille@example.org"
    camille.save()
    return camille


def ask_for_a_reset_link(client, email="camille@example.org"):
    page = client.get("/en/password-reset/")
    assert page.status_code == 200
    assert 'class="site-header"' in page.content.decode()
    return client.post("/en/password-reset/", {"email": email})


def test_the_login_page_links_to_the_password_reset(client):
    html = client.get("/en/login/").content.decode()

    assert 'href="/en/password-reset/"' in html
    assert "Forgotten your password?" in html


def test_a_forgotten_password_is_replaced_through_the_emailed_link(client, camille_with_email):
    response = ask_for_a_reset_link(client)

    assert response.status_code == 302 and response["Location"] == "/en/password-reset/sent/"
    assert "Check your email" in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["camille@example.org"]
    assert email.subject == "Cluster CRM: choose a new password"
    assert "“camille”" in email.body
    link = RESET_LINK.search(email.body).group(1)

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    new_password = "a-lighthouse-keeper-at-dawn"  # noqa: S105
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302 and done["Location"] == "/en/password-reset/done/"
    assert "Your new password is saved" in client.get(done["Location"]).content.decode()

    assert log_in(client, LOGIN, "camille", PASSWORD).status_code == 200
    assert log_in(client, LOGIN, "camille", new_password).status_code == 302
    client.post("/en/logout/")
    reused = client.get(link, follow=True).content.decode()
    assert "This link does not work any more" in reused


def test_the_password_reset_page_is_in_french_first(client):
    response = client.get("/password-reset/")

    assert response.status_code == 200
    assert '<html lang="fr">' in response.content.decode()


def test_a_reset_asked_for_an_unknown_address_sends_nothing_and_says_the_same(client, camille_with_email):
    response = ask_for_a_reset_link(client, "nobody@example.org")

    assert response.status_code == 302 and response["Location"] == "/en/password-reset/sent/"
    assert mail.outbox == []


def test_a_new_password_from_the_emailed_link_lifts_the_lockout(client, camille_with_email):
    fail_times(client, LOGIN, "camille", 5)
    assert log_in(client, LOGIN, "camille", PASSWORD).status_code == 429
    ask_for_a_reset_link(client)
    link = RESET_LINK.search(mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    new_password = "a-lighthouse-keeper-at-dawn"  # noqa: S105

    client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})

    assert log_in(client, LOGIN, "camille", new_password).status_code == 302


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


def test_the_password_reset_pages_carry_no_inline_code(client, camille_with_email):
    pages = {"form": client.get("/en/password-reset/"), "sent": client.get("/en/password-reset/sent/")}
    ask_for_a_reset_link(client)
    link = RESET_LINK.search(mail.outbox[0].body).group(1)
    pages["new password"] = client.get(link, follow=True)
    pages["invalid link"] = client.get("/en/password-reset/MQ/not-a-token/")
    pages["done"] = client.get("/en/password-reset/done/")

    for name, response in pages.items():
        assert response.status_code == 200, name
        assert inline_code(response.content.decode()) == [], name
