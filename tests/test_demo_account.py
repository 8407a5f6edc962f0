from io import StringIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.test import override_settings

DEMO_PASSWORD = "demo-cluster-crm"  # noqa: S105  (documented in the README)


def ensure_demo_account():
    out = StringIO()
    call_command("ensure_demo_account", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_creates_a_demo_superuser_and_prints_the_login(django_user_model):
    output = ensure_demo_account()

    user = django_user_model.objects.get(username="demo")
    assert user.is_active and user.is_staff and user.is_superuser
    assert "http://127.0.0.1:8000/" in output
    assert "demo" in output
    assert DEMO_PASSWORD in output


@pytest.mark.django_db
def test_running_twice_keeps_one_account_and_restores_its_password(django_user_model):
    ensure_demo_account()
    user = django_user_model.objects.get(username="demo")
    user.set_password("something-else-entirely")
    user.is_staff = False
    user.save()

    ensure_demo_account()

    assert django_user_model.objects.filter(username="demo").count() == 1
    user.refresh_from_db()
    assert user.is_staff
    assert user.check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_the_printed_password_logs_into_the_admin(client):
    ensure_demo_account()

    # Through the login form: django-axes needs the request, which client.login() does not pass to authenticate().
    response = client.post("/admin/login/", {"username": "demo", "password": DEMO_PASSWORD, "next": "/admin/"})

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_the_demo_password_satisfies_the_password_validators(django_user_model):
    ensure_demo_account()

    validate_password(DEMO_PASSWORD, user=django_user_model.objects.get(username="demo"))


@pytest.mark.django_db
def test_refuses_in_production(django_user_model):
    with override_settings(PRODUCTION=True), pytest.raises(CommandError, match="DJANGO_ENV=production"):
        ensure_demo_account()

    assert not django_user_model.objects.filter(username="demo").exists()


@pytest.mark.django_db
def test_the_printed_password_alone_logs_in_even_after_an_authenticator_app_was_added(client, django_user_model):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    ensure_demo_account()
    TOTPDevice.objects.create(user=django_user_model.objects.get(username="demo"), name="phone", confirmed=True)

    ensure_demo_account()
    response = client.post("/admin/login/", {"username": "demo", "password": DEMO_PASSWORD, "next": "/admin/"})

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
